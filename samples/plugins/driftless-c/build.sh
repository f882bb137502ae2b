#!/usr/bin/env bash
# Builds logkit.wasm (a Driftless plugin over the plain (ptr, len) convention) from source,
# reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc) give the same bytes on
# every run and from any checkout path.
#
# usage: ./build.sh [output.wasm]     (default: logkit.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/logkit.wasm}"
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

# wasi-libc supplies malloc/free and the string functions; nothing here uses WASI, so the module
# imports only env.host_log and env.host_get_timestamp. No start files and no entry point: there is
# no _start or _initialize to call (no constructors), the host calls the exports directly.
"$CC" --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry \
  -std=c11 -Wall -Wextra -Werror \
  -ffile-prefix-map="$here"=. -ffile-prefix-map="$shared"=../lesstruct-json -fno-ident \
  -I"$shared" \
  -Wl,--strip-all \
  -o "$tmp" \
  logkit.c "$shared/json.c"

chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "built $out ($(wc -c < "$out") bytes)"
