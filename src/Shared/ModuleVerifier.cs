using System;
using System.Collections.Generic;
using System.Linq;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only, and
// no BCL API newer than netstandard2.0. The host runs these checks before a module runs; the
// generator runs the same checks at compile time on a module tied to a contract, so a module the
// build accepts is a module the host loads, and the messages are word for word the same.
namespace Airlock.Wasm;

/// <summary>One import or export of a module, as the checks see it.</summary>
/// <param name="Module">The import's module name; empty for exports.</param>
/// <param name="Name">The item's name.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Signature">A function's type; null for other kinds.</param>
/// <param name="Is64BitMemory">Whether a memory is 64-bit.</param>
internal sealed record ModuleItem(string Module, string Name, WasmExternalKind Kind, WasmFunctionSignature? Signature, bool Is64BitMemory);

/// <summary>The imports and exports of a module, read from its binary or from a compiled module.</summary>
internal sealed class ModuleShape
{
    public ModuleShape(IReadOnlyList<ModuleItem> exports, IReadOnlyList<ModuleItem> imports)
    {
        Exports = exports;
        Imports = imports;
    }

    public IReadOnlyList<ModuleItem> Exports { get; }

    public IReadOnlyList<ModuleItem> Imports { get; }

    /// <summary>
    /// The names of the module's custom sections, when they were read (generated guest bindings name their contract and
    /// its wire hash in one); empty when they were not.
    /// </summary>
    public IReadOnlyList<string> CustomSections { get; init; } = Array.Empty<string>();

    /// <summary>The shape of a module read by <see cref="WasmModuleReader"/>.</summary>
    public static ModuleShape Of(WasmModuleInfo info)
    {
        var exports = new List<ModuleItem>(info.Exports.Count);
        foreach (WasmExport export in info.Exports)
        {
            WasmFunctionSignature? signature = null;
            bool memory64 = false;
            if (export.Kind == WasmExternalKind.Function && info.TryGetFunctionSignature(export.Index, out WasmFunctionSignature function))
            {
                signature = function;
            }
            else if (export.Kind == WasmExternalKind.Memory)
            {
                memory64 = MemoryIs64(info, export.Index);
            }

            exports.Add(new ModuleItem(string.Empty, export.Name, export.Kind, signature, memory64));
        }

        var imports = new List<ModuleItem>(info.Imports.Count);
        foreach (WasmImport import in info.Imports)
        {
            imports.Add(new ModuleItem(import.Module, import.Name, import.Kind, import.Signature, import.Memory?.Is64 ?? false));
        }

        return new ModuleShape(exports, imports) { CustomSections = info.CustomSections };
    }

    private static bool MemoryIs64(WasmModuleInfo info, uint index)
    {
        uint position = 0;
        foreach (WasmImport import in info.Imports)
        {
            if (import.Kind == WasmExternalKind.Memory)
            {
                if (position++ == index)
                {
                    return import.Memory?.Is64 ?? false;
                }
            }
        }

        long local = (long)index - position;
        return local >= 0 && local < info.Memories.Count && info.Memories[(int)local].Is64;
    }
}

/// <summary>An export a contract calls.</summary>
/// <param name="Name">The export's name.</param>
/// <param name="Signature">The wasm type the contract's ABI gives it.</param>
/// <param name="IsRequired">Whether a module without it is refused (otherwise the contract skips or throws at the call).</param>
internal sealed record ExpectedExport(string Name, WasmFunctionSignature Signature, bool IsRequired);

/// <summary>A function of a host module.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Signature">Its wasm type.</param>
/// <param name="WritesResult">Whether a call may write a result at the module's fixed result offset.</param>
internal sealed record HostFunctionShape(string Name, WasmFunctionSignature Signature, bool WritesResult);

