using Airlock.Abi;
using Airlock.Contracts.Driftless;
using Airlock.Contracts.Lesstruct;
using Airlock.Contracts.Samuel;
using Airlock.Contracts.SocialScale;
using Airlock.Driftless;
using Airlock.Runtime;
using Airlock.Wasm;

namespace Airlock.Cli.Plugins;

/// <summary>The four plugin systems Airlock hosts, as the command names them.</summary>
internal enum Profile
{
    SocialScale,
    Lesstruct,
    Driftless,
    Samuel,
}

/// <summary>One problem of a module against a contract: its AIR1xx id and the sentence the build and the host use.</summary>
/// <param name="Id">The diagnostic id (AIR102 to AIR107, or the profile's own rule).</param>
/// <param name="Subject">The export, import or offset concerned.</param>
/// <param name="Message">The problem, as the host's load refusal words it.</param>
/// <param name="Sentence">The full diagnostic sentence.</param>
internal sealed record ContractProblem(string Id, string Subject, string Message, string Sentence);

/// <summary>Whether a module fits one profile, and if not, why.</summary>
/// <param name="Profile">The profile.</param>
/// <param name="Contract">The contract the profile's loader binds the module to.</param>
/// <param name="Problems">Why it does not fit; empty when it does.</param>
internal sealed record ProfileFit(Profile Profile, string Contract, IReadOnlyList<ContractProblem> Problems)
{
    public bool Fits => Problems.Count == 0;
}

/// <summary>
/// The checks each profile's loader runs on a module before it compiles it, with the host modules and WASI that
/// loader links: the same <see cref="ContractVerifier"/> and <c>ModuleVerifier</c> the host and the
/// generator use, plus the Driftless import rules. Nothing here is a parser or a rule of its own.
/// </summary>
internal static class Profiles
{
    /// <summary>The type every JSON export of a dynamic (Samuel) contract has.</summary>
    private static readonly WasmFunctionSignature JsonExportType = new([WasmType.I32, WasmType.I32], [WasmType.I64]);

    public static IReadOnlyList<Profile> All { get; } = [Profile.SocialScale, Profile.Lesstruct, Profile.Driftless, Profile.Samuel];

