#!/usr/bin/env bash
# Rebuilds confkit.wasm from source with Debian's Rust 1.63 (wasm32-unknown-unknown, no WASI) and
# Debian's wasm-bindgen 0.2.83 crate, offline, against the crates Debian packages in
# /usr/share/cargo/registry. Plain `cargo build`: the wasm-bindgen CLI is not packaged, so the module
# keeps wasm-bindgen's raw exports and glue (ABI-NOTES.md). Deterministic: the same bytes on every run
# and from any checkout path. It installs nothing; the toolchain it needs is
#   apt-get install -y --no-install-recommends rustc cargo libstd-rust-dev-wasm32 \
#       librust-serde-dev librust-serde-json-dev librust-wasm-bindgen-dev
#
# usage: build.sh [OUTPUT]   (default: confkit.wasm beside this script; a relative OUTPUT is taken
#                             from the caller's working directory)
#
# The shared steps (toolchain checks, a clean environment, the cargo call, the atomic write) are in
# ../build-lib.sh. The release profile's `strip = true` drops the name and producers sections;
# wasm-bindgen's own custom section `__wasm_bindgen_unstable` stays (ABI-NOTES.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
plugin_init confkit.wasm "$@"

rust_require_toolchain wasm32-unknown-unknown
rust_require_crate serde_json-1.0.87 \
  "Debian's serde crates are missing; install librust-serde-dev librust-serde-json-dev"
rust_require_crate wasm-bindgen-0.2.83 \
  "Debian's wasm-bindgen crate is missing; install librust-wasm-bindgen-dev"
rust_build wasm32-unknown-unknown confkit.wasm
