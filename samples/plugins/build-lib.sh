# shellcheck shell=bash
# What every samples/plugins/<plugin>/build.sh shares, sourced by it after `set -euo pipefail`:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/../build-lib.sh"
#   plugin_init chirp.wasm "$@"
#
# then c_build (clang) or rust_require_toolchain, rust_require_crate and rust_build (cargo). This
# file is not a build script: it is not executable and not named build.sh, so .ci/run's loop over
# samples/plugins/*/build.sh does not run it. Each build.sh keeps what is its own: the module's
# name, the target, the compiler flags and sources, and why.
#
# Every build is deterministic (the same bytes on every run and from any checkout path, one with
# spaces included), installs nothing, and writes its module atomically.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "build-lib.sh is sourced by samples/plugins/*/build.sh; run one of those instead" >&2
  exit 2
fi

# build_fail MESSAGE: prints "build.sh: MESSAGE" on stderr and stops the build.
build_fail() {
  echo "build.sh: $1" >&2
  exit 1
}

# plugin_init DEFAULT_NAME [OUTPUT]: the start of every build.sh (pass it the script's "$@"). Sets
#   here  the calling build.sh's folder, symlinks resolved (the path cargo and clang see as their
#         working directory, so the path the remapping flags below must name);
#   out   the module to write: OUTPUT, a relative one taken from the caller's working directory,
#         or DEFAULT_NAME beside the script;
# and changes to $here.
plugin_init() {
  here="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd -P)"
  out="${2:-$here/$1}"
  case "$out" in
    /*) ;;
    *) out="$PWD/$out" ;;
  esac
  cd "$here"
}

# output_begin: a temporary file beside $out (same file system, so the final mv is one rename) in
# $tmp, removed should the build stop before output_commit.
output_begin() {
  tmp="$(mktemp "${out}.tmp.XXXXXX")"
  trap 'rm -f "$tmp"' EXIT
}

# output_commit: gives $tmp mode 0644 (mktemp creates it 0600) and renames it to $out, so $out is
# never seen half written.
output_commit() {
  chmod 0644 "$tmp"
  mv -f "$tmp" "$out"
  trap - EXIT
  echo "build.sh: wrote $out ($(wc -c < "$out") bytes)"
}

# --- C: clang 14 + Debian's wasi-libc (clang lld wasi-libc libclang-rt-14-dev-wasm32)

# c_build CLANG_ARGUMENTS...: compiles and links the module with $CC (default clang) into $out. The
# arguments are the plugin's own (target, optimisation, warnings, link flags, sources in link order);
# c_build adds what makes the bytes reproducible: LC_ALL=C, SOURCE_DATE_EPOCH=0, ZERO_AR_DATE=1,
# -ffile-prefix-map=<plugin folder>=. (no checkout path in the module), -fno-ident (no compiler
# version string) and -Wl,--strip-all (no names or other custom sections).
c_build() {
  export LC_ALL=C
  export SOURCE_DATE_EPOCH=0
  export ZERO_AR_DATE=1
  output_begin
  "${CC:-clang}" "$@" -ffile-prefix-map="$here"=. -fno-ident -Wl,--strip-all -o "$tmp"
  output_commit
}

# c_use_shared_json: sets the array shared_json to the clang arguments that add ../lesstruct-json,
# the JSON reader and writer the C samples share: its include folder, its path mapped to
# ../lesstruct-json, and json.c (put "${shared_json[@]}" after the plugin's own sources).
c_use_shared_json() {
  local dir
  dir="$(cd "$here/../lesstruct-json" && pwd -P)"
  shared_json=(-I"$dir" -ffile-prefix-map="$dir"=../lesstruct-json "$dir/json.c")
}

# --- Rust: Debian's Rust 1.63, offline, with the crates Debian packages in /usr/share/cargo/registry
# Each plugin's .cargo/config.toml pins /usr/bin/rustc, the target and that registry (rustup's
# cargo and rustc, which may come first on PATH, have no wasm target).

rust_cargo=/usr/bin/cargo
rust_rustc=/usr/bin/rustc

# rust_require_toolchain TARGET: stops with what to install unless Debian's cargo and rustc and
# rustc's standard library for TARGET are installed.
rust_require_toolchain() {
  local tool
  for tool in "$rust_cargo" "$rust_rustc"; do
    if [ ! -x "$tool" ]; then
      build_fail "$tool not found; install Debian's rustc, cargo and libstd-rust-dev-wasm32"
    fi
  done
  if [ ! -d "$("$rust_rustc" --print sysroot)/lib/rustlib/$1" ]; then
    build_fail "$rust_rustc has no $1 standard library; install libstd-rust-dev-wasm32"
  fi
}

# rust_require_crate NAME-VERSION MESSAGE: stops with MESSAGE (which says what to install) unless
# /usr/share/cargo/registry holds the crate NAME-VERSION.
rust_require_crate() {
  if [ ! -d "/usr/share/cargo/registry/$1" ]; then
    build_fail "$2"
  fi
}

# rust_build TARGET ARTIFACT: cargo build --release --locked --offline (against the committed
# Cargo.lock) in target/ inside the plugin's folder, then writes target/TARGET/release/ARTIFACT to
# $out. Nothing from the caller's environment may change the build: every CARGO_* / RUST* variable
# (RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS, CARGO_PROFILE_RELEASE_*, CARGO_BUILD_*, RUSTC_WRAPPER, ...)
# is dropped and the few that matter are set. --remap-path-prefix keeps the checkout path out of the
# module should it ever reach a panic location; it goes through CARGO_ENCODED_RUSTFLAGS (not
# RUSTFLAGS) so that a checkout path with spaces stays one flag. The release profile's
# `strip = true` drops the name and producers sections.
rust_build() {
  local name
  while IFS= read -r name; do
    case "$name" in
      CARGO_*|RUST*) unset "$name" ;;
    esac
  done < <(compgen -e)

  export RUSTC="$rust_rustc"
  export CARGO_TARGET_DIR="$here/target"
  export CARGO_INCREMENTAL=0
  export CARGO_ENCODED_RUSTFLAGS="--remap-path-prefix=$here=/src"

  "$rust_cargo" build --release --locked --offline --quiet

  output_begin
  cp "$CARGO_TARGET_DIR/$1/release/$2" "$tmp"
  output_commit
}