/// <summary>A module of host functions a plugin may import.</summary>
/// <param name="Name">The wasm module name.</param>
/// <param name="Functions">Its functions, or null when they are not known (nothing is checked against it).</param>
/// <param name="ResultOffset">Where a fixed-offset host module writes results, or null for other ABIs.</param>
internal sealed record HostModuleShape(string Name, IReadOnlyList<HostFunctionShape>? Functions, uint? ResultOffset)
{
    /// <summary>
    /// Whether importing <paramref name="function"/> makes the result offset matter, because a call
    /// may write there. Any function may when the module's functions are not known; one the module
    /// does not have does not count (its import is refused for that already).
    /// </summary>
    public bool WritesResult(string function) => Functions is null || Functions.Any(f => f.Name == function && f.WritesResult);

    /// <summary>What the module gives a plugin, for messages (WASI's surfaces say what their level provides).</summary>
    public string? Summary { get; init; }
}

/// <summary>What a contract needs of a module.</summary>
internal sealed class ModuleExpectations
{
    public ModuleExpectations(string contractName, bool fixedOffset, IReadOnlyList<ExpectedExport> exports, IReadOnlyList<string> declaredHostModules)
    {
        ContractName = contractName;
        FixedOffset = fixedOffset;
        Exports = exports;
        DeclaredHostModules = declaredHostModules;
    }

    /// <summary>The contract's name, as messages spell it.</summary>
    public string ContractName { get; }

    /// <summary>Whether the contract uses the fixed-offset ABI (otherwise packed ptr+len).</summary>
    public bool FixedOffset { get; }

    public IReadOnlyList<ExpectedExport> Exports { get; }

    /// <summary>The host modules the contract declares (its <c>Imports</c>).</summary>
    public IReadOnlyList<string> DeclaredHostModules { get; }

    /// <summary>The fixed-offset result-length export, checked when present.</summary>
    public string? ResultLengthExport { get; init; }

    /// <summary>The fixed-offset input offset.</summary>
    public uint InputOffset { get; init; }

    /// <summary>Whether the module may import WASI.</summary>
    public bool AllowsWasi { get; init; } = true;

    /// <summary>
    /// Whether the contract uses the wasm-bindgen ABI: the allocator is <c>__wbindgen_malloc</c> and
    /// <c>__wbindgen_free</c>, and wasm-bindgen's inert glue imports are linked by the host.
    /// </summary>
    public bool WasmBindgen { get; init; }

    /// <summary>
    /// Whether payloads cross through guest memory: the module must export <c>memory</c> (and, under the packed ABI,
    /// its allocator). False for a contract whose exports take and return only scalars and that imports no host
    /// functions: such a module needs neither.
    /// </summary>
    public bool UsesGuestMemory { get; init; } = true;

    /// <summary>
    /// Whether a command module (one that exports <c>_start</c> but not <c>_initialize</c>) is refused: its exports
    /// would run before its runtime was set up, because the host never runs <c>_start</c>.
    /// </summary>
    public bool RequiresReactor { get; init; }

    /// <summary>The allocator export of the packed ptr+len ABI (<c>alloc</c> unless the contract names another).</summary>
    public string AllocExport { get; init; } = PackedAbiExports.DefaultAlloc;

    /// <summary>The deallocator export of the packed ptr+len ABI (<c>dealloc</c> unless the contract names another).</summary>
    public string FreeExport { get; init; } = PackedAbiExports.DefaultFree;

    /// <summary>
    /// The contract's wire hash, which guest bindings generated from it stamp into a module: a module stamped with another
    /// is refused. Null when the contract has none (guest bindings cannot represent it): stamps are then not read.
    /// </summary>
    public string? BindingsHash { get; init; }
}

/// <summary>What kind of mismatch a problem is; each has its own diagnostic id at compile time.</summary>
internal enum ModuleProblemKind
{
    /// <summary>The module lacks what the ABI itself needs: memory, <c>alloc</c>, <c>dealloc</c>.</summary>
    AbiSupport,

    /// <summary>A required export the contract calls is absent.</summary>
    MissingExport,

