using System.Text.Json;
using System.Text.Json.Serialization;

namespace Airlock.Contracts.Samuel;

/// <summary>
/// A Samuel lint plugin: exports <c>lint</c> and <c>health</c> by the Samuel convention (<c>docs/abi/samuel.md</c>: the
/// packed ptr+len ABI with TinyGo's and libc's <c>malloc</c> and <c>free</c>), JSON in and out, a top-level <c>"error"</c>
/// raised as <see cref="PluginErrorException"/>. Its host functions are <see cref="ISamuelHost"/>'s. Load one with
/// <c>SamuelPlugins.LoadAsync&lt;ISamuelLinter&gt;</c>; a plugin of another kind is called by name through <c>SamuelPlugin</c>.
/// </summary>
[WasmPlugin(Abi = WasmAbi.PackedPtrLen, AllocExport = "malloc", FreeExport = "free", JsonContext = typeof(SamuelJsonContext), Imports = [typeof(ISamuelHost)])]
public partial interface ISamuelLinter
{
    /// <summary>Lints the files under <see cref="SamuelLintRequest.Root"/>.</summary>
    /// <param name="request">What to lint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("lint", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<SamuelLintReport> LintAsync(SamuelLintRequest request, CancellationToken cancellationToken = default);

    /// <summary>The plugin's own report on its health.</summary>
    /// <param name="request">Anything the plugin accepts; an empty object when it needs nothing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("health", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<JsonElement> HealthAsync(JsonElement request, CancellationToken cancellationToken = default);
}

/// <summary>The input of a lint plugin's <c>lint</c> export.</summary>
/// <param name="Root">The guest path to lint (under a mounted directory, such as <c>/workspace</c>).</param>
public sealed record SamuelLintRequest(string Root)
{
    /// <summary>A URL the plugin fetches extra rules from through <c>samuel.net_outbound</c>, if any.</summary>
    public string? RulesUrl { get; init; }

    /// <summary>A pause per file, in milliseconds (for demonstrations of the soft deadline).</summary>
    public int? DelayMsPerFile { get; init; }

    /// <summary>Whether the plugin should rewrite the files it can fix.</summary>
    public bool? Fix { get; init; }
}

/// <summary>What a lint plugin found.</summary>
/// <param name="Findings">The findings, in file and line order.</param>
/// <param name="Files">How many files were linted.</param>
public sealed record SamuelLintReport(IReadOnlyList<SamuelFinding> Findings, int Files)
{
    /// <summary>The longest line the plugin allowed.</summary>
    public int? MaxLine { get; init; }

    /// <summary>Whether the plugin stopped early because its soft deadline passed.</summary>
    public bool Truncated { get; init; }

    /// <summary>The file the plugin stopped at, when <see cref="Truncated"/>.</summary>
    public string? StoppedAt { get; init; }

    /// <summary>What happened to the request for extra rules, when it failed.</summary>
    public JsonElement? Network { get; init; }

    /// <summary>The files the plugin could not rewrite, and why.</summary>
    public IReadOnlyList<SamuelWriteError>? WriteErrors { get; init; }

    /// <summary>Members of the report this type does not name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One finding of a lint plugin.</summary>
/// <param name="File">The guest path of the file.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Column">The 1-based column.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="Message">What is wrong.</param>
public sealed record SamuelFinding(string File, int Line, int Column, string Rule, string Message);

/// <summary>A file a lint plugin could not rewrite.</summary>
/// <param name="File">The guest path.</param>
/// <param name="Error">The error the plugin saw.</param>
/// <param name="Kind">Its kind, as the plugin names it.</param>
public sealed record SamuelWriteError(string File, string Error, string? Kind = null);
