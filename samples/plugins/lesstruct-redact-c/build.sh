#!/usr/bin/env bash
# Builds plugin.wasm (the "redact" Lesstruct hook plugin) from source,
# reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc)
# give the same bytes on every run.
#
# usage: ./build.sh [output.wasm]     (default: plugin.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/plugin.wasm}"
case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;   # a relative output path is relative to the caller's cwd
esac
cd "$here"
shared="$(cd ../lesstruct-json && pwd)"   # the JSON reader and writer both Lesstruct samples use

export LC_ALL=C
export SOURCE_DATE_EPOCH=0
export ZERO_AR_DATE=1

CC="${CC:-clang}"
tmp="$(mktemp "${out}.tmp.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

# --global-base keeps [0, 1114112) free for the host: results at 4096, inputs
# of up to 1 MiB at 65536 (docs/abi/fixed-offset.md).
"$CC" --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry \
  -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter \
  -ffile-prefix-map="$here"=. -ffile-prefix-map="$shared"=../lesstruct-json -fno-ident \
  -I"$shared" \
  -Wl,--global-base=1114112 -Wl,--export=__heap_base -Wl,--export=__data_end \
  -Wl,--strip-all \
  -o "$tmp" \
  redact.c "$shared/json.c"

chmod 0644 "$tmp"
mv -f "$tmp" "$out"
trap - EXIT
echo "built $out ($(wc -c < "$out") bytes)"
