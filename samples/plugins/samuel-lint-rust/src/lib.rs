//! samuel-lint: an Airlock sample plugin for the Samuel WASM tier (docs/samuel.md), following the
//! Samuel convention: exports `memory`, `malloc`, `free`, `_initialize` and one
//! `(ptr: i32, len: i32) -> i64` function per manifest export (`lint`, `health`).
//!
//! This file holds the ABI surface only. The linter is in `lint.rs`, the line rules in
//! `rules.rs`, the `samuel` host functions in `host.rs`.

mod host;
mod lint;
mod rules;

use std::sync::atomic::{AtomicBool, Ordering};

// wasi-libc's allocator. build.rs re-exports both from the module as `malloc` and `free`; Rust's
// standard library allocates from the same heap (its wasm32-wasi System allocator is this malloc).
extern "C" {
    fn malloc(size: usize) -> *mut u8;
}

#[cfg(target_arch = "wasm32")]
extern "C" {
    /// Synthesized by the linker: runs wasi-libc's constructors (the table of preopened
    /// directories, the environment).
    fn __wasm_call_ctors();
}

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// Runs the constructors exactly once per instance.
fn initialize_once() {
    if !INITIALIZED.swap(true, Ordering::SeqCst) {
        #[cfg(target_arch = "wasm32")]
        // SAFETY: the linker-synthesized constructor list, run once (the flag above).
        unsafe {
            __wasm_call_ctors()
        };
    }
}

/// `_initialize()`: the reactor entry point (what wasi-libc's crt1-reactor.o provides for C). The
/// host calls it once after instantiation. Defining it here also stops the linker from wrapping
/// every export in a constructor and destructor call, which would rebuild the preopen table on
/// each call. Calling it again is harmless; `lint` and `health` also make sure it ran.
#[no_mangle]
pub extern "C" fn _initialize() {
    initialize_once();
}

/// The input of an export: `(ptr, len)` in linear memory, owned by the host (never freed here).
///
/// # Safety
/// `(ptr, len)` must be a readable region of linear memory, as the convention guarantees.
unsafe fn input<'a>(ptr: i32, len: i32) -> &'a [u8] {
    let len = len as u32 as usize;
    if len == 0 || ptr == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr as u32 as usize as *const u8, len)
    }
}

/// Copies a result into a fresh `malloc` buffer of exactly its length and packs it as
/// `(ptr << 32) | len`; the host frees it with `free(ptr)`. An empty result is the packed `0`.
fn into_packed(bytes: &[u8]) -> i64 {
    if bytes.is_empty() {
        return 0;
    }
    // SAFETY: malloc of a non-zero size; the copy stays inside the new buffer.
    unsafe {
        let buffer = malloc(bytes.len());
        if buffer.is_null() {
            // No memory left for the answer: a trap is the only honest outcome.
            std::process::abort();
        }
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer, bytes.len());
        (((buffer as usize as u64) << 32) | bytes.len() as u64) as i64
    }
}

/// `lint(ptr, len) -> i64`: lints the files under a mounted directory (lint.rs).
///
/// # Safety
/// `(ptr, len)` must be a readable region of linear memory, as the convention guarantees.
#[no_mangle]
pub unsafe extern "C" fn lint(ptr: i32, len: i32) -> i64 {
    initialize_once();
    into_packed(&lint::lint(input(ptr, len)))
}

/// `health(ptr, len) -> i64`: name, version, the soft deadline and the visible environment. The
/// input is ignored.
///
/// # Safety
/// `(ptr, len)` must be a readable region of linear memory, as the convention guarantees.
#[no_mangle]
pub unsafe extern "C" fn health(_ptr: i32, _len: i32) -> i64 {
    initialize_once();
    into_packed(&lint::health())
}
