using System.Text;
using System.Text.RegularExpressions;
using Airlock.GuestBindings;

namespace Airlock.Cli.Commands;

/// <summary>The AssemblyScript project <c>airlock new --lang assemblyscript</c> writes around the generated bindings.</summary>
internal static partial class NewAssemblyScript
{
    /// <summary>The AssemblyScript release the projects pin (any 0.28.x from 0.28.20).</summary>
    public const string AssemblyScriptVersion = "~0.28.20";

    // The transform the bindings come with, and where a fixed-offset module's own memory starts.
    private const string AssemblyScriptBindingsTransform = "airlock-transform.mjs";
    private const int FixedOffsetMemoryBase = 1114112;

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
        // The bindings' transform stamps the module with its contract and wire hash (for airlock check) and leaves out the
        // optional exports plugin.ts does not implement; a fixed-offset module keeps [0, memoryBase) free for the host.
        bool fixedOffset = exportsText.Contains("(AssemblyScript 0.28, fixed-offset ABI)", StringComparison.Ordinal);
        string layout = fixedOffset
            ? $"\n# --memoryBase {FixedOffsetMemoryBase}: [0, {FixedOffsetMemoryBase}) stays free for the host (results at 4096, inputs at 65536)."
            : string.Empty;
        string flags = fixedOffset ? $" --memoryBase {FixedOffsetMemoryBase}" : string.Empty;
        yield return new GeneratedFile("build.sh", $$"""
            #!/usr/bin/env bash
            # Builds {{module}} with AssemblyScript 0.28 (npm): no imports but the contract's host functions
            # (--use abort= leaves out env.abort; a failed assertion traps). The bindings' transform stamps the module with its
            # contract and wire hash (airlock check compares them) and leaves out the optional exports not implemented.{{layout}}
            set -euo pipefail
            cd "$(dirname "${BASH_SOURCE[0]}")"
            out="${1:-{{module}}}"
            if [ ! -x node_modules/.bin/asc ]; then
              npm install --no-audit --no-fund --silent
            fi
            node_modules/.bin/asc assembly/index.ts -O3 --use abort= --noColors{{flags}} \
              --transform ./assembly/bindings/{{AssemblyScriptBindingsTransform}} -o "$out"
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

        if (kind == "lesstruct")
        {
            return $$"""
                // {{plugin}}: a Lesstruct hook plugin on the generated bindings (bindings/{{prefix}}.ts).
                // Every hook is optional: implement the functions you want (the list is at the top of
                // bindings/{{prefix}}.exports.ts); the module exports only those. Answer ok(result) to replace the item's custom
                // fields, none() for "no change", or fail(code, message) to refuse (the host raises PluginErrorException).
                import { Result, fail, none, ContentItem, ContentHookResult, logInfo } from "./bindings/{{prefix}}";

                export function hookBeforeSave(item: ContentItem): Result<ContentHookResult> {
                  if (item.title.length == 0) return fail<ContentHookResult>("invalid_item", "the title is empty");
                  logInfo("{{plugin}}: before_save");
                  return none<ContentHookResult>();
                }

                """;
        }

        if (kind == "driftless")
        {
            return $$"""
                // {{plugin}}: a Driftless plugin on the generated bindings (bindings/{{prefix}}.ts), over wasm-bindgen's
                // convention. Every registry and execution is optional: implement the functions you want (the list is at the
                // top of bindings/{{prefix}}.exports.ts); the module exports only those. An execution answers ok(result), or
                // fail(code, message) for {"status":"error",...}.
                import { Result, ok, fail, RawJson, DriftlessDefinition, DriftlessTaskResult, hostLog } from "./bindings/{{prefix}}";

                export function getTaskDefinitions(): Result<DriftlessDefinition[]> {
                  const hello = new DriftlessDefinition();
                  hello.name = "hello";
                  hello.type = "apply";
                  hello.description = "Says hello.";
                  hello.configSchema = new RawJson("{\"type\":\"object\",\"properties\":{},\"additionalProperties\":false}");
                  return ok<DriftlessDefinition[]>([hello]);
                }

                export function executeTask(name: string, config: RawJson): Result<DriftlessTaskResult> {
                  if (name != "hello") return fail<DriftlessTaskResult>("unknown_task", "no such task");
                  hostLog("info", "{{plugin}}: hello");
                  const result = new DriftlessTaskResult();
                  result.hasChanged = true;
                  result.changed = false;
                  result.message = "hello";
                  return ok(result);
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
        | `assembly/bindings/airlock-transform.mjs` | generated: the asc transform (build.sh passes it) that stamps the module with its contract and wire hash, checked by `airlock check`, and leaves out the optional exports `plugin.ts` does not implement |
        | `assembly/index.ts` | the module's entry: re-exports the shims |
        | `package.json` | pins AssemblyScript {AssemblyScriptVersion} |
        | `build.sh` | `npm install` when needed, then builds `{plugin}.wasm` with `asc -O3 --use abort=` (no `env.abort` import) and the transform{(kind == "lesstruct" ? $" (and `--memoryBase {FixedOffsetMemoryBase}`: the host owns memory below it)" : string.Empty)}; build with it, or the module carries no stamp |
        | `test.sh` | builds and runs `{check}` |
        {kind switch { "socialscale" => "| `plugin.json` | the manifest |\n", "samuel" => "| `samuel-plugin.toml` | the manifest |\n", "lesstruct" => $"| `{plugin}.manifest` | the manifest |\n", _ => string.Empty }}
        Each function returns `ok(value)` or `fail<T>("code", "message")` (`failRetryable` for a retryable error), which the
        host receives as a typed result or a typed `PluginErrorException`. Inputs are read strictly (UTF-8, JSON nesting up to
        64, exact integer ranges, required members) and a bad input never reaches your function; what it answers is checked
        before it is written. Host functions return a `HostResult<T>` (`status`, `value`). See docs/guest-bindings.md in the
        Airlock repository.

        """;
}