    /// <summary>An export exists with a type the ABI cannot call.</summary>
    ExportSignature,

    /// <summary>An import no host module provides, or provides with another type.</summary>
    Import,

    /// <summary>An import the contract does not allow (WASI when <c>AllowWasi = false</c>).</summary>
    ForbiddenImport,

    /// <summary>A fixed-offset window lies inside memory the guest owns.</summary>
    MemoryWindow,

    /// <summary>The module was built on guest bindings generated from another version of its contract (another wire hash).</summary>
    StaleBindings,
}

/// <summary>One way a module does not fit its contract.</summary>
/// <param name="Kind">What kind of mismatch.</param>
/// <param name="Subject">The export, import (<c>module.name</c>) or offset concerned.</param>
/// <param name="Message">A sentence saying what is wrong and how to fix it.</param>
internal sealed record ModuleProblem(ModuleProblemKind Kind, string Subject, string Message)
{
    public override string ToString() => Message;
}

/// <summary>
/// The diagnostics of a module checked against a contract: the same ids and sentences whether the build
/// (the generator's AIR1xx diagnostics), the host or the <c>airlock check</c> command reports them.
/// </summary>
internal static class ModuleDiagnostics
{
    /// <summary>The module cannot be read: <c>Module '{0}' tied to contract '{1}' cannot be checked: {2}</c>.</summary>
    public const string UnreadableId = "AIR101";

    /// <summary>The sentence of <see cref="UnreadableId"/>: module file, contract, reason.</summary>
    public const string UnreadableFormat = "Module '{0}' tied to contract '{1}' cannot be checked: {2}";

    /// <summary>The sentence of every mismatch (AIR102 to AIR107): module file, contract, the problem's message.</summary>
    public const string MismatchFormat = "Module '{0}' does not fit contract '{1}': {2}";

    /// <summary>A required export the contract calls is absent.</summary>
    public const string MissingExportId = "AIR102";

    /// <summary>An export has a type the ABI cannot call.</summary>
    public const string ExportSignatureId = "AIR103";

    /// <summary>The module lacks what the ABI needs.</summary>
    public const string AbiSupportId = "AIR104";

    /// <summary>An import no host module provides.</summary>
    public const string ImportId = "AIR105";

    /// <summary>An import the contract forbids.</summary>
    public const string ForbiddenImportId = "AIR106";

    /// <summary>A fixed-offset window overlaps the guest's memory.</summary>
    public const string MemoryWindowId = "AIR107";

    /// <summary>The module was built on guest bindings of another version of its contract.</summary>
    public const string StaleBindingsId = "AIR110";

    /// <summary>The diagnostic id of a kind of mismatch.</summary>
    public static string Id(ModuleProblemKind kind) => kind switch
    {
        ModuleProblemKind.MissingExport => MissingExportId,
        ModuleProblemKind.ExportSignature => ExportSignatureId,
        ModuleProblemKind.AbiSupport => AbiSupportId,
        ModuleProblemKind.Import => ImportId,
        ModuleProblemKind.ForbiddenImport => ForbiddenImportId,
        ModuleProblemKind.StaleBindings => StaleBindingsId,
        _ => MemoryWindowId,
    };

    /// <summary>The full sentence of <paramref name="problem"/> for module file <paramref name="file"/> and <paramref name="contract"/>.</summary>
    public static string Sentence(ModuleProblem problem, string file, string contract)
        => string.Format(System.Globalization.CultureInfo.InvariantCulture, MismatchFormat, file, contract, problem.Message);
}

/// <summary>Checks a module against a contract before anything runs.</summary>
internal static class ModuleVerifier
{
    public const string WasiModule = AirlockWasiSurface.Module;

    /// <summary>The prefix of the custom section generated guest bindings put in a module: <c>airlock.bindings:Namespace.IContract:wirehash</c>.</summary>
    public const string BindingsSectionPrefix = "airlock.bindings:";

