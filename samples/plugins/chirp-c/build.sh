#!/usr/bin/env bash
# Builds chirp.wasm from source, reproducibly: the same sources and toolchain
# (clang 14 + Debian's wasi-libc) give the same bytes on every run.
#
# usage: ./build.sh [output.wasm]     (default: chirp.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
# The shared steps (output path, reproducibility flags, atomic write) are in ../build-lib.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
plugin_init chirp.wasm "$@"

c_build --target=wasm32-wasi -O2 -mexec-model=reactor \
  -std=c11 -Wall -Wextra -Wno-unused-parameter \
  -Ibindings chirp.c bindings/socialscale.c
