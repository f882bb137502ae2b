#!/usr/bin/env bash
# Builds samuel-hello.wasm (a Samuel plugin in C: the Samuel convention, a wasi-libc reactor) from
# source, reproducibly: the same sources and toolchain (clang 14 + Debian's wasi-libc) give the same
# bytes on every run and from any checkout path.
#
# usage: ./build.sh [output.wasm]     (default: samuel-hello.wasm beside this script)
#
# Needs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32; it installs nothing.
# The shared steps (output path, reproducibility flags, atomic write) are in ../build-lib.sh.
# bindings/ is generated from contract/ISamuelHello.cs by ../generate-bindings.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
plugin_init samuel-hello.wasm "$@"

# -mexec-model=reactor links wasi-libc's crt1-reactor.o: the module exports _initialize (which runs
# the constructors: the preopened directories, the environment) and no _start. The bindings export
# malloc and free (wasi-libc's) for the host.
c_build --target=wasm32-wasi -O2 -mexec-model=reactor \
  -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter \
  -Ibindings hello.c bindings/samuelhello.c
