#!/usr/bin/env bash
# Rebuilds samuel-lint.wasm from source with Debian's Rust 1.63 (wasm32-wasi), offline, against the
# crates Debian packages in /usr/share/cargo/registry. Deterministic: the same bytes on every run and
# from any checkout path. It installs nothing; the toolchain it needs is
#   apt-get install -y --no-install-recommends rustc cargo libstd-rust-dev-wasm32 \
#       librust-serde-dev librust-serde-json-dev librust-serde-derive-dev
#
# usage: build.sh [OUTPUT]   (default: samuel-lint.wasm beside this script; a relative OUTPUT is
#                             taken from the caller's working directory)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
out="${1:-$here/samuel-lint.wasm}"
case "$out" in
  /*) ;;
  *) out="$PWD/$out" ;;
esac

cargo=/usr/bin/cargo
rustc=/usr/bin/rustc
for tool in "$cargo" "$rustc"; do
  if [ ! -x "$tool" ]; then
    echo "build.sh: $tool not found; install Debian's rustc, cargo and libstd-rust-dev-wasm32" >&2
    exit 1
  fi
done
if [ ! -d "$("$rustc" --print sysroot)/lib/rustlib/wasm32-wasi" ]; then
  echo "build.sh: $rustc has no wasm32-wasi standard library; install libstd-rust-dev-wasm32" >&2
  exit 1
fi
if [ ! -d /usr/share/cargo/registry/serde_json-1.0.87 ]; then
  echo "build.sh: Debian's serde crates are missing; install librust-serde-dev librust-serde-json-dev librust-serde-derive-dev" >&2
  exit 1
fi

# Nothing from the caller's environment may change the build: drop every CARGO_* / RUST* variable
# (RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS, CARGO_PROFILE_RELEASE_*, CARGO_BUILD_*, RUSTC_WRAPPER, ...)
# and set the few that matter.
while IFS= read -r name; do
  case "$name" in
    CARGO_*|RUST*) unset "$name" ;;
  esac
done < <(compgen -e)

export RUSTC="$rustc"
export CARGO_TARGET_DIR="$here/target"
export CARGO_INCREMENTAL=0
# The remap keeps the checkout path out of the module should it ever reach a panic location.
# CARGO_ENCODED_RUSTFLAGS (not RUSTFLAGS) so that a checkout path with spaces stays one flag. The
# release profile's `strip = true` drops the name and producers sections, so no custom section is
# left. The allocator exports (--export=malloc, --export=free) come from build.rs, which this
# variable cannot override.
export CARGO_ENCODED_RUSTFLAGS="--remap-path-prefix=$here=/src"

cd "$here"
"$cargo" build --release --locked --offline --quiet

built="$CARGO_TARGET_DIR/wasm32-wasi/release/samuel_lint.wasm"
tmp="$(mktemp "$(dirname "$out")/.samuel-lint.wasm.XXXXXX")"
cp "$built" "$tmp"
chmod 0644 "$tmp"
mv -f "$tmp" "$out"
echo "build.sh: wrote $out ($(wc -c < "$out") bytes)"
