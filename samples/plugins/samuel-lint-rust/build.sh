#!/usr/bin/env bash
# Rebuilds samuel-lint.wasm from source with Debian's Rust 1.63 (wasm32-wasi), offline, against the
# crates Debian packages in /usr/share/cargo/registry. Deterministic: the same bytes on every run and
# from any checkout path. It installs nothing; the toolchain it needs is
#   apt-get install -y --no-install-recommends rustc cargo libstd-rust-dev-wasm32 \
#       librust-serde-dev librust-serde-json-dev librust-serde-derive-dev
#
# usage: build.sh [OUTPUT]   (default: samuel-lint.wasm beside this script; a relative OUTPUT is
#                             taken from the caller's working directory)
#
# The shared steps (toolchain checks, a clean environment, the cargo call, the atomic write) are in
# ../build-lib.sh. The release profile's `strip = true` leaves one custom section, the
# generated bindings' airlock.bindings:<contract>:<wire hash>. The allocator
# exports (--export=malloc, --export=free) come from build.rs, which no flags variable can override.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
plugin_init samuel-lint.wasm "$@"

rust_require_toolchain wasm32-wasi
rust_require_crate serde_json-1.0.87 \
  "Debian's serde crates are missing; install librust-serde-dev librust-serde-json-dev librust-serde-derive-dev"
rust_build wasm32-wasi samuel_lint.wasm
