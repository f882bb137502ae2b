#!/usr/bin/env bash
# Builds samuel-hello.wasm (a Samuel plugin in C: the Samuel convention, a wasi-libc reactor) from
# source, reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc) give the same
# bytes on every run and from any checkout path.
#
# usage: ./build.sh [output.wasm]     (default: samuel-hello.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/samuel-hello.wasm}"
case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;   # a relative output path is relative to the caller's cwd
esac
cd "$here"
shared="$(cd ../lesstruct-json && pwd)"   # the JSON reader and writer the C samples share

export LC_ALL=C
export SOURCE_DATE_EPOCH=0
export ZERO_AR_DATE=1

CC="${CC:-clang}"
tmp="$(mktemp "${out}.tmp.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

# -mexec-model=reactor links wasi-libc's crt1-reactor.o: the module exports _initialize (which runs
# the constructors: the preopened directories, the environment) and no _start. malloc and free are
# wasi-libc's, re-exported for the host.
"$CC" --target=wasm32-wasi -O2 -mexec-model=reactor \
  -std=c11 -Wall -Wextra -Werror \
  -ffile-prefix-map="$here"=. -ffile-prefix-map="$shared"=../lesstruct-json -fno-ident \
  -I"$shared" \
  -Wl,--export=malloc -Wl,--export=free \
  -Wl,--strip-all \
  -o "$tmp" \
  hello.c "$shared/json.c"

chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "built $out ($(wc -c < "$out") bytes)"
