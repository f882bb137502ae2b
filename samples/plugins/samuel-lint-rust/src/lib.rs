//! samuel-lint: an Airlock sample plugin for the Samuel WASM tier (docs/samuel.md), on the Rust bindings generated from
//! the contract `Airlock.Contracts.Samuel.ISamuelLinter` (`airlock bindings --profile samuel --lang rust --out src`):
//! `src/samuel.rs` holds the whole ABI (the Samuel convention's `malloc`/`free`, `_initialize`, the `lint` and `health`
//! export shims, the payload types, the typed `samuel` host functions). This file implements the contract's trait.
//!
//! The linter is in `lint.rs`, the line rules in `rules.rs`.

mod lint;
mod rules;
mod samuel;

use samuel::{Json, PluginError, SamuelLintReport, SamuelLintRequest, SamuelLinter};

/// The plugin: `lint` and `health`, exported by `export_plugin!` below.
pub struct Linter;

impl SamuelLinter for Linter {
    fn lint(request: SamuelLintRequest) -> Result<SamuelLintReport, PluginError> {
        lint::lint(request)
    }

    fn health(request: Json) -> Result<Json, PluginError> {
        let _ = request;
        lint::health()
    }
}

samuel::export_plugin!(Linter);
