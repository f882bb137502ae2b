//! Chirp connector: an Airlock sample plugin for the SocialScale packed ptr+len ABI
//! (docs/abi/packed-ptr-len.md). The behaviour is specified in samples/plugins/README.md.
//!
//! This file holds the ABI surface only: the allocator exports, the three plugin exports and the
//! conversion of results into exactly-sized buffers. Everything else lives in the modules below.

mod api;
mod error;
mod handlers;
mod host;
mod percent;
mod request;
mod timestamp;

use std::alloc::Layout;
use std::ptr::NonNull;

/// Plugin id; must equal the manifest's `id`.
pub const PLUGIN_ID: &str = "com.airlock.samples.chirp-rust";

/// Every buffer that crosses the boundary uses this layout: `size` bytes, alignment 1. It is the
/// layout of `Box<[u8]>` / `Vec<u8>` with `capacity == len`, so a boxed slice handed to the host can
/// be freed with `dealloc(ptr, len)` and a host buffer obtained from `alloc(len)` can be adopted as a
/// `Vec<u8>` of capacity `len`.
fn buffer_layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size, 1).ok()
}

/// `alloc(size: i32) -> i32`: a buffer of `size` bytes, or 0 when it cannot be had.
///
/// `size` is an unsigned 32-bit value. `alloc(0)` (never called by Airlock) returns a non-zero
/// dangling address that `dealloc(_, 0)` ignores.
#[no_mangle]
pub extern "C" fn alloc(size: i32) -> i32 {
    let size = size as u32 as usize;
    if size == 0 {
        return NonNull::<u8>::dangling().as_ptr() as usize as i32;
    }
    match buffer_layout(size) {
        // SAFETY: the layout has a non-zero size.
        Some(layout) => unsafe { std::alloc::alloc(layout) as usize as i32 },
        None => 0,
    }
}

/// `dealloc(ptr: i32, size: i32)`: frees a buffer obtained from `alloc(size)` (or returned by an
/// export with that length). A null pointer or a zero size is a no-op.
///
/// # Safety
/// `ptr` must come from `alloc(size)` with the same `size` and must not have been freed before.
#[no_mangle]
pub unsafe extern "C" fn dealloc(ptr: i32, size: i32) {
    let size = size as u32 as usize;
    if ptr == 0 || size == 0 {
        return;
    }
    if let Some(layout) = buffer_layout(size) {
        std::alloc::dealloc(ptr as u32 as usize as *mut u8, layout);
    }
}

/// Hands a byte buffer to the host as a packed `(ptr << 32) | len`. The allocation has exactly
/// `len` bytes (a boxed slice), so `dealloc(ptr, len)` frees it. An empty result is the packed `0`.
fn into_packed(bytes: Vec<u8>) -> i64 {
    if bytes.is_empty() {
        return 0;
    }
    let boxed: Box<[u8]> = bytes.into_boxed_slice();
    let len = boxed.len() as u64;
    let ptr = Box::into_raw(boxed) as *mut u8 as usize as u64;
    ((ptr << 32) | len) as i64
}

/// `plugin_init() -> i64`: the metadata JSON.
#[no_mangle]
pub extern "C" fn plugin_init() -> i64 {
    into_packed(handlers::metadata_json())
}

/// `plugin_capabilities() -> i64`: the capabilities JSON.
#[no_mangle]
pub extern "C" fn plugin_capabilities() -> i64 {
    into_packed(handlers::capabilities_json())
}

/// `plugin_handle_request(ptr: i32, len: i32) -> i64`: a `PluginRequest` JSON in, a response JSON
/// out. The input buffer belongs to the host (it frees it after the call); it is only read here.
///
/// # Safety
/// `(ptr, len)` must be a readable region of linear memory, as the ABI guarantees.
#[no_mangle]
pub unsafe extern "C" fn plugin_handle_request(ptr: i32, len: i32) -> i64 {
    let len = len as u32 as usize;
    let input: &[u8] = if len == 0 || ptr == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr as u32 as usize as *const u8, len)
    };
    into_packed(handlers::handle(input))
}
