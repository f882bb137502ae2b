#!/usr/bin/env bash
# Builds bench.wasm (the guest of benchmarks/Airlock.Benchmarks) from source,
# reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc)
# give the same bytes on every run.
#
# usage: ./build.sh [output.wasm]     (default: bench.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/bench.wasm}"
case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;   # a relative output path is relative to the caller's cwd
esac
cd "$here"

export LC_ALL=C
export SOURCE_DATE_EPOCH=0
export ZERO_AR_DATE=1

CC="${CC:-clang}"
tmp="$(mktemp "${out}.tmp.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

"$CC" --target=wasm32-wasi -O2 -mexec-model=reactor \
  -std=c11 -Wall -Wextra -Wno-unused-parameter \
  -ffile-prefix-map="$here"=. -fno-ident \
  -Wl,--strip-all \
  -o "$tmp" \
  bench.c

chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "built $out ($(wc -c < "$out") bytes)"
