//! Re-exports wasi-libc's allocator as the module's `malloc` and `free`, which the Samuel
//! convention asks for. Rust's standard library on wasm32-wasi allocates with the same
//! wasi-libc `malloc`, so the host's buffers and the plugin's own share one heap. Link arguments
//! are passed here rather than in `.cargo/config.toml` so that no RUSTFLAGS setting (build.sh sets
//! one) can drop them.
fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("wasm32") {
        println!("cargo:rustc-cdylib-link-arg=--export=malloc");
        println!("cargo:rustc-cdylib-link-arg=--export=free");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
