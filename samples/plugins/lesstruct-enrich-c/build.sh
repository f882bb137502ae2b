#!/usr/bin/env bash
# Builds plugin.wasm (the "enrich" Lesstruct hook plugin) from source,
# reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc)
# give the same bytes on every run.
#
# usage: ./build.sh [output.wasm]     (default: plugin.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
# The shared steps (output path, reproducibility flags, atomic write) are in ../build-lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
plugin_init plugin.wasm "$@"

# --global-base keeps [0, 1114112) free for the host: results at 4096, inputs
# of up to 1 MiB at 65536 (docs/abi/fixed-offset.md).
c_build --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry \
  -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter \
  -Wl,--global-base=1114112 -Wl,--export=__heap_base -Wl,--export=__data_end \
  -Ibindings enrich.c bindings/lesstruct.c
