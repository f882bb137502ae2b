//! The host functions of module `env` and safe wrappers around them.
//!
//! Buffers returned by `host_http_request` / `host_store_get` were obtained by the host from this
//! plugin's `alloc(len)`; `take_buffer` adopts them as a `Vec<u8>` of capacity `len` (same layout
//! as `alloc`), so dropping the vector is the `dealloc(ptr, len)` the ABI asks for.

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "env")]
    extern "C" {
        pub fn host_log(level: i32, ptr: *const u8, len: usize);
        pub fn host_http_request(ptr: *const u8, len: usize) -> i64;
        pub fn host_store_get(kptr: *const u8, klen: usize) -> i64;
        pub fn host_store_set(kptr: *const u8, klen: usize, vptr: *const u8, vlen: usize);
        pub fn host_emit_event(ptr: *const u8, len: usize);
    }
}

/// Native stand-ins so the pure modules can be unit-tested with `cargo test` on the build machine.
/// They are never part of the plugin.
#[cfg(not(target_arch = "wasm32"))]
#[allow(clippy::missing_safety_doc)]
mod imports {
    pub unsafe fn host_log(_level: i32, _ptr: *const u8, _len: usize) {}
    pub unsafe fn host_http_request(_ptr: *const u8, _len: usize) -> i64 {
        -6
    }
    pub unsafe fn host_store_get(_kptr: *const u8, _klen: usize) -> i64 {
        -1
    }
    pub unsafe fn host_store_set(_kptr: *const u8, _klen: usize, _vptr: *const u8, _vlen: usize) {}
    pub unsafe fn host_emit_event(_ptr: *const u8, _len: usize) {}
}

/// Negative results of `host_http_request` / `host_store_get` (docs/abi/packed-ptr-len.md).
pub const NOT_FOUND: i64 = -1;
pub const PERMISSION_DENIED: i64 = -2;
pub const RATE_LIMITED: i64 = -3;
pub const UNAVAILABLE: i64 = -6;

pub fn status_name(code: i64) -> &'static str {
    match code {
        -1 => "not_found",
        -2 => "permission_denied",
        -3 => "rate_limited",
        -4 => "invalid_argument",
        -5 => "too_large",
        -6 => "unavailable",
        _ => "unknown status",
    }
}

/// Log levels of `host_log`.
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

/// Takes ownership of a packed `(ptr << 32) | len` buffer the host allocated with our `alloc`, or
/// returns the negative status code. A zero length is a present, empty value.
fn take_buffer(packed: i64) -> Result<Vec<u8>, i64> {
    if packed < 0 {
        return Err(packed);
    }
    let ptr = ((packed as u64) >> 32) as usize;
    let len = (packed as u64 & 0xFFFF_FFFF) as usize;
    if len == 0 || ptr == 0 {
        // An empty value needs no freeing (and a null pointer cannot own anything).
        return Ok(Vec::new());
    }
    // SAFETY: per the ABI the host obtained exactly this region from `alloc(len)`, which uses the
    // layout of a `Vec<u8>` with capacity `len`, and hands its ownership to us.
    Ok(unsafe { Vec::from_raw_parts(ptr as *mut u8, len, len) })
}

pub fn log(level: Level, message: &str) {
    // SAFETY: the region is a live, valid UTF-8 string.
    unsafe { imports::host_log(level as i32, message.as_ptr(), message.len()) }
}

/// Sends a request JSON; the response JSON bytes or the negative status code.
pub fn http_request(request_json: &[u8]) -> Result<Vec<u8>, i64> {
    // SAFETY: the region is live for the duration of the call.
    take_buffer(unsafe { imports::host_http_request(request_json.as_ptr(), request_json.len()) })
}

/// The value of a key: `Ok(None)` when it has none (-1), `Err(code)` for any other failure.
pub fn store_get(key: &str) -> Result<Option<Vec<u8>>, i64> {
    // SAFETY: the region is live for the duration of the call.
    match take_buffer(unsafe { imports::host_store_get(key.as_ptr(), key.len()) }) {
        Ok(value) => Ok(Some(value)),
        Err(NOT_FOUND) => Ok(None),
        Err(code) => Err(code),
    }
}

/// Stores a value. A failing write traps inside the host (it is never silently dropped).
pub fn store_set(key: &str, value: &[u8]) {
    // SAFETY: both regions are live for the duration of the call.
    unsafe { imports::host_store_set(key.as_ptr(), key.len(), value.as_ptr(), value.len()) }
}

/// Publishes a JSON object on the event bus. A failure traps inside the host.
pub fn emit_event(event_json: &[u8]) {
    // SAFETY: the region is live for the duration of the call.
    unsafe { imports::host_emit_event(event_json.as_ptr(), event_json.len()) }
}
