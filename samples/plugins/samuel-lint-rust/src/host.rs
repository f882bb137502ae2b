//! The host functions of import module `samuel` and safe wrappers around them.
//!
//! rustc gives each import its own (mangled) symbol, so `samuel.log` never meets wasi-libc's
//! `log` (the logarithm).

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "samuel")]
    extern "C" {
        pub fn log(level: i32, msg_ptr: *const u8, msg_len: usize);
        pub fn net_outbound(req_ptr: *const u8, req_len: usize) -> i64;
        pub fn soft_deadline_ms() -> i64;
    }
}

/// Native stand-ins so the pure modules can be unit-tested with `cargo test` on the build
/// machine. They are never part of the plugin.
#[cfg(not(target_arch = "wasm32"))]
mod imports {
    pub unsafe fn log(_level: i32, _msg_ptr: *const u8, _msg_len: usize) {}
    pub unsafe fn net_outbound(_req_ptr: *const u8, _req_len: usize) -> i64 {
        -6
    }
    pub unsafe fn soft_deadline_ms() -> i64 {
        5000
    }
}

extern "C" {
    /// wasi-libc's `free`: releases the answer buffer the host obtained from our `malloc`.
    fn free(ptr: *mut u8);
}

/// Log levels of `samuel.log`.
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub enum Level {
    Debug = 0,
    Info = 1,
    Warn = 2,
    Error = 3,
}

pub fn log(level: Level, message: &str) {
    // SAFETY: the host only reads the message.
    unsafe { imports::log(level as i32, message.as_ptr(), message.len()) }
}

/// Milliseconds left until the call's soft deadline; 0 or negative once it has passed.
pub fn soft_deadline_ms() -> i64 {
    // SAFETY: no arguments.
    unsafe { imports::soft_deadline_ms() }
}

/// Sends a request (`{"method", "url", ...}` JSON) through `samuel.net_outbound`. `Ok` holds the
/// answer JSON (`{"status", "headers", "body"}`), copied out of the host's buffer, which is freed;
/// `Err` the negative status.
pub fn net_outbound(request: &[u8]) -> Result<Vec<u8>, i64> {
    // SAFETY: the host only reads the request.
    let packed = unsafe { imports::net_outbound(request.as_ptr(), request.len()) };
    if packed < 0 {
        return Err(packed);
    }
    let ptr = ((packed as u64) >> 32) as usize as *mut u8;
    let len = (packed as u64 & 0xFFFF_FFFF) as usize;
    if ptr.is_null() {
        return Ok(Vec::new());
    }
    // SAFETY: per the convention the host wrote `len` bytes into a buffer it obtained from our
    // `malloc` and hands it over; we copy it and free it once.
    unsafe {
        let answer = std::slice::from_raw_parts(ptr, len).to_vec();
        free(ptr);
        Ok(answer)
    }
}

/// What a negative status of `net_outbound` means (docs: the Samuel convention).
pub fn status_text(code: i64) -> String {
    match code {
        -2 => "permission denied".to_string(),
        -3 => "rate limited".to_string(),
        -4 => "invalid argument".to_string(),
        -5 => "too large".to_string(),
        -6 => "unavailable".to_string(),
        other => format!("error {}", other),
    }
}
