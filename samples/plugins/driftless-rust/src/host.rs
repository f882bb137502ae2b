//! The two host functions of the Driftless guide, `host_log(level, message)` and
//! `host_get_timestamp() -> u64`, imported from module `env` under exactly those names.
//!
//! They are declared as plain `extern "C"` imports, not inside a `#[wasm_bindgen] extern "C"` block:
//! wasm-bindgen would import them from `__wbindgen_placeholder__` under a hash-suffixed shim name
//! (`__wbg_hostlog_<16 hex digits>`, the hash mixing the crate's name and version) that only the
//! wasm-bindgen CLI's JavaScript glue can resolve. Each `&str` crosses as (ptr, len); the host only
//! reads the bytes, which stay owned by this plugin. `u64` crosses as an `i64`.

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "env")]
    extern "C" {
        pub fn host_log(level_ptr: *const u8, level_len: usize, msg_ptr: *const u8, msg_len: usize);
        pub fn host_get_timestamp() -> u64;
    }
}

/// Native stand-ins so the pure modules can be unit-tested with `cargo test` on the build machine.
/// They are never part of the plugin.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::missing_safety_doc)]
mod imports {
    pub unsafe fn host_log(_lp: *const u8, _ll: usize, _mp: *const u8, _ml: usize) {}
    /// 2024-03-01T12:00:00Z, so tests of time formatting are deterministic.
    pub unsafe fn host_get_timestamp() -> u64 {
        1_709_294_400
    }
}

/// The four level words `host_log` accepts (this plugin does not use `error`: its failures are
/// answered as error envelopes and logged at `warn`).
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    fn word(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

/// Logs one message through the host.
pub fn log(level: Level, message: &str) {
    let word = level.word();
    // SAFETY: both slices are valid for the duration of the call; the host only reads them.
    unsafe { imports::host_log(word.as_ptr(), word.len(), message.as_ptr(), message.len()) }
}

/// The host's current Unix time in seconds.
pub fn timestamp() -> u64 {
    // SAFETY: the import takes no arguments.
    unsafe { imports::host_get_timestamp() }
}
