using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Airlock.Generators.Diagnostics;
using Airlock.Generators.Infrastructure;
using Airlock.Generators.Model;
using Airlock.Wasm;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Checking;

/// <summary>
/// Reads plugin modules from <c>AdditionalFiles</c> and checks them against their contracts with the
/// host's own <see cref="ModuleVerifier"/>, so the build refuses exactly what loading would refuse.
/// </summary>
internal static class ModuleChecks
{
    /// <summary>Larger modules are reported rather than read into the compiler's memory.</summary>
    public const long MaxModuleBytes = 256L * 1024 * 1024;

    /// <summary>Whether an additional file is a plugin module.</summary>
    public static bool IsModule(AdditionalText text) => text.Path.EndsWith(".wasm", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and summarises a module; a missing, unreadable, truncated or hostile file gives a summary with an error.</summary>
    public static ModuleSummary Read(AdditionalText text, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes;
        try
        {
            bytes = ReadBytes(text.Path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            return Failed(text.Path, "the file cannot be read (" + exception.Message + ")");
        }

        if (bytes.Length == 0)
        {
            return Failed(text.Path, "the file is empty");
        }

        WasmModuleInfo info;
        try
        {
            info = WasmModuleReader.Read(bytes);
        }
        catch (WasmFormatException exception)
        {
            return Failed(text.Path, "it is not a valid WebAssembly module: " + exception.Message);
        }

        ModuleShape shape = ModuleShape.Of(info);
        return new ModuleSummary(
            text.Path,
            null,
            shape.Exports.ToImmutableEquatableArray(),
            shape.Imports.ToImmutableEquatableArray(),
            WasmMemoryMap.GuestRegions(info).ToImmutableEquatableArray())
        {
            CustomSections = shape.CustomSections.ToImmutableEquatableArray(),
        };
    }

    /// <summary>Whether <paramref name="module"/> is the file a contract's <c>Module = "..."</c> names.</summary>
    public static bool Names(string modulePath, string module)
    {
        string wanted = modulePath.Replace('\\', '/').TrimStart('.', '/');
        string actual = module.Replace('\\', '/');
        return actual.Equals(wanted, StringComparison.OrdinalIgnoreCase)
            || actual.EndsWith("/" + wanted, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The contract's <c>Module</c> checked against the matching additional files, or AIR108 when none matches.</summary>
    public static ImmutableEquatableArray<DiagnosticInfo> CheckNamedModule(ContractCheckSpec contract, IReadOnlyList<ModuleSummary> modules)
    {
        if (contract.ModulePath is not { } path)
        {
            return ImmutableEquatableArray<DiagnosticInfo>.Empty;
        }

        ModuleSummary[] matches = [.. modules.Where(m => Names(path, m.Path))];
        if (matches.Length == 0)
        {
            return new[]
            {
                DiagnosticInfo.Create(Descriptors.ModuleTie, contract.Location, $"Contract '{contract.Name}' names module '{path}', which is not an AdditionalFiles item of the project; add <AdditionalFiles Include=\"{path}\" /> to the project file"),
            }.ToImmutableEquatableArray();
        }

        if (matches.Length > 1)
        {
            return new[]
            {
                DiagnosticInfo.Create(Descriptors.ModuleTie, contract.Location, $"Contract '{contract.Name}' names module '{path}', which matches {matches.Length} AdditionalFiles items ({string.Join(", ", matches.Select(m => m.Path))}); name it by a longer path"),
            }.ToImmutableEquatableArray();
        }

        return Check(contract, matches[0]).ToImmutableEquatableArray();
    }

    /// <summary>A module tied by <c>AirlockContract</c> metadata, checked against its resolved contract.</summary>
    public static ImmutableEquatableArray<DiagnosticInfo> CheckTiedModule(ResolvedTie tie, IReadOnlyList<ModuleSummary> modules)
    {
        if (tie.Check is not { } contract)
        {
            return new[]
            {
                DiagnosticInfo.Create(Descriptors.ModuleTie, LocationInfo.File(tie.Tie.Path), $"AdditionalFiles item '{Path.GetFileName(tie.Tie.Path)}' names contract '{tie.Tie.Contract}' in its AirlockContract metadata, but {tie.Error}"),
            }.ToImmutableEquatableArray();
        }

        // The tie and the summaries come from the same AdditionalFiles items, so a summary is always there.
        ModuleSummary module = modules.FirstOrDefault(m => m.Path == tie.Tie.Path) ?? Failed(tie.Tie.Path, "it was not read with the project's other modules");
        return Check(contract, module).ToImmutableEquatableArray();
    }

    /// <summary>
    /// Every way <paramref name="module"/> does not fit <paramref name="contract"/>, as diagnostics; and,
    /// whenever part of the check cannot run, a warning saying what was not checked and why.
    /// </summary>
    public static IEnumerable<DiagnosticInfo> Check(ContractCheckSpec contract, ModuleSummary module)
    {
        string file = Path.GetFileName(module.Path);
        LocationInfo moduleLocation = LocationInfo.File(module.Path);
        if (module.Error is { } error)
        {
            yield return DiagnosticInfo.Create(Descriptors.ModuleUnreadable, moduleLocation, file, contract.Name, error);
            yield break;
        }

        if (contract.Unbound is { } unbound)
        {
            yield return DiagnosticInfo.Create(Descriptors.ModuleUnchecked, moduleLocation, file, contract.Name, unbound + ", so nothing is checked");
            yield break;
        }

        foreach (CheckedHostModule host in contract.HostModules.Where(h => h.Unbound is not null))
        {
            yield return DiagnosticInfo.Create(Descriptors.ModuleUnchecked, moduleLocation, file, contract.Name, $"{host.Unbound}, so imports from host module '{host.Name}' are not checked");
        }

        var expectations = new ModuleExpectations(
            contract.Name,
            contract.FixedOffset,
            [.. contract.Exports.Select(e => new ExpectedExport(e.ExportName, e.Signature, e.IsRequired))],
            [.. contract.HostModules.Select(h => h.Name)])
        {
            ResultLengthExport = contract.FixedOffset ? contract.ResultLengthExport : null,
            InputOffset = contract.InputOffset,
            AllowsWasi = contract.AllowsWasi,
            WasmBindgen = contract.WasmBindgen,
            AllocExport = contract.AllocExport,
            FreeExport = contract.FreeExport,
            UsesGuestMemory = contract.UsesGuestMemory,
            BindingsHash = contract.BindingsHash,
        };
        // The host links Airlock's own WASI for a contract that allows it (unless a load turns it off); a Samuel
        // plugin's (one that imports the samuel host module) always loads with WASI capabilities, whose file
        // functions reach only the mounts its manifest grants.
        var provided = new List<HostModuleShape>(contract.HostModules.Select(h => new HostModuleShape(h.Name, h.Functions, h.ResultOffset)));
        if (contract.AllowsWasi)
        {
            provided.Add(contract.HostModules.Any(h => h.Name == SamuelVerbs.HostModule) ? CapabilityWasiSurface.Shape : AirlockWasiSurface.Shape);
        }

        foreach (ModuleProblem problem in ModuleVerifier.Verify(new ModuleShape(module.Exports, module.Imports) { CustomSections = module.CustomSections }, expectations, provided, module.GuestRegions))
        {
            LocationInfo location = problem.Kind is ModuleProblemKind.MissingExport or ModuleProblemKind.ExportSignature
                ? contract.Exports.FirstOrDefault(e => e.ExportName == problem.Subject)?.Location ?? moduleLocation
                : moduleLocation;
            yield return DiagnosticInfo.Create(Descriptor(problem.Kind), location, file, contract.Name, problem.Message);
        }
    }

    private static DiagnosticDescriptor Descriptor(ModuleProblemKind kind) => kind switch
    {
        ModuleProblemKind.MissingExport => Descriptors.ModuleMissingExport,
        ModuleProblemKind.ExportSignature => Descriptors.ModuleExportSignature,
        ModuleProblemKind.AbiSupport => Descriptors.ModuleAbiSupport,
        ModuleProblemKind.Import => Descriptors.ModuleUnprovidedImport,
        ModuleProblemKind.ForbiddenImport => Descriptors.ModuleForbiddenImport,
        ModuleProblemKind.StaleBindings => Descriptors.ModuleStaleBindings,
        _ => Descriptors.ModuleMemoryWindow,
    };

    private static ModuleSummary Failed(string path, string error)
        => new(path, error, ImmutableEquatableArray<ModuleItem>.Empty, ImmutableEquatableArray<ModuleItem>.Empty, ImmutableEquatableArray<WasmMemoryRegion>.Empty);

    // Roslyn hands additional files to generators only as text, and a .wasm is binary (reading it as
    // text fails with CS2015), so the module is read from the path the build gave. The read happens
    // once per file version: the pipeline caches the summary until the AdditionalText changes.
#pragma warning disable RS1035 // File IO: there is no binary API for additional files (dotnet/roslyn#47292).
    private static byte[] ReadBytes(string path)
    {
        var file = new FileInfo(path);
        if (file.Length > MaxModuleBytes)
        {
            throw new IOException($"it is {file.Length} bytes, more than the {MaxModuleBytes} bytes Airlock checks at build time");
        }

        return File.ReadAllBytes(path);
    }
#pragma warning restore RS1035
}
