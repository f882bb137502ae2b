using System.Text;
using System.Text.RegularExpressions;
using Airlock.GuestBindings;

namespace Airlock.Cli.Commands;

/// <summary>The AssemblyScript project <c>airlock new --lang assemblyscript</c> writes around the generated bindings.</summary>
internal static partial class NewAssemblyScript
{
    /// <summary>The AssemblyScript release the projects pin (any 0.28.x from 0.28.20).</summary>
    public const string AssemblyScriptVersion = "~0.28.20";

    /// <summary>The project's own files besides the bindings (which go to <c>assembly/bindings</c>) and the manifest.</summary>
    public static IEnumerable<GeneratedFile> Files(string kind, string prefix, string plugin, string module, string check, string exportsText)
    {
        yield return new GeneratedFile(Path.Combine("assembly", "index.ts"), $"""
            // The module's exports are the generated shims; they call the functions of plugin.ts.
            export * from "./bindings/{prefix}.exports";

            """);
        yield return new GeneratedFile(Path.Combine("assembly", "plugin.ts"), Stub(kind, prefix, plugin, exportsText));
        yield return new GeneratedFile(Path.Combine("assembly", "tsconfig.json"), """
            {
              "extends": "assemblyscript/std/assembly.json",
              "include": ["./**/*.ts"]
            }

            """);
        yield return new GeneratedFile("package.json", $$"""
            {
              "name": "{{plugin}}",
              "version": "0.1.0",
              "private": true,
              "scripts": {
                "build": "./build.sh"
              },
              "devDependencies": {
                "assemblyscript": "{{AssemblyScriptVersion}}"
              }
            }

            """);
        yield return new GeneratedFile("build.sh", $$"""
            #!/usr/bin/env bash
            # Builds {{module}} with AssemblyScript 0.28 (npm): no imports but the contract's host functions
            # (--use abort= leaves out env.abort; a failed assertion traps).
            set -euo pipefail
            cd "$(dirname "${BASH_SOURCE[0]}")"
            out="${1:-{{module}}}"
            if [ ! -x node_modules/.bin/asc ]; then
              npm install --no-audit --no-fund --silent
            fi
            node_modules/.bin/asc assembly/index.ts -O3 --use abort= --noColors -o "$out"
            echo "build.sh: wrote $out"

            """);
        yield return new GeneratedFile("README.md", Readme(plugin, kind, prefix, check));
    }

    private static string Stub(string kind, string prefix, string plugin, string exportsText)
    {
        if (kind == "socialscale")
        {
            return $$"""
                // {{plugin}}: a SocialScale connector on the generated bindings (bindings/{{prefix}}.ts).
                // Implement one function per request type you support (the list is at the top of
                // bindings/{{prefix}}.exports.ts); a request type without a function is answered "unsupported_request".
                import { Result, ok, fail, PluginMetadata, PluginCapabilities, PublishRequest, PublishResult } from "./bindings/{{prefix}}";

                export function pluginInit(): Result<PluginMetadata> {
                  const metadata = new PluginMetadata();
                  metadata.id = "com.example.{{plugin}}";
                  metadata.name = "{{plugin}}";
                  metadata.version = "0.1.0";
                  metadata.hasAbiVersion = true;
                  metadata.abiVersion = 1;
                  return ok(metadata);
                }

                export function pluginCapabilities(): Result<PluginCapabilities> {
                  const capabilities = new PluginCapabilities();
                  capabilities.hasAbiVersion = true;
                  capabilities.abiVersion = 1;
                  capabilities.canPublishText = true;
                  return ok(capabilities);
                }

                // publish: answer a post id, or fail with a typed error.
                export function publish(req: PublishRequest): Result<PublishResult> {
                  if (req.text.length == 0) return fail<PublishResult>("invalid_request", "the text is empty");
                  const result = new PublishResult();
                  result.postId = "post-1";
                  return ok(result);
                }

                """;
        }

        if (kind == "samuel")
        {
            return $$"""
                // {{plugin}}: a Samuel linter on the generated bindings (bindings/{{prefix}}.ts).
                import { Result, ok, RawJson, SamuelLintRequest, SamuelLintReport } from "./bindings/{{prefix}}";

                export function lint(request: SamuelLintRequest): Result<SamuelLintReport> {
                  const report = new SamuelLintReport();
                  report.files = 0;
                  return ok(report);
                }

                export function health(request: RawJson): Result<RawJson> {
                  return ok(new RawJson("{\"ok\":true}"));
                }

                """;
        }

        // Any other contract: a stub per function the bindings ask for, failing until implemented.
        var stub = new StringBuilder($"// {plugin}: implement each function listed at the top of bindings/{prefix}.exports.ts.\nimport {{ Result, fail }} from \"./bindings/{prefix}\";\nimport * as types from \"./bindings/{prefix}\";\n\n");
        foreach (Match match in Wanted().Matches(exportsText))
        {
            string signature = TypeNames().Replace(match.Groups[1].Value, m => m.Groups[1].Value + "types." + m.Groups[2].Value);
            string returns = signature[(signature.LastIndexOf("): ", StringComparison.Ordinal) + 3)..];
            stub.Append("export function ").Append(signature).Append(" {\n");
            stub.Append(returns.StartsWith("Result<", StringComparison.Ordinal)
                ? $"  return fail<{returns["Result<".Length..^1]}>(\"not_implemented\", \"not implemented yet\");\n"
                : "  unreachable();\n");
            stub.Append("}\n\n");
        }

        return stub.ToString();
    }

    [GeneratedRegex(@"^//   (?:optional: )?export function ([^\n]+)$", RegexOptions.Multiline)]
    private static partial Regex Wanted();

    // Contract classes in a signature (capitalised names other than the runtime's), qualified with the bindings' namespace.
    [GeneratedRegex(@"([:<(, ])(?!Result<|RawJson|Uint8Array|Map<)([A-Z][A-Za-z0-9]*)")]
    private static partial Regex TypeNames();

    private static string Readme(string plugin, string kind, string prefix, string check) => $"""
        # {plugin}

        A WebAssembly plugin in AssemblyScript on bindings generated by `airlock bindings` from its Airlock contract.

        | file | what |
        |---|---|
        | `assembly/plugin.ts` | your code: one plain function per contract export (per request type of a tagged union) |
        | `assembly/bindings/{prefix}.ts` | generated: the payload classes with their JSON readers and writers, `Result`/`ok`/`fail`, typed host functions. Do not edit; regenerate with `airlock bindings --lang assemblyscript` |
        | `assembly/bindings/{prefix}.exports.ts` | generated: the allocator and the export shims; its first lines list the functions `plugin.ts` implements |
        | `assembly/index.ts` | the module's entry: re-exports the shims |
        | `package.json` | pins AssemblyScript {AssemblyScriptVersion} |
        | `build.sh` | `npm install` when needed, then builds `{plugin}.wasm` with `asc -O3 --use abort=` (no `env.abort` import) |
        | `test.sh` | builds and runs `{check}` |
        {(kind == "socialscale" ? "| `plugin.json` | the manifest |\n" : kind == "samuel" ? "| `samuel-plugin.toml` | the manifest |\n" : string.Empty)}
        Each function returns `ok(value)` or `fail<T>("code", "message")` (`failRetryable` for a retryable error), which the
        host receives as a typed result or a typed `PluginErrorException`. Inputs are read strictly (UTF-8, JSON nesting up to
        64, exact integer ranges, required members) and a bad input never reaches your function; what it answers is checked
        before it is written. Host functions return a `HostResult<T>` (`status`, `value`). See docs/guest-bindings.md in the
        Airlock repository.

        """;
}