    private static readonly WasmFunctionSignature AllocType = new([WasmType.I32], [WasmType.I32]);

    // dealloc(ptr, len), or free(ptr) as libc and TinyGo export it.
    private static readonly WasmFunctionSignature[] FreeTypes = [new([WasmType.I32, WasmType.I32], []), new([WasmType.I32], [])];
    private static readonly WasmFunctionSignature ResultLengthType = new([WasmType.I32], [WasmType.I32]);
    private static readonly WasmFunctionSignature InitializeType = new([], []);

    /// <summary>Every way <paramref name="module"/> does not fit <paramref name="contract"/>.</summary>
    /// <param name="module">The module's imports and exports.</param>
    /// <param name="contract">What the contract needs.</param>
    /// <param name="provided">The host modules that will be linked.</param>
    /// <param name="guestRegions">The memory the guest owns (fixed-offset windows must avoid it).</param>
    /// <param name="noImportsReason">Why no host functions are provided at all, when that is the case.</param>
    public static IReadOnlyList<ModuleProblem> Verify(ModuleShape module, ModuleExpectations contract, IReadOnlyList<HostModuleShape> provided, IReadOnlyList<WasmMemoryRegion> guestRegions, string? noImportsReason = null)
    {
        var problems = new List<ModuleProblem>();
        var exports = new Dictionary<string, ModuleItem>(StringComparer.Ordinal);
        foreach (ModuleItem export in module.Exports)
        {
            exports[export.Name] = export;
        }

        string abi = contract.FixedOffset ? "the fixed-offset ABI" : contract.WasmBindgen ? "the wasm-bindgen ABI" : "the packed ptr+len ABI";
        // A contract whose exports pass only scalars and that imports nothing needs neither memory nor an allocator.
        if (contract.UsesGuestMemory)
        {
            CheckAbiSupport(exports, contract, abi, problems);
        }

        foreach (ExpectedExport export in contract.Exports)
        {
            if (export.IsRequired || exports.ContainsKey(export.Name))
            {
                CheckFunction(exports, export.Name, export.Signature, "the contract " + contract.ContractName, ModuleProblemKind.MissingExport, ModuleProblemKind.ExportSignature, problems);
            }
        }

        if (contract.FixedOffset)
        {
            if (contract.ResultLengthExport is { } resultLength && exports.ContainsKey(resultLength))
            {
                CheckFunction(exports, resultLength, ResultLengthType, abi, ModuleProblemKind.ExportSignature, ModuleProblemKind.ExportSignature, problems);
            }

            CheckWindow(guestRegions, contract.InputOffset, "input offset", problems);
        }

        if (exports.TryGetValue("_initialize", out ModuleItem? initialize) && !InitializeType.Equals(initialize.Signature))
        {
            problems.Add(new(ModuleProblemKind.ExportSignature, "_initialize", "the module exports '_initialize' but not as a function of type () -> (); Airlock calls it once after instantiation."));
        }
        else if (contract.RequiresReactor && initialize is null && exports.ContainsKey("_start"))
        {
            problems.Add(new(ModuleProblemKind.AbiSupport, "_start", "the module is a WASI command (it exports '_start' and no '_initialize'), and Airlock never runs '_start', so its exports would run before its runtime is set up; build it as a reactor (TinyGo: -buildmode=c-shared; C: -mexec-model=reactor; Rust: crate-type = [\"cdylib\"])."));
        }

        foreach (ModuleItem import in module.Imports)
        {
            CheckImport(import, contract, provided, noImportsReason, problems);
        }

        if (contract.BindingsHash is { } current)
        {
            CheckBindings(module.CustomSections, contract.ContractName, current, problems);
        }

        // Only an import that receives a result can be handed one over guest memory: a module that
        // imports only functions without results (log_info) never has anything written at the offset.
        foreach (HostModuleShape host in provided)
        {
            if (host.ResultOffset is { } offset && module.Imports.Any(i => i.Module == host.Name && host.WritesResult(i.Name)))
            {
                CheckWindow(guestRegions, offset, $"result offset of host module '{host.Name}'", problems);
            }
        }

        return problems;
    }

