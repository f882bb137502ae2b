using System.Text;
using System.Text.RegularExpressions;
using Airlock.GuestBindings;

namespace Airlock.Cli.Commands;

/// <summary>The Rust files of <c>airlock new --lang rust</c>: a cargo crate on the generated bindings module.</summary>
internal static partial class NewRust
{
    /// <summary>The crate's files beside the bindings (which go to <c>src/</c>): Cargo.toml, .cargo/config.toml, src/lib.rs, build.sh, and build.rs for the Samuel convention.</summary>
    public static IEnumerable<GeneratedFile> Files(string kind, string prefix, string plugin, string module, string bindings)
    {
        bool libcAllocator = bindings.Contains("Samuel convention", StringComparison.Ordinal);
        string target = libcAllocator ? "wasm32-wasi" : "wasm32-unknown-unknown";
        string crate = plugin.Replace('-', '_');
        yield return new GeneratedFile("Cargo.toml", $$"""
            [package]
            name = "{{plugin}}"
            version = "0.1.0"
            edition = "2021"
            publish = false
            {{(libcAllocator ? "build = \"build.rs\"\n" : string.Empty)}}
            # A workspace of its own: never picked up by a Cargo.toml further up the tree.
            [workspace]

            [lib]
            crate-type = ["cdylib"]
            path = "src/lib.rs"

            [dependencies]
            serde = "1"
            serde_json = { version = "1", features = ["raw_value"] }

            [features]
            # The host's plain encoding of host-function results (0 = no value); the default reads its status codes
            # ("host_status_codes": true in the manifest).
            plain-host-results = []

            [profile.release]
            opt-level = "s"
            lto = true
            panic = "abort"
            codegen-units = 1
            debug = false
            incremental = false
            strip = true

            """);
        yield return new GeneratedFile(Path.Combine(".cargo", "config.toml"), $"""
            # Offline builds against Debian's packaged crates (/usr/share/cargo/registry) with Debian's rustc 1.63, which has
            # the wasm targets (a rustup toolchain earlier on PATH may not): build.sh calls /usr/bin/cargo.
            [source.crates-io]
            replace-with = "debian-packages"

            [source.debian-packages]
            directory = "/usr/share/cargo/registry"

            [build]
            target = "{target}"
            rustc = "/usr/bin/rustc"

            [net]
            offline = true

            """);
        if (libcAllocator)
        {
            yield return new GeneratedFile("build.rs", """
                //! The Samuel convention's allocator is wasi-libc's own `malloc` and `free`, exported from the module. Link
                //! arguments are given here, where no RUSTFLAGS setting can drop them.
                fn main() {
                    if std::env::var("TARGET").unwrap_or_default().starts_with("wasm32") {
                        println!("cargo:rustc-cdylib-link-arg=--export=malloc");
                        println!("cargo:rustc-cdylib-link-arg=--export=free");
                    }
                    println!("cargo:rerun-if-changed=build.rs");
                }

                """);
        }

        yield return new GeneratedFile(Path.Combine("src", "lib.rs"), Stub(kind, prefix, plugin, bindings));
        yield return new GeneratedFile("build.sh", $$"""
            #!/usr/bin/env bash
            # Builds {{module}} ({{target}}{{(libcAllocator ? ", a WASI reactor exporting wasi-libc's malloc and free" : ", no imports but the contract's host functions")}}) offline against
            # Debian's crates. Needs: apt-get install rustc cargo libstd-rust-dev-wasm32 librust-serde-dev librust-serde-json-dev
            set -euo pipefail
            cd "$(dirname "${BASH_SOURCE[0]}")"
            out="${1:-{{module}}}"
            test -x /usr/bin/cargo || { echo "build.sh: /usr/bin/cargo is missing (apt-get install rustc cargo libstd-rust-dev-wasm32)" >&2; exit 1; }
            env -u RUSTFLAGS -u CARGO_BUILD_TARGET /usr/bin/cargo build --release --quiet
            cp "${CARGO_TARGET_DIR:-target}/{{target}}/release/{{crate}}.wasm" "$out"
            echo "build.sh: wrote $out"

            """);
    }

    /// <summary>The command that runs the crate's own unit tests natively (the host functions answer "unavailable" off wasm).</summary>
    public static string UnitTests => "env -u RUSTFLAGS -u CARGO_BUILD_TARGET /usr/bin/cargo test --quiet --target \"$(/usr/bin/rustc -vV | sed -n 's/^host: //p')\"";

