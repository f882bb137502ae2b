using Airlock.Wasm;
using Airlock.Runtime;
using Wasmtime;

namespace Airlock.Driftless;

/// <summary>
/// Which imports a Driftless plugin module may have. The forbidden imports of the Driftless plugin guide are refused by
/// name (<c>env.syscall*</c>, <c>env.system*</c>, <c>env.fd_*</c>, <c>env.path_*</c>, <c>env.sock*</c>, <c>env.net*</c>,
/// and every WASI import when <see cref="DriftlessSecurity.AllowWasi"/> is off), as is wasm-bindgen's JavaScript glue;
/// wasm-bindgen's inert describe machinery is allowed. A pure function of the import names: nothing is instantiated.
/// </summary>
/// <remarks>
/// Names are compared exactly (ordinal, case-sensitive), as wasm compares them; a <c>*</c> in a rule is a prefix match
/// (<c>env.fd_*</c> refuses <c>env.fd_write</c>, not <c>env.fdx</c>). An import that no rule names
/// (<see cref="DriftlessImportKind.Unlisted"/>) is left to the contract check, which refuses every import the host does
/// not provide: these rules only make the refusal of the dangerous families say why.
/// </remarks>
public static class DriftlessImportRules
{
    /// <summary>The module of the Driftless host imports (<c>host_log</c>, <c>host_get_timestamp</c>) and of the forbidden <c>env.*</c> families.</summary>
    public const string EnvModule = "env";

    /// <summary>The WASI module the host can provide when <see cref="DriftlessSecurity.AllowWasi"/> is on.</summary>
    public const string WasiModule = "wasi_snapshot_preview1";

    /// <summary>The module wasm-bindgen's macros import their glue from (the wasm-bindgen command-line tool normally rewrites it).</summary>
    public const string WasmBindgenModule = "__wbindgen_placeholder__";

    /// <summary>The module of wasm-bindgen's externref-table glue (the command-line tool's externref pass normally removes it).</summary>
    public const string WasmBindgenExternrefModule = "__wbindgen_externref_xform__";

    /// <summary>The Driftless host imports, all in <see cref="EnvModule"/>.</summary>
    public static IReadOnlyList<string> HostImports { get; } = ["host_log", "host_get_timestamp"];


    // The forbidden env.* families of the Driftless plugin guide, in its words.
    private static readonly (string Prefix, string Reason)[] ForbiddenEnv =
    [
        ("syscall", "system calls are forbidden"),
        ("system", "system calls are forbidden"),
        ("fd_", "filesystem access is forbidden"),
        ("path_", "filesystem access is forbidden"),
        ("sock", "network access is forbidden"),
        ("net", "network access is forbidden"),
    ];

    /// <summary>Classifies every import and returns the refused ones, in the order given (each import once).</summary>
    /// <param name="imports">The module's imports as (module, name) pairs.</param>
    /// <param name="security">The <c>[security]</c> settings (<see cref="DriftlessSecurity.AllowWasi"/> decides about WASI).</param>
    /// <returns>The refusals; empty when no import is refused.</returns>
    public static IReadOnlyList<DriftlessImportVerdict> Check(IEnumerable<(string Module, string Name)> imports, DriftlessSecurity security)
    {
        ArgumentNullException.ThrowIfNull(imports);
        ArgumentNullException.ThrowIfNull(security);
        var seen = new HashSet<(string, string)>();
        var refused = new List<DriftlessImportVerdict>();
        foreach ((string module, string name) in imports)
        {
            if (seen.Add((module, name)) && Classify(module, name, security.AllowWasi) is { Kind: DriftlessImportKind.Refused } verdict)
            {
                refused.Add(verdict);
            }
        }

        return refused;
    }

