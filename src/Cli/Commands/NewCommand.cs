using System.CommandLine;
using System.Text.RegularExpressions;
using Airlock.GuestBindings;
using Spectre.Console;

namespace Airlock.Cli.Commands;

/// <summary><c>airlock new</c>: a complete plugin project on generated bindings, which builds and passes <c>airlock check</c> as it is.</summary>
internal static partial class NewCommand
{
    public static Command Create(CliContext context)
    {
        var target = new Argument<string>("profile-or-contract") { Description = "A profile (socialscale, lesstruct, driftless, samuel) or a contract interface's full name (then --assembly)." };
        var assembly = new Option<string?>("--assembly") { Description = "The built assembly (.dll) that declares the contract, when a contract is named." };
        var lang = new Option<string>("--lang") { Description = "The guest language: c, rust or assemblyscript.", DefaultValueFactory = _ => "c" };
        var name = new Option<string>("--name") { Description = "The plugin's name: lower-case letters, digits and dashes; also the project folder.", Required = true };
        var output = new Option<string?>("--out") { Description = "The folder to create; by default ./<name>." };
        var command = new Command(
            "new",
            "Create a plugin project: generated bindings, a stub implementation that builds and passes `airlock check`, a build script, the manifest, a README and a test script.\n\n"
            + "Examples:\n  airlock new socialscale --lang c --name my-connector && cd my-connector && ./build.sh && ./test.sh\n  airlock new samuel --lang assemblyscript --name my-linter && cd my-linter && ./test.sh\n\n"
            + "Exit codes: 0 created, 2 it could not be (the folder exists and is not empty, the contract cannot be bound).")
        {
            target,
            assembly,
            lang,
            name,
            output,
        };
        command.SetAction((parsed, _) =>
        {
            string plugin = parsed.GetValue(name)!;
            string folder = parsed.GetValue(output) ?? plugin;
            IReadOnlyList<GeneratedFile> files = Scaffold(parsed.GetValue(target)!, parsed.GetValue(assembly), parsed.GetValue(lang)!, plugin);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            {
                throw new CliException(ExitCodes.CouldNot, $"The folder '{folder}' exists and is not empty; choose another --name or --out.");
            }

            foreach (IGrouping<string, GeneratedFile> group in files.GroupBy(f => Path.GetDirectoryName(f.Name) ?? string.Empty))
            {
                BindingsCommand.Write(Path.Combine(folder, group.Key), [.. group.Select(f => f with { Name = Path.GetFileName(f.Name) })]);
            }

            if (!OperatingSystem.IsWindows())
            {
                foreach (string script in files.Select(f => f.Name).Where(n => n.EndsWith(".sh", StringComparison.Ordinal)))
                {
                    File.SetUnixFileMode(Path.Combine(folder, script), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                }
            }

            context.Console.Out.MarkupLine($"created {Markup.Escape(folder)}: {files.Count} files. Next: cd {Markup.Escape(folder)} && ./build.sh && ./test.sh");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    /// <summary>The files of a new project, with paths relative to its folder.</summary>
    public static IReadOnlyList<GeneratedFile> Scaffold(string target, string? assembly, string language, string plugin)
    {
        if (!PluginName().IsMatch(plugin))
        {
            throw new CliException(ExitCodes.CouldNot, $"The name '{plugin}' must be lower-case letters, digits and dashes, starting with a letter.");
        }

        string kind = target.ToLowerInvariant() switch
        {
            "socialscale" => "socialscale",
            "samuel" => "samuel",
            "lesstruct" => "lesstruct",
            "driftless" => "driftless",
            _ => "contract",
        };
        GuestBindingsOutput generated = kind == "contract"
            ? BindingsCommand.Generate(target, assembly ?? throw new CliException(ExitCodes.CouldNot, $"'{target}' is not a profile; name a contract with its assembly: airlock new MyApp.IMyPlugin --assembly bin/MyApp.dll --name my-plugin."), null, language, null)
            : BindingsCommand.Generate(null, null, kind, language, null);
        IReadOnlyList<GeneratedFile> bindings = generated.Files;
        string prefix = Path.GetFileNameWithoutExtension(bindings[0].Name);
        string module = plugin + ".wasm";
        string guest = language.ToLowerInvariant() switch
        {
            "assemblyscript" or "as" => "assemblyscript",
            "rust" or "rs" => "rust",
            _ => "c",
        };
        bool assemblyScript = guest == "assemblyscript";
        bool rust = guest == "rust";
        string languageName = guest switch { "assemblyscript" => "AssemblyScript", "rust" => "Rust", _ => "C" };
        string bindingsFolder = guest switch { "assemblyscript" => Path.Combine("assembly", "bindings"), "rust" => "src", _ => "bindings" };
        var files = new List<GeneratedFile>(bindings.Select(b => b with { Name = Path.Combine(bindingsFolder, b.Name) }));
        string sources = string.Join("\n", bindings.Select(b => b.Text));
        if (rust)
        {
            files.AddRange(NewRust.Files(kind, prefix, plugin, module, sources));
        }
        else if (!assemblyScript)
        {
            files.Add(new GeneratedFile("plugin.c", Stub(kind, prefix, plugin, sources)));
            files.Add(new GeneratedFile("build.sh", BuildScript(prefix, module, generated.Abi)));
        }

        string check = kind switch
        {
            "socialscale" => "airlock check \"$module\" --profile socialscale --manifest plugin.json",
            "samuel" => "airlock check \"$module\" --profile samuel --manifest samuel-plugin.toml",
            "lesstruct" => $"airlock check \"$module\" --profile lesstruct --manifest {plugin}.manifest",
            "driftless" => "airlock check \"$module\" --profile driftless",
            _ => $"airlock check \"$module\" --contract {target} --assembly \"{Path.GetFullPath(assembly!)}\"",
        };
        files.Add(new GeneratedFile("test.sh", TestScript(module, rust ? check + "\n" + NewRust.UnitTests : check)));
        if (kind == "socialscale")
        {
            files.Add(new GeneratedFile("plugin.json", $$"""
                {
                  "id": "com.example.{{plugin}}",
                  "name": "{{plugin}}",
                  "version": "0.1.0",
                  "description": "A SocialScale connector built on Airlock's generated {{languageName}} bindings.",
                  "author": "You <you@example.com>",
                  "capabilities": ["platform_connector"],
                  "wasm_path": "{{module}}",
                  "host_status_codes": true,
                  "permissions": {},
                  "limits": {"memory_mb": 32, "timeout_ms": 10000}
                }

                """));
        }
        else if (kind == "samuel")
        {
            files.Add(new GeneratedFile("samuel-plugin.toml", $"""
                name = "{plugin}"
                version = "0.1.0"
                kind = "wasm"
                summary = "A Samuel linter built on Airlock's generated {languageName} bindings."

                [samuel]
                framework = "^2.2.0"
                protocol = "^1.0.0"

                [wasm]
                module = "{module}"
                exports = ["lint", "health"]

                """));
        }
        else if (kind == "lesstruct")
        {
            files.Add(new GeneratedFile(plugin + ".manifest", $"""
                name = "{plugin}"
                version = "0.1.0"

                [capabilities]
                http = []
                database = []

                """));
        }

        if (assemblyScript)
        {
            files.AddRange(NewAssemblyScript.Files(kind, prefix, plugin, module, check, bindings[1].Text));
        }
        else
        {
            files.Add(new GeneratedFile("README.md", rust ? NewRust.Readme(plugin, kind, prefix, check) : Readme(plugin, kind, prefix, check)));
        }
        return files;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex PluginName();

    private static string BuildScript(string prefix, string module, GuestAbi abi) => $$"""
        #!/usr/bin/env bash
        # Builds {{module}}: {{BuildKind(abi)}}
        # Needs clang 14+, lld and wasi-libc: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32
        set -euo pipefail
        cd "$(dirname "${BASH_SOURCE[0]}")"
        out="${1:-{{module}}}"
        clang --target=wasm32-wasi -O2 {{BuildFlags(abi)}} -std=c11 -Wall -Wextra -Werror \
          -Ibindings -ffile-prefix-map="$PWD"=. -fno-ident -Wl,--strip-all \
          -o "$out" plugin.c bindings/{{prefix}}.c
        echo "build.sh: wrote $out"

        """;

    private static string BuildKind(GuestAbi abi) => abi switch
    {
        GuestAbi.FixedOffset => "no start files and no WASI imports; --global-base keeps [0, 1114112) free for the host (results at 4096, inputs at 65536).",
        GuestAbi.WasmBindgen => "no start files and no WASI imports (wasm-bindgen's convention, spoken by the bindings in C).",
        _ => "a wasm32-wasi reactor with no WASI imports (the bindings use no stdio).",
    };

    private static string BuildFlags(GuestAbi abi) => abi switch
    {
        GuestAbi.FixedOffset => "-nostartfiles -Wl,--no-entry -Wl,--global-base=1114112 -Wl,--export=__heap_base -Wl,--export=__data_end",
        GuestAbi.WasmBindgen => "-nostartfiles -Wl,--no-entry",
        _ => "-mexec-model=reactor",
    };

    private static string TestScript(string module, string check) => $$"""
        #!/usr/bin/env bash
        # Builds the module and checks it against its contract with the same rules the host applies at load.
        set -euo pipefail
        cd "$(dirname "${BASH_SOURCE[0]}")"
        module="{{module}}"
        ./build.sh "$module"
        {{check}}

        """;

    private static string Stub(string kind, string prefix, string plugin, string bindings)
    {
        if (kind == "socialscale")
        {
            return $$"""
                /*
                 * {{plugin}}: a SocialScale connector on the generated bindings (bindings/{{prefix}}.h).
                 * Implement one function per request type you support; a request type without a function is answered
                 * with an "unsupported_request" error. Strings in requests are NUL-terminated and live until the call
                 * returns; allocate what you answer with airlock_alloc / airlock_str_copy (freed after the call).
                 */
                #include "{{prefix}}.h"

                bool {{prefix}}_plugin_init(airlock_ctx *ctx, {{prefix}}_plugin_metadata_t *out) {
                    (void)ctx;
                    out->id = airlock_str_of("com.example.{{plugin}}");
                    out->name = airlock_str_of("{{plugin}}");
                    out->version = airlock_str_of("0.1.0");
                    out->has_abi_version = true;
                    out->abi_version = 1;
                    return true;
                }

                bool {{prefix}}_plugin_capabilities(airlock_ctx *ctx, {{prefix}}_plugin_capabilities_t *out) {
                    (void)ctx;
                    out->has_abi_version = true;
                    out->abi_version = 1;
                    out->can_publish_text = true;
                    return true;
                }

                /* publish: answer a post id, or fail with a typed error. */
                bool {{prefix}}_publish(airlock_ctx *ctx, const {{prefix}}_publish_request_t *req, {{prefix}}_publish_result_t *out) {
                    if (req->text.len == 0) return airlock_fail(ctx, "invalid_request", "the text is empty");
                    out->post_id = airlock_str_of("post-1");
                    return true;
                }

                """;
        }

        if (kind == "samuel")
        {
            return $$"""
                /*
                 * {{plugin}}: a Samuel linter on the generated bindings (bindings/{{prefix}}.h).
                 */
                #include "{{prefix}}.h"

                bool {{prefix}}_lint(airlock_ctx *ctx, const {{prefix}}_lint_request_t *request, {{prefix}}_lint_report_t *out) {
                    (void)ctx;
                    (void)request;
                    out->files = 0;
                    return true;
                }

                bool {{prefix}}_health(airlock_ctx *ctx, airlock_json request, airlock_json *out) {
                    (void)ctx;
                    (void)request;
                    out->ptr = "{\"ok\":true}";
                    out->len = 11;
                    return true;
                }

                """;
        }

        if (kind == "lesstruct")
        {
            return $$"""
                /*
                 * {{plugin}}: a Lesstruct hook plugin on the generated bindings (bindings/{{prefix}}.h).
                 * Every hook is optional: implement its function and write its {{prefix.ToUpperInvariant()}}_EXPORT_ line once.
                 * Answer custom fields to replace the item's, return airlock_none(ctx) for "no change", or
                 * return airlock_fail(ctx, code, message) to refuse (the host raises it as PluginErrorException).
                 */
                #include "{{prefix}}.h"

                bool {{prefix}}_hook_before_save(airlock_ctx *ctx, const {{prefix}}_content_item_t *item, {{prefix}}_content_hook_result_t *out) {
                    if (item->title.len == 0) return airlock_fail(ctx, "invalid_item", "the title is empty");
                    (void)out;
                    {{prefix}}_log_info(airlock_str_of("{{plugin}}: before_save"));
                    return airlock_none(ctx);
                }
                {{prefix.ToUpperInvariant()}}_EXPORT_HOOK_BEFORE_SAVE

                """;
        }

        if (kind == "driftless")
        {
            return $$"""
                /*
                 * {{plugin}}: a Driftless plugin on the generated bindings (bindings/{{prefix}}.h), over wasm-bindgen's
                 * convention. Every registry and execution is optional: implement its function and write its
                 * {{prefix.ToUpperInvariant()}}_EXPORT_ line once. An execution answers its result, or
                 * return airlock_fail(ctx, code, message) for {"status":"error",...}.
                 */
                #include "{{prefix}}.h"

                bool {{prefix}}_get_task_definitions(airlock_ctx *ctx, {{prefix}}_definition_list_t *out) {
                    out->items = ({{prefix}}_definition_t *)airlock_alloc(ctx, sizeof *out->items);
                    out->count = 1;
                    out->items[0].name = airlock_str_of("hello");
                    out->items[0].type = airlock_str_of("apply");
                    out->items[0].description = airlock_str_of("Says hello.");
                    out->items[0].config_schema.ptr = "{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}";
                    out->items[0].config_schema.len = 62;
                    return true;
                }
                {{prefix.ToUpperInvariant()}}_EXPORT_GET_TASK_DEFINITIONS

                bool {{prefix}}_execute_task(airlock_ctx *ctx, airlock_str name, airlock_json config, {{prefix}}_task_result_t *out) {
                    (void)config;
                    if (!airlock_str_eq(name, "hello")) return airlock_fail(ctx, "unknown_task", "no such task");
                    {{prefix}}_host_log(airlock_str_of("info"), airlock_str_of("{{plugin}}: hello"));
                    out->has_changed = true;
                    out->changed = false;
                    out->message = airlock_str_of("hello");
                    return true;
                }
                {{prefix.ToUpperInvariant()}}_EXPORT_EXECUTE_TASK

                """;
        }

        // Any other contract: a stub per function the header asks for, failing until implemented.
        var stub = new System.Text.StringBuilder($"/* {plugin}: implement each function of bindings/{prefix}.h. */\n#include \"{prefix}.h\"\n\n");
        foreach (Match match in Prototype().Matches(bindings))
        {
            string signature = match.Groups[1].Value;
            stub.Append(signature).Append(" {\n");
            stub.Append(signature.StartsWith("bool", StringComparison.Ordinal) && signature.Contains("airlock_ctx *ctx", StringComparison.Ordinal)
                ? "    return airlock_fail(ctx, \"not_implemented\", \"not implemented yet\");\n"
                : "    __builtin_trap();\n");
            stub.Append("}\n\n");
        }

        return stub.ToString();
    }

    [GeneratedRegex(@"/\* export [^\n]*\*/\n([^\n;]+);")]
    private static partial Regex Prototype();

    private static string Readme(string plugin, string kind, string prefix, string check) => $"""
        # {plugin}

        A WebAssembly plugin in C on bindings generated by `airlock bindings` from its Airlock contract.

        | file | what |
        |---|---|
        | `plugin.c` | your code: one plain function per contract export |
        | `bindings/{prefix}.h`, `bindings/{prefix}.c` | generated: the allocator, export shims, payload structs with their JSON readers and writers, typed host functions. Do not edit; regenerate with `airlock bindings` |
        | `build.sh` | builds `{plugin}.wasm` with clang (wasm32-wasi reactor, no WASI imports) |
        | `test.sh` | builds and runs `{check}` |
        {kind switch { "socialscale" => "| `plugin.json` | the manifest |\n", "samuel" => "| `samuel-plugin.toml` | the manifest |\n", "lesstruct" => $"| `{plugin}.manifest` | the manifest |\n", _ => string.Empty }}
        Each function gets an `airlock_ctx *ctx`: allocate with `airlock_alloc(ctx, n)` or `airlock_str_copy(ctx, p, n)` (freed
        after the call) and fail with `return airlock_fail(ctx, "code", "message");`, which the host receives as a typed
        `PluginErrorException`. Inputs are read strictly (UTF-8, JSON nesting up to 64, required members); what the plugin
        answers is checked before it is written. See docs/guest-bindings.md in the Airlock repository.

        """;
}
