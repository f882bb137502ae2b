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
        bool fixedOffset = bindings.Contains("(Rust, fixed-offset ABI)", StringComparison.Ordinal);
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
            {(fixedOffset ? FixedOffsetLinker : string.Empty)}
            [net]
            offline = true

            """);
        if (fixedOffset)
        {
            yield return new GeneratedFile(Path.Combine(".cargo", "wasm-ld-fixed-offset.sh"), """
                #!/bin/sh
                # The linker for the fixed-offset ABI: rust-lld without the `--stack-first` rustc always passes for wasm, and with
                # `--global-base=1114112`, so static data and the stack start above [0, 1114112), which the host owns (host-function
                # results at 4096, hook inputs at 65536). Without it Rust's 1 MiB stack would lie at [0, 1 MiB) and `airlock check`
                # would refuse the module (the input offset inside the guest's stack).
                for arg in "$@"; do
                    shift
                    [ "$arg" = "--stack-first" ] || set -- "$@" "$arg"
                done
                exec /usr/bin/rust-lld "$@" --global-base=1114112

                """);
        }
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
            # Builds {{module}} ({{target}}{{(libcAllocator ? ", a WASI reactor exporting wasi-libc's malloc and free" : ", no imports but the contract's host functions")}}{{(fixedOffset ? "; linked by .cargo/wasm-ld-fixed-offset.sh to leave [0, 1114112) to the host" : string.Empty)}}) offline against
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

    // Links through the wrapper that keeps [0, 1114112) free for the host (see the wrapper's comment).
    private const string FixedOffsetLinker = """

        [target.wasm32-unknown-unknown]
        linker = ".cargo/wasm-ld-fixed-offset.sh"
        rustflags = ["-C", "linker-flavor=wasm-ld"]

        """;

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

        if (kind == "lesstruct")
        {
            return $$"""
                //! {{plugin}}: a Lesstruct hook plugin on the generated bindings (src/{{prefix}}.rs).
                //! Every hook is optional: implement its method and name it in `export_plugin!` below. Answer
                //! `Ok(Some(ContentHookResult { custom_fields: Some(...) }))` to replace the item's custom fields, `Ok(None)` for
                //! "no change", or `Err(PluginError::new(code, message))` to refuse (the host raises it as PluginErrorException).

                mod {{prefix}};

                use {{prefix}}::*;

                pub struct Plugin;

                impl {{trait}} for Plugin {
                    fn hook_before_save(item: ContentItem) -> Result<Option<ContentHookResult>, PluginError> {
                        if item.title.is_empty() {
                            return Err(PluginError::new("invalid_item", "the title is empty"));
                        }
                        host::log_info("{{plugin}}: before_save");
                        Ok(None)
                    }
                }

                {{prefix}}::export_plugin!(Plugin; hook_before_save);

                #[cfg(test)]
                mod tests {
                    use super::*;

                    #[test]
                    fn an_empty_title_is_refused_with_a_typed_error() {
                        let item = ContentItem { title: String::new(), ..Default::default() };
                        assert_eq!(Plugin::hook_before_save(item).unwrap_err().code, "invalid_item");
                    }
                }

                """;
        }

        if (kind == "driftless")
        {
            return $$"""
                //! {{plugin}}: a Driftless plugin on the generated bindings (src/{{prefix}}.rs), over wasm-bindgen's convention
                //! (no wasm-bindgen crate needed). Every registry and execution is optional: implement its method and name it in
                //! `export_plugin!` below. An execution answers its result, or `Err(PluginError::new(code, message))` for
                //! {"status":"error",...}.

                mod {{prefix}};

                use {{prefix}}::*;

                pub struct Plugin;

                impl {{trait}} for Plugin {
                    fn get_task_definitions() -> Result<Option<Vec<DriftlessDefinition>>, PluginError> {
                        Ok(Some(vec![DriftlessDefinition {
                            name: "hello".to_string(),
                            type_: Some("apply".to_string()),
                            description: Some("Says hello.".to_string()),
                            config_schema: Some(Json::from_text(r#"{"type":"object","properties":{},"additionalProperties":false}"#)?),
                            ..Default::default()
                        }]))
                    }

                    fn execute_task(name: &str, config: Json) -> Result<DriftlessTaskResult, PluginError> {
                        let _ = config;
                        if name != "hello" {
                            return Err(PluginError::new("unknown_task", "no such task"));
                        }
                        host::host_log("info", "{{plugin}}: hello");
                        Ok(DriftlessTaskResult { changed: Some(false), message: Some("hello".to_string()), ..Default::default() })
                    }
                }

                {{prefix}}::export_plugin!(Plugin; get_task_definitions, execute_task);

                #[cfg(test)]
                mod tests {
                    use super::*;

                    #[test]
                    fn an_unknown_task_is_a_typed_error() {
                        assert_eq!(Plugin::execute_task("nope", Json::null()).unwrap_err().code, "unknown_task");
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
        {(kind == "socialscale" ? "| `plugin.json` | the manifest |\n" : kind == "samuel" ? "| `samuel-plugin.toml` | the manifest |\n" : kind == "lesstruct" ? $"| `{plugin}.manifest` | the manifest |\n| `.cargo/wasm-ld-fixed-offset.sh` | the linker wrapper that leaves `[0, 1114112)` to the host (the fixed-offset ABI's windows) |\n" : string.Empty)}
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