    /// <summary>Classifies every import of a compiled module and returns the refused ones (see <see cref="Check(IEnumerable{ValueTuple{string, string}}, DriftlessSecurity)"/>).</summary>
    /// <param name="module">The compiled module.</param>
    /// <param name="security">The <c>[security]</c> settings.</param>
    /// <returns>The refusals; empty when no import is refused.</returns>
    public static IReadOnlyList<DriftlessImportVerdict> Check(Module module, DriftlessSecurity security)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Check(module.Imports.Select(i => (i.ModuleName, i.Name)), security);
    }

    /// <summary>Refuses a module with any refused import, listing every refusal with its rule.</summary>
    /// <param name="module">The compiled module.</param>
    /// <param name="security">The <c>[security]</c> settings.</param>
    /// <param name="pluginId">The plugin, for the error.</param>
    /// <param name="contract">The contract the module was loaded for, for the error.</param>
    /// <exception cref="PluginContractException">An import is refused; <see cref="PluginContractException.Problems"/> has one sentence per refusal.</exception>
    public static void Enforce(Module module, DriftlessSecurity security, string? pluginId, string contract)
    {
        IReadOnlyList<DriftlessImportVerdict> refused = Check(module, security);
        if (refused.Count > 0)
        {
            throw new PluginContractException(pluginId, contract, refused.Select(r => r.Message).ToArray());
        }
    }

    /// <summary>Classifies one import.</summary>
    /// <param name="module">The import's module name.</param>
    /// <param name="name">The import's name.</param>
    /// <param name="allowWasi">Whether WASI imports are allowed (<see cref="DriftlessSecurity.AllowWasi"/>).</param>
    /// <returns>What the import is and, when it is refused, the rule that refused it.</returns>
    public static DriftlessImportVerdict Classify(string module, string name, bool allowWasi)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(name);
        return module switch
        {
            EnvModule => ClassifyEnv(name),
            WasiModule or "wasi_unstable" when !allowWasi =>
                Refuse(module, name, module + ".*", "WASI is disabled (allow_wasi = false in plugins.toml), so a plugin has no filesystem, clock, random or environment access through WASI"),
            WasiModule => new DriftlessImportVerdict(module, name, DriftlessImportKind.Wasi, null, "WASI is enabled (allow_wasi = true in plugins.toml)"),
            WasmBindgenModule or WasmBindgenExternrefModule => ClassifyGlue(module, name),
            _ => new DriftlessImportVerdict(module, name, DriftlessImportKind.Unlisted, null, null),
        };
    }

    private static DriftlessImportVerdict ClassifyEnv(string name)
    {
        if (HostImports.Contains(name))
        {
            return new DriftlessImportVerdict(EnvModule, name, DriftlessImportKind.HostImport, null, "a Driftless host import");
        }

        foreach ((string prefix, string reason) in ForbiddenEnv)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return Refuse(EnvModule, name, $"{EnvModule}.{prefix}*", reason);
            }
        }

        return new DriftlessImportVerdict(EnvModule, name, DriftlessImportKind.Unlisted, null, null);
    }

    // wasm-bindgen's glue, by the one rule the contract check also applies (WasmBindgenGlue).
    private static DriftlessImportVerdict ClassifyGlue(string module, string name) => WasmBindgenGlue.ClassifyName(module, name) switch
    {
        WasmBindgenGlueKind.Inert => new DriftlessImportVerdict(module, name, DriftlessImportKind.InertGlue, null, "wasm-bindgen glue the host never runs on the string path (the describe machinery, the externref table); linked to an inert stub"),
        WasmBindgenGlueKind.Throw => new DriftlessImportVerdict(module, name, DriftlessImportKind.ThrowGlue, null, "wasm-bindgen's throw_str (unwrap_throw, expect_throw); linked to a function that ends the call with the message"),
        _ => Refuse(module, name, WasmBindgenGlue.Rule(module, name), WasmBindgenGlue.Reason(module, name, null)),
    };

    private static DriftlessImportVerdict Refuse(string module, string name, string rule, string reason) =>
        new(module, name, DriftlessImportKind.Refused, rule, reason);
}

/// <summary>What an import of a Driftless plugin module is.</summary>
public enum DriftlessImportKind
{
    /// <summary>No rule names it; the contract check decides (it refuses every import the host does not provide).</summary>
    Unlisted,

    /// <summary>A Driftless host import: <c>env.host_log</c> or <c>env.host_get_timestamp</c>.</summary>
    HostImport,

    /// <summary>A WASI import, allowed because <see cref="DriftlessSecurity.AllowWasi"/> is on.</summary>
    Wasi,

    /// <summary>
    /// wasm-bindgen glue the host never runs on the string path: the describe machinery
    /// (<c>__wbindgen_describe*</c>) and the externref-table glue. Allowed; the host links inert stubs.
    /// </summary>
    InertGlue,

    /// <summary>wasm-bindgen's <c>__wbindgen_throw(ptr, len)</c>. Allowed; the host links a function that traps with the message.</summary>
    ThrowGlue,

    /// <summary>Refused at load; <see cref="DriftlessImportVerdict.Rule"/> and <see cref="DriftlessImportVerdict.Reason"/> say why.</summary>
    Refused,
}

/// <summary>The classification of one import of a Driftless plugin module.</summary>
/// <param name="Module">The import's module name.</param>
/// <param name="Name">The import's name.</param>
/// <param name="Kind">What the import is.</param>
/// <param name="Rule">For a refused import, the rule that refused it (such as <c>env.fd_*</c>); otherwise <see langword="null"/>.</param>
/// <param name="Reason">Why the import is refused or allowed, in words; <see langword="null"/> for an unlisted import.</param>
public sealed record DriftlessImportVerdict(string Module, string Name, DriftlessImportKind Kind, string? Rule, string? Reason)
{
    /// <summary>The import as <c>module.name</c>.</summary>
    public string Import => Module + "." + Name;

    /// <summary>The verdict as a sentence, such as <c>the import env.fd_write is refused by the rule env.fd_*: filesystem access is forbidden.</c></summary>
    /// <remarks>The import's name comes from the module: it is sanitised and cut to 200 characters here.</remarks>
    public string Message => Kind switch
    {
        DriftlessImportKind.Refused => $"the import {Shown} is refused by the rule {Rule}: {PluginText.Sanitize(Reason!, 400)}.",
        DriftlessImportKind.Unlisted => $"the import {Shown} is named by no Driftless import rule.",
        _ => $"the import {Shown} is allowed: {Reason}.",
    };

    private string Shown => PluginText.Sanitize(Import, 200);

    /// <inheritdoc/>
    public override string ToString() => Message;
}