    // A module built on generated bindings names, in a custom section, the contract and the wire hash its bindings were
    // generated from. Exports and imports may all still fit by name and type while a renamed member or a new union case
    // would be misread, so a hash other than the contract's is refused. Only the hash counts: bindings of another contract
    // with the same wire read and write exactly what this one does. A section that is not a stamp is not ours to judge.
    private static void CheckBindings(IReadOnlyList<string> sections, string contractName, string current, List<ModuleProblem> problems)
    {
        foreach (string section in sections)
        {
            if (!section.StartsWith(BindingsSectionPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string stamp = section.Substring(BindingsSectionPrefix.Length);
            int colon = stamp.LastIndexOf(':');
            if (colon <= 0 || string.Equals(stamp.Substring(colon + 1), current, StringComparison.Ordinal))
            {
                continue;
            }

            string built = Shorten(stamp.Substring(0, colon));
            string hash = Shorten(stamp.Substring(colon + 1));
            problems.Add(new(ModuleProblemKind.StaleBindings, Shorten(section), string.Equals(built, contractName, StringComparison.Ordinal)
                ? $"its bindings were generated from contract '{built}' with wire hash {hash}, but the contract's wire hash is now {current} (a member, export, union case or import changed); regenerate the bindings with airlock bindings and rebuild."
                : $"its bindings were generated from contract '{built}' with wire hash {hash}, not from '{contractName}' (wire hash {current}), whose JSON differs; generate them from '{contractName}' (airlock bindings --contract {contractName} ...) and rebuild."));
        }
    }

    // A name from the module, cut short for messages.
    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";

    /// <summary>Whether the module imports WASI (and so needs it linked).</summary>
    public static bool ImportsWasi(ModuleShape module) => module.Imports.Any(i => i.Module == WasiModule);

    private static void CheckImport(ModuleItem import, ModuleExpectations contract, IReadOnlyList<HostModuleShape> provided, string? noImportsReason, List<ModuleProblem> problems)
    {
        string subject = import.Module + "." + import.Name;
        if (contract.WasmBindgen && WasmBindgenGlue.IsGlueModule(import.Module))
        {
            // wasm-bindgen's glue: the host links stubs for what is inert, and nothing stands in for JavaScript.
            if (WasmBindgenGlue.Classify(import.Module, import.Name, import.Signature) == WasmBindgenGlueKind.JavaScript)
            {
                problems.Add(new(ModuleProblemKind.ForbiddenImport, subject, WasmBindgenGlue.Refusal(import.Module, import.Name, import.Signature)));
            }

            return;
        }

        if (import.Module == WasiModule)
        {
            CheckWasiImport(import, subject, contract, provided, noImportsReason, problems);
            return;
        }

        if (import.Kind != WasmExternalKind.Function || import.Signature is not { } actual)
        {
            problems.Add(new(ModuleProblemKind.Import, subject, $"the module imports {Describe(import.Kind)} '{subject}'; Airlock provides only functions to plugins."));
            return;
        }

        HostModuleShape? host = provided.FirstOrDefault(p => p.Name == import.Module);
        if (host is null && noImportsReason is not null)
        {
            problems.Add(new(ModuleProblemKind.Import, subject, $"the module imports '{subject}' {actual}, but {noImportsReason}, so it gets no host functions."));
            return;
        }

        if (host is null)
        {
            problems.Add(new(ModuleProblemKind.Import, subject, contract.DeclaredHostModules.Contains(import.Module)
                ? $"the module imports '{subject}' {actual}, but the host functions of module '{import.Module}' were not provided; pass them with PluginLoadOptions.AddImports."
                : $"the module imports '{subject}' {actual}, and no host module '{import.Module}' is provided."));
            return;
        }

        if (host.Functions is not { } functions)
        {
            return;
        }

        CheckFunctionImport(import.Name, subject, actual, functions, "the host", $"the module imports '{subject}' {actual}, which module '{import.Module}' does not have (it has {string.Join(", ", functions.Select(f => f.Name))}).", problems);
    }

    // An import of a module whose functions are known: it must be one of them, with the same type.
    private static void CheckFunctionImport(string name, string subject, WasmFunctionSignature actual, IReadOnlyList<HostFunctionShape> functions, string provider, string missing, List<ModuleProblem> problems)
    {
        HostFunctionShape? function = functions.FirstOrDefault(f => f.Name == name);
        if (function is null)
        {
            problems.Add(new(ModuleProblemKind.Import, subject, missing));
        }
        else if (!function.Signature.Equals(actual))
        {
            problems.Add(new(ModuleProblemKind.Import, subject, $"the module imports '{subject}' as {actual}, but {provider} provides it as {function.Signature}."));
        }
    }

    // WASI is checked against the surface the host links: Airlock's own functions (AirlockWasiSurface),
    // those and the file functions at the capability level (CapabilityWasiSurface), none when the
    // contract, the plugin's load options or a missing manifest rule it out. Sockets are never provided.
    private static void CheckWasiImport(ModuleItem import, string subject, ModuleExpectations contract, IReadOnlyList<HostModuleShape> provided, string? noImportsReason, List<ModuleProblem> problems)
    {
        if (!contract.AllowsWasi)
        {
            problems.Add(new(ModuleProblemKind.ForbiddenImport, subject, $"the module imports WASI ('{subject}'), which the contract {contract.ContractName} does not allow (AllowWasi = false); build the plugin for a target without WASI (wasm32-unknown-unknown, or C without wasi-libc)."));
            return;
        }

        string type = import.Signature is { } signature ? " " + signature : string.Empty;
        if (noImportsReason is not null)
        {
            problems.Add(new(ModuleProblemKind.Import, subject, $"the module imports '{subject}'{type}, but {noImportsReason}, so it gets no host functions and no WASI."));
            return;
        }

        HostModuleShape? wasi = provided.FirstOrDefault(p => p.Name == WasiModule);
        if (wasi is null)
        {
            problems.Add(new(ModuleProblemKind.ForbiddenImport, subject, $"the module imports WASI ('{subject}'), but WASI is off for this plugin (PluginLoadOptions.Wasi is WasiPolicy.None); build the plugin for a target without WASI (wasm32-unknown-unknown, or C without wasi-libc), or load it with Airlock's WASI."));
            return;
        }

        if (wasi.Functions is not { } functions)
        {
            return;
        }

        if (import.Kind != WasmExternalKind.Function || import.Signature is not { } actual)
        {
            problems.Add(new(ModuleProblemKind.Import, subject, $"the module imports {Describe(import.Kind)} '{subject}'; Airlock's WASI provides only functions."));
            return;
        }

        if (import.Name.StartsWith(AirlockWasiSurface.SocketPrefix, StringComparison.Ordinal) && !functions.Any(f => f.Name == import.Name))
        {
            problems.Add(new(ModuleProblemKind.Import, subject, $"the module imports the WASI socket function '{subject}', but no level of Airlock's WASI gives a plugin sockets: a plugin reaches the network only through the host functions its profile provides, when it is granted that."));
            return;
        }

        CheckFunctionImport(import.Name, subject, actual, functions, "Airlock's WASI", $"the module imports the WASI function '{subject}', which Airlock does not provide. Airlock's WASI is {wasi.Summary ?? AirlockWasiSurface.Summary}: it has {string.Join(", ", functions.Select(f => f.Name))}.", problems);
    }

    // What the ABI itself needs of the module: a 32-bit exported memory and the ABI's allocator.
    private static void CheckAbiSupport(Dictionary<string, ModuleItem> exports, ModuleExpectations contract, string abi, List<ModuleProblem> problems)
    {
        if (!exports.TryGetValue("memory", out ModuleItem? memory) || memory.Kind != WasmExternalKind.Memory)
        {
            problems.Add(new(ModuleProblemKind.AbiSupport, "memory", $"the module has no 'memory' export; {abi} exchanges data through the exported memory."));
        }
        else if (memory.Is64BitMemory)
        {
            problems.Add(new(ModuleProblemKind.AbiSupport, "memory", $"the module's 'memory' is a 64-bit memory; {abi} needs a 32-bit memory."));
        }

        if (contract.WasmBindgen)
        {
            CheckOneOf(exports, WasmBindgenGlue.Malloc, WasmBindgenGlue.MallocTypes, abi, problems);
            CheckOneOf(exports, WasmBindgenGlue.Free, WasmBindgenGlue.FreeTypes, abi, problems);
        }
        else if (!contract.FixedOffset)
        {
            CheckFunction(exports, contract.AllocExport, AllocType, abi, ModuleProblemKind.AbiSupport, ModuleProblemKind.AbiSupport, problems);
            CheckOneOf(exports, contract.FreeExport, FreeTypes, abi, problems);
        }
    }

    private static void CheckWindow(IReadOnlyList<WasmMemoryRegion> regions, uint offset, string what, List<ModuleProblem> problems)
    {
        if (WasmMemoryMap.RegionAt(regions, offset) is { } owner)
        {
            problems.Add(new(ModuleProblemKind.MemoryWindow, what, $"the {what} 0x{offset:x} ({offset}) lies inside the guest's {owner}, so writing there would corrupt the plugin; "
                + "link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md)."));
        }
    }

    // An ABI function that comes in more than one shape (wasm-bindgen's allocator, with and without an alignment).
    private static void CheckOneOf(Dictionary<string, ModuleItem> exports, string name, WasmFunctionSignature[] accepted, string requiredBy, List<ModuleProblem> problems)
    {
        string shapes = string.Join(" or ", accepted.Select(a => a.ToString()));
        if (!exports.TryGetValue(name, out ModuleItem? export))
        {
            problems.Add(new(ModuleProblemKind.AbiSupport, name, $"the module has no export '{name}' of type {shapes}, which {requiredBy} needs."));
        }
        else if (export.Kind != WasmExternalKind.Function || export.Signature is not { } actual || !accepted.Any(a => a.Equals(actual)))
        {
            string what = export.Signature is { } signature ? "has type " + signature : "is " + Describe(export.Kind);
            problems.Add(new(ModuleProblemKind.AbiSupport, name, $"the module's export '{name}' {what}; {requiredBy} needs {shapes}."));
        }
    }

    private static void CheckFunction(Dictionary<string, ModuleItem> exports, string name, WasmFunctionSignature expected, string requiredBy, ModuleProblemKind missing, ModuleProblemKind mismatch, List<ModuleProblem> problems)
    {
        if (!exports.TryGetValue(name, out ModuleItem? export))
        {
            problems.Add(new(missing, name, $"the module has no export '{name}' of type {expected}, which {requiredBy} needs."));
            return;
        }

        if (export.Kind != WasmExternalKind.Function || export.Signature is not { } actual)
        {
            problems.Add(new(mismatch, name, $"the module's export '{name}' is {Describe(export.Kind)}, not a function of type {expected}."));
            return;
        }

        if (!actual.Equals(expected))
        {
            problems.Add(new(mismatch, name, $"the module's export '{name}' has type {actual}; {requiredBy} needs {expected}."));
        }
    }

    private static string Describe(WasmExternalKind kind) => kind switch
    {
        WasmExternalKind.Memory => "a memory",
        WasmExternalKind.Table => "a table",
        WasmExternalKind.Global => "a global",
        WasmExternalKind.Tag => "a tag",
        _ => "a function",
    };
}