    private static string Stub(string kind, string prefix, string plugin, string bindings)
    {
        string trait = TraitDeclaration().Match(bindings).Groups[1].Value;
        if (kind == "socialscale")
        {
            return $$"""
                //! {{plugin}}: a SocialScale connector on the generated bindings (src/{{prefix}}.rs).
                //! Implement one method per request type you support; a request type without one is answered with an
                //! "unsupported_request" error. Return `Err(PluginError::new(code, message))` for a typed error.

                mod {{prefix}};

                use {{prefix}}::*;

                pub struct Plugin;

                impl {{trait}} for Plugin {
                    fn plugin_init() -> Result<PluginMetadata, PluginError> {
                        Ok(PluginMetadata {
                            id: "com.example.{{plugin}}".to_string(),
                            name: "{{plugin}}".to_string(),
                            version: "0.1.0".to_string(),
                            author: None,
                            abi_version: Some(1),
                        })
                    }

                    fn plugin_capabilities() -> Result<PluginCapabilities, PluginError> {
                        Ok(PluginCapabilities { abi_version: Some(1), can_publish_text: true, ..Default::default() })
                    }

                    /// publish: answer a post id, or fail with a typed error.
                    fn publish(request: PublishRequest) -> Result<PublishResult, PluginError> {
                        if request.text.is_empty() {
                            return Err(PluginError::new("invalid_request", "the text is empty"));
                        }
                        Ok(PublishResult { post_id: "post-1".to_string(), url: None })
                    }
                }

                {{prefix}}::export_plugin!(Plugin);

                #[cfg(test)]
                mod tests {
                    use super::*;

                    #[test]
                    fn publish_refuses_empty_text_with_a_typed_error() {
                        let request = PublishRequest { text: String::new(), ..Default::default() };
                        assert_eq!(Plugin::publish(request).unwrap_err().code, "invalid_request");
                    }
                }

                """;
        }

        if (kind == "samuel")
        {
            return $$"""
                //! {{plugin}}: a Samuel linter on the generated bindings (src/{{prefix}}.rs).

                mod {{prefix}};

                use {{prefix}}::*;

                pub struct Plugin;

                impl {{trait}} for Plugin {
                    fn lint(request: SamuelLintRequest) -> Result<SamuelLintReport, PluginError> {
                        if !request.root.starts_with('/') {
                            return Err(PluginError::new("bad_input", "root must be an absolute path"));
                        }
                        Ok(SamuelLintReport::default())
                    }

                    fn health(request: Json) -> Result<Json, PluginError> {
                        let _ = request;
                        Json::from_text("{\"ok\":true}")
                    }
                }

                {{prefix}}::export_plugin!(Plugin);

                #[cfg(test)]
                mod tests {
                    use super::*;

                    #[test]
                    fn a_relative_root_is_a_typed_error() {
                        let request = SamuelLintRequest { root: "here".to_string(), ..Default::default() };
                        assert_eq!(Plugin::lint(request).unwrap_err().code, "bad_input");
                    }
                }

                """;
        }

        // Any other contract: every required method, failing until implemented.
        var stub = new StringBuilder($"//! {plugin}: implement each method of `{prefix}::{trait}` (src/{prefix}.rs).\n\nmod {prefix};\n\nuse {prefix}::*;\n\npub struct Plugin;\n\nimpl {trait} for Plugin {{\n");
        foreach (Match match in RequiredMethod().Matches(bindings))
        {
            string signature = Parameter().Replace(match.Groups[1].Value, "_$1: ");
            stub.Append("    ").Append(signature).Append(" {\n        Err(PluginError::new(\"not_implemented\", \"not implemented yet\"))\n    }\n\n");
        }

        stub.Append(System.Globalization.CultureInfo.InvariantCulture, $"}}\n\n{prefix}::export_plugin!(Plugin);\n\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn the_bindings_name_their_contract() {{\n        assert!(!super::{prefix}::CONTRACT.is_empty());\n    }}\n}}\n");
        return stub.ToString();
    }

    /// <summary>The README of a Rust project.</summary>
    public static string Readme(string plugin, string kind, string prefix, string check) => $"""
        # {plugin}

        A WebAssembly plugin in Rust on bindings generated by `airlock bindings --lang rust` from its Airlock contract.

        | file | what |
        |---|---|
        | `src/lib.rs` | your code: a type implementing the contract's trait, one method per export (or request type) |
        | `src/{prefix}.rs` | generated: the allocator, the export shims (`export_plugin!`), serde payload types with strict readers and writers, typed host functions. Do not edit; regenerate with `airlock bindings --lang rust` |
        | `Cargo.toml`, `.cargo/config.toml` | the crate, built offline with Debian's rustc 1.63 and packaged serde crates |
        | `build.sh` | builds `{plugin}.wasm` with `/usr/bin/cargo` |
        | `test.sh` | builds, runs `{check}` and the crate's unit test |
        {(kind == "socialscale" ? "| `plugin.json` | the manifest |\n" : kind == "samuel" ? "| `samuel-plugin.toml` | the manifest |\n" : string.Empty)}
        Each method returns `Result<T, PluginError>`: `Err(PluginError::new("code", "message"))` reaches the host as a typed
        `PluginErrorException` under the contract's error envelope. Inputs are read strictly (UTF-8, JSON nesting up to 64,
        16 MiB, required members, no `null` where the contract has none); host functions return `Result<Option<T>, HostError>`.
        See docs/guest-bindings.md in the Airlock repository.

        """;

    [GeneratedRegex(@"pub trait (\w+) \{")]
    private static partial Regex TraitDeclaration();

    [GeneratedRegex(@"\n    (fn \w+\([^)]*\) -> Result<[^\n]*>);\n")]
    private static partial Regex RequiredMethod();

    [GeneratedRegex(@"(\w+): ")]
    private static partial Regex Parameter();
}
