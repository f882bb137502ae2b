#!/usr/bin/env bash
# Builds logkit.wasm (a Driftless plugin over the plain (ptr, len) convention) from source,
# reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc) give the same bytes on
# every run and from any checkout path.
#
# usage: ./build.sh [output.wasm]     (default: logkit.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
# The shared steps (output path, reproducibility flags, atomic write) are in ../build-lib.sh.
# bindings/ is generated from Airlock.Contracts.Driftless.IDriftlessPackedPlugin by ../generate-bindings.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
plugin_init logkit.wasm "$@"

# wasi-libc supplies malloc/free and the string functions; nothing here uses WASI, so the module
# imports only env.host_log and env.host_get_timestamp. No start files and no entry point: there is
# no _start or _initialize to call (no constructors), the host calls the exports directly.
c_build --target=wasm32-wasi -O2 -nostartfiles -Wl,--no-entry \
  -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter \
  -Ibindings logkit.c bindings/driftlesspacked.c