    /// <summary>The profile <paramref name="name"/> names (case-insensitive), or null.</summary>
    public static Profile? Parse(string name)
    {
        foreach (Profile profile in All)
        {
            if (string.Equals(profile.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                return profile;
            }
        }

        return null;
    }

    /// <summary>The profile's name as the lock file and <c>--profile</c> spell it.</summary>
    public static string Key(Profile profile) => profile.ToString().ToLowerInvariant();

    /// <summary>How <paramref name="module"/> fits every profile.</summary>
    public static IReadOnlyList<ProfileFit> FitAll(ModuleFile module) => [.. All.Select(p => Fit(p, module))];

    /// <summary>How <paramref name="module"/> fits <paramref name="profile"/>; for Samuel, <paramref name="samuelExports"/> are the manifest's exports when known.</summary>
    public static ProfileFit Fit(Profile profile, ModuleFile module, IReadOnlyList<string>? samuelExports = null)
    {
        switch (profile)
        {
            case Profile.SocialScale:
                return FitContract(profile, module, ContractOf<ISocialScalePlugin>(), WasiFor(ContractOf<ISocialScalePlugin>(), AirlockWasiSurface.Shape));
            case Profile.Lesstruct:
                return FitContract(profile, module, ContractOf<ILesstructPlugin>(), WasiFor(ContractOf<ILesstructPlugin>(), AirlockWasiSurface.Shape));
            case Profile.Driftless:
                return FitDriftless(module);
            default:
                return FitSamuel(module, samuelExports);
        }
    }

    /// <summary>How <paramref name="module"/> fits <paramref name="contract"/> with the contract's own host modules and the WASI the host links by default.</summary>
    public static IReadOnlyList<ContractProblem> Check(ModuleFile module, WasmContract contract)
    {
        bool samuel = contract.HostModules.Any(h => h.Name == SamuelVerbs.HostModule);
        return Problems(module, contract, WasiFor(contract, samuel ? CapabilityWasiSurface.Shape : AirlockWasiSurface.Shape));
    }

    /// <summary>The contract the Driftless loader binds <paramref name="module"/> to: wasm-bindgen when it exports <c>__wbindgen_malloc</c>.</summary>
    public static WasmContract DriftlessContract(ModuleFile module)
        => module.Info.Exports.Any(e => e.Name == WasmBindgenGlue.Malloc) ? ContractOf<IDriftlessPlugin>() : ContractOf<IDriftlessPackedPlugin>();

    /// <summary>The dynamic contract the Samuel loader builds from a manifest's exports.</summary>
    public static DynamicContract SamuelContract(string name, IReadOnlyList<string> exports)
        => new("samuel:" + name, exports)
        {
            AllocExport = "malloc",
            FreeExport = "free",
            HostModules = [WasmHostModule.Of<ISamuelHost>()],
            RequiresReactor = true,
        };

    /// <summary>The generated contract metadata of <typeparamref name="TPlugin"/>.</summary>
    public static WasmContract ContractOf<TPlugin>()
        where TPlugin : class, IWasmPlugin<TPlugin> => TPlugin.Contract;

    private static HostModuleShape? WasiFor(WasmContract contract, HostModuleShape wasi) => contract.AllowsWasi ? wasi : null;

    private static ProfileFit FitContract(Profile profile, ModuleFile module, WasmContract contract, HostModuleShape? wasi)
        => new(profile, contract.Name, Problems(module, contract, wasi));

    private static IReadOnlyList<ContractProblem> Problems(ModuleFile module, WasmContract contract, HostModuleShape? wasi)
    {
        var hosts = new List<HostModuleShape>(contract.HostModules.Select(ContractVerifier.Shape));
        if (wasi is not null)
        {
            hosts.Add(wasi);
        }

        IReadOnlyList<ModuleProblem> problems = ContractVerifier.Problems(ModuleShape.Of(module.Info), contract, hosts, WasmMemoryMap.GuestRegions(module.Info));
        return [.. problems.Select(p => new ContractProblem(ModuleDiagnostics.Id(p.Kind), p.Subject, p.Message, ModuleDiagnostics.Sentence(p, module.FileName, contract.Name)))];
    }

    // The Driftless loader refuses imports by its rules before binding, then binds by the module's convention, with
    // WASI only when plugins.toml allows it (the seed's default does not).
    private static ProfileFit FitDriftless(ModuleFile module)
    {
        WasmContract contract = DriftlessContract(module);
        DriftlessSecurity security = DriftlessSecurity.Default;
        var problems = new List<ContractProblem>();
        foreach (DriftlessImportVerdict refused in DriftlessImportRules.Check(module.Info.Imports.Select(i => (i.Module, i.Name)), security))
        {
            problems.Add(new ContractProblem("Driftless", refused.Import, refused.Message, refused.Message));
        }

        if (problems.Count == 0)
        {
            problems.AddRange(Problems(module, contract, security.AllowWasi ? AirlockWasiSurface.Shape : null));
        }

        return new ProfileFit(Profile.Driftless, contract.Name, problems);
    }

    // Samuel's contract comes from its manifest's exports; without a manifest, every export of the JSON type that is
    // not the ABI's own or a reserved verb is taken as one.
    private static ProfileFit FitSamuel(ModuleFile module, IReadOnlyList<string>? exports)
    {
        exports ??= [.. module.Info.Exports
            .Where(e => e.Kind == WasmExternalKind.Function && e.Name is not ("malloc" or "free" or "_initialize" or "_start") && SamuelVerbs.Collision(e.Name) is null)
            .Where(e => module.Info.TryGetFunctionSignature(e.Index, out WasmFunctionSignature type) && type.Equals(JsonExportType))
            .Select(e => e.Name)];
        if (exports.Count == 0)
        {
            const string Message = "the module exports no function of type (i32, i32) -> i64 that a samuel-plugin.toml could declare, so Samuel has nothing to call.";
            return new ProfileFit(Profile.Samuel, "samuel", [new ContractProblem(ModuleDiagnostics.MissingExportId, "exports", Message, string.Format(System.Globalization.CultureInfo.InvariantCulture, ModuleDiagnostics.MismatchFormat, module.FileName, "samuel", Message))]);
        }

        WasmContract contract = SamuelContract(Path.GetFileNameWithoutExtension(module.FileName), exports).ToWasmContract();
        return new ProfileFit(Profile.Samuel, contract.Name, Problems(module, contract, CapabilityWasiSurface.Shape));
    }
}
