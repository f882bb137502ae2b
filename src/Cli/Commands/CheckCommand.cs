using System.CommandLine;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using Airlock.Abi;
using Airlock.Cli.Plugins;
using Airlock.GuestBindings;
using Airlock.Wasm;
using Spectre.Console;
using Profile = Airlock.Cli.Plugins.Profile;

namespace Airlock.Cli.Commands;

/// <summary>
/// <c>airlock check</c>: a module against a contract (a generated contract in an assembly, one of Airlock's own, or a
/// profile) and optionally the plugin's manifest, with the AIR1xx sentences the build and the host use.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var module = new Argument<string>("module") { Description = "The .wasm file." };
        var contract = new Option<string?>("--contract") { Description = "The contract interface's full name, such as MyApp.IChirpPlugin or Airlock.Contracts.SocialScale.ISocialScalePlugin." };
        var assembly = new Option<string?>("--assembly") { Description = "The built assembly (.dll) that declares the contract; Airlock's own contracts need none." };
        var profile = new Option<string?>("--profile") { Description = "Check against a profile's contract instead: socialscale, lesstruct, driftless or samuel." };
        var manifest = new Option<string?>("--manifest") { Description = "The plugin's manifest: read by its profile's reader, and for Samuel the exports it declares are the contract." };
        var json = new Option<bool>("--json") { Description = "Write the result as JSON." };
        var command = new Command(
            "check",
            "Check a module against a contract and a manifest, with the exact AIR1xx sentences the build (the generator's diagnostics) and the host (its load refusal) use.\n\n"
            + "Examples:\n  airlock check bin/plugin.wasm --contract MyApp.IChirpPlugin --assembly bin/Debug/net10.0/MyApp.dll\n  airlock check chirp.wasm --contract Airlock.Contracts.SocialScale.ISocialScalePlugin\n  airlock check samuel-hello.wasm --profile samuel --manifest samuel-plugin.toml\n\n"
            + "Exit codes: 0 the module fits, 1 it does not (each problem is listed), 2 it could not be checked (unreadable module, unknown contract, bad arguments).")
        {
            module,
            contract,
            assembly,
            profile,
            manifest,
            json,
        };
        command.SetAction((parsed, _) => Task.FromResult(Run(context, parsed.GetValue(module)!, parsed.GetValue(contract), parsed.GetValue(assembly), parsed.GetValue(profile), parsed.GetValue(manifest), parsed.GetValue(json))));
        return command;
    }

    private static int Run(CliContext context, string modulePath, string? contractName, string? assemblyPath, string? profileName, string? manifestPath, bool json)
    {
        if ((contractName is null) == (profileName is null))
        {
            throw new CliException(ExitCodes.CouldNot, "Name what to check against: --contract <Namespace.IContract> (with --assembly <dll> for your own) or --profile <socialscale|lesstruct|driftless|samuel>, not both.");
        }

        if (assemblyPath is not null && contractName is null)
        {
            throw new CliException(ExitCodes.CouldNot, "--assembly needs --contract to name the contract interface in it.");
        }

        PluginPackage? package = manifestPath is null ? null : PluginPackage.Open(manifestPath);
        Profile? profile = null;
        if (profileName is not null)
        {
            profile = Profiles.Parse(profileName) ?? throw new CliException(ExitCodes.CouldNot, $"Unknown profile '{profileName}'; use socialscale, lesstruct, driftless or samuel.");
        }

        string label = contractName ?? (profile is { } p ? Profiles.Key(p) : "?");
        ModuleFile file;
        try
        {
            file = ModuleFile.Read(modulePath);
        }
        catch (ModuleUnreadableException exception)
        {
            string sentence = string.Format(System.Globalization.CultureInfo.InvariantCulture, ModuleDiagnostics.UnreadableFormat, Path.GetFileName(modulePath), label, exception.Reason);
            if (json)
            {
                Output.Json(context.Console, new JsonObject { ["module"] = Path.GetFullPath(modulePath), ["contract"] = label, ["fits"] = false, ["checked"] = false, ["problems"] = new JsonArray(new JsonObject { ["id"] = ModuleDiagnostics.UnreadableId, ["sentence"] = sentence }) });
            }
            else
            {
                context.Console.Error.MarkupLine($"[red]error {ModuleDiagnostics.UnreadableId}:[/] {Markup.Escape(sentence)}");
            }

            return ExitCodes.CouldNot;
        }

        (string name, IReadOnlyList<ContractProblem> problems) = profile is { } chosen
            ? CheckProfile(file, chosen, package)
            : CheckContract(file, contractName!, assemblyPath, package);
        if (json)
        {
            Output.Json(context.Console, new JsonObject
            {
                ["module"] = file.Path,
                ["sha256"] = file.Sha256,
                ["contract"] = name,
                ["manifest"] = package?.ManifestPath,
                ["fits"] = problems.Count == 0,
                ["checked"] = true,
                ["problems"] = InspectCommand.Problems(problems),
            });
        }
        else if (problems.Count == 0)
        {
            context.Console.Out.MarkupLine($"[green]ok:[/] Module '{Markup.Escape(file.FileName)}' fits contract '{Markup.Escape(name)}'{(package?.ManifestPath is { } m ? " with manifest " + Markup.Escape(Path.GetFileName(m)) : string.Empty)}.");
        }
        else
        {
            foreach (ContractProblem problem in problems)
            {
                context.Console.Out.MarkupLine($"[red]error {Markup.Escape(problem.Id)}:[/] {Markup.Escape(problem.Sentence)}");
            }

            context.Console.Out.WriteLine($"{problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}: module '{file.FileName}' does not fit contract '{name}'.");
        }

        return problems.Count == 0 ? ExitCodes.Ok : ExitCodes.No;
    }

    private static (string Name, IReadOnlyList<ContractProblem> Problems) CheckProfile(ModuleFile file, Profile profile, PluginPackage? package)
    {
        if (package is not null && package.Profile != profile)
        {
            throw new CliException(ExitCodes.CouldNot, $"The manifest '{package.ManifestPath}' is a {package.Profile} manifest, not {profile}.");
        }

        ProfileFit fit = Profiles.Fit(profile, file, package?.Samuel?.Exports);
        IReadOnlyList<ContractProblem> problems = fit.Problems;
        if (package?.SocialScale is { Wasi: false } && fit.Fits)
        {
            // The manifest turns WASI off: the host links none, so any WASI import is refused.
            problems = Profiles.Check(file, WithoutWasi(ISocialScaleContract()));
        }

        return (fit.Contract, problems);
    }

    private static WasmContract ISocialScaleContract() => Profiles.ContractOf<Contracts.SocialScale.ISocialScalePlugin>();

    private static WasmContract WithoutWasi(WasmContract contract) => contract with { AllowsWasi = false };

    private static (string Name, IReadOnlyList<ContractProblem> Problems) CheckContract(ModuleFile file, string contractName, string? assemblyPath, PluginPackage? package)
    {
        WasmContract contract;
        if (assemblyPath is null)
        {
            contract = FindContract(typeof(IWasmPlugin).Assembly, contractName, "Airlock.Contracts")
                ?? throw new CliException(ExitCodes.CouldNot, $"No contract '{contractName}' among Airlock's own ({string.Join(", ", ContractNames(typeof(IWasmPlugin).Assembly))}); for your own contract pass --assembly <your built dll>.");
        }
        else
        {
            contract = LoadContract(assemblyPath, contractName);
        }

        if (package?.Samuel is { } samuel)
        {
            foreach (WasmExportDescriptor export in contract.Exports.Where(e => e.IsRequired && !samuel.Exports.Contains(e.Name, StringComparer.Ordinal)))
            {
                throw new PluginManifestException(samuel.FilePath, "wasm.exports", $"the contract {contract.Name} calls export '{export.Name}', which the manifest does not declare (it declares {string.Join(", ", samuel.Exports)}).", pluginId: samuel.Name);
            }
        }

        if (package?.SocialScale is { Wasi: false })
        {
            contract = WithoutWasi(contract);
        }

        return (contract.Name, Profiles.Check(file, contract));
    }

    // A contract from the user's assembly: loaded into a collectible context that shares Airlock's own assemblies
    // with the command, so the generated contract metadata is a WasmContract it can read; unloaded afterwards.
    private static WasmContract LoadContract(string assemblyPath, string contractName)
    {
        string full = Path.GetFullPath(assemblyPath);
        if (!File.Exists(full))
        {
            throw new CliException(ExitCodes.CouldNot, $"The assembly '{assemblyPath}' does not exist; build the project first (dotnet build) and pass the .dll from its bin folder.");
        }

        // An assembly the command already has (Airlock.Contracts itself) is read from there, so its types are the ones the checks know.
        string? simpleName = TryName(full);
        if (AssemblyLoadContext.Default.Assemblies.FirstOrDefault(a => a.GetName().Name == simpleName) is { } loaded)
        {
            return FindContract(loaded, contractName, Path.GetFileName(full))
                ?? throw new CliException(ExitCodes.CouldNot, $"The assembly '{Path.GetFileName(full)}' has no contract '{contractName}' (a [WasmPlugin] partial interface the generator completed); it has {Describe(ContractNames(loaded))}.");
        }

        var context = new ContractLoadContext(full);
        try
        {
            Assembly assembly;
            try
            {
                assembly = context.LoadFromAssemblyPath(full);
            }
            catch (BadImageFormatException)
            {
                throw new CliException(ExitCodes.CouldNot, $"'{assemblyPath}' is not a .NET assembly; pass the .dll the build produced.");
            }

            return FindContract(assembly, contractName, Path.GetFileName(full))
                ?? throw new CliException(ExitCodes.CouldNot, $"The assembly '{Path.GetFileName(full)}' has no contract '{contractName}' (a [WasmPlugin] partial interface the generator completed); it has {Describe(ContractNames(assembly))}.");
        }
        finally
        {
            context.Unload();
        }
    }

    private static string? TryName(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path).Name;
        }
        catch (BadImageFormatException)
        {
            throw new CliException(ExitCodes.CouldNot, $"'{path}' is not a .NET assembly; pass the .dll the build produced.");
        }
    }

    private static string Describe(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    private static WasmContract? FindContract(Assembly assembly, string name, string where)
    {
        Type? type;
        try
        {
            type = assembly.GetType(name, throwOnError: false);
        }
        catch (Exception exception) when (exception is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            throw new CliException(ExitCodes.CouldNot, $"The contract '{name}' in {where} cannot be loaded: {exception.Message}");
        }

        if (type is null)
        {
            // A type whose base interface or attribute lives in an assembly that is not there is not found either.
            ThrowIfDependencyMissing(assembly, where);
            return null;
        }

        if (!type.IsInterface || !type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWasmPlugin<>) && i.GetGenericArguments()[0] == type))
        {
            throw new CliException(ExitCodes.CouldNot, $"'{name}' in {where} is not a plugin contract: a contract is a [WasmPlugin] partial interface, which the generator makes an IWasmPlugin<{type.Name}>.");
        }

        try
        {
            return (WasmContract)typeof(Profiles).GetMethod(nameof(Profiles.ContractOf), BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(type).Invoke(null, null)!;
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw new CliException(ExitCodes.CouldNot, $"The contract '{name}' in {where} failed to describe itself: {exception.InnerException.Message}");
        }
    }

    private static void ThrowIfDependencyMissing(Assembly assembly, string where)
    {
        try
        {
            _ = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            if (exception.LoaderExceptions.FirstOrDefault(e => e is FileNotFoundException or FileLoadException) is { } missing)
            {
                string name = (missing as FileNotFoundException)?.FileName ?? (missing as FileLoadException)?.FileName ?? missing.Message;
                throw new CliException(ExitCodes.CouldNot, $"The types of {where} need the assembly '{name}', which is not next to it in {Path.GetDirectoryName(assembly.Location)}: pass the .dll from the build's output folder, where its dependencies are.");
            }
        }
    }

    private static IReadOnlyList<string> ContractNames(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            types = [.. exception.Types.OfType<Type>()];
        }

        return [.. types.Where(t => t.IsInterface && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IWasmPlugin<>))).Select(t => t.FullName!).Order(StringComparer.Ordinal)];
    }

    private sealed class ContractLoadContext(string path) : AssemblyLoadContext("airlock check", isCollectible: true)
    {
        private readonly string _directory = Path.GetDirectoryName(path)!;

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            // Airlock's assemblies (and anything the command already has) come from the command's own context.
            if (assemblyName.Name is { } simple && (simple.StartsWith("Airlock.", StringComparison.Ordinal) || Default.Assemblies.Any(a => a.GetName().Name == simple)))
            {
                return null;
            }

            string candidate = Path.Combine(_directory, assemblyName.Name + ".dll");
            return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
        }
    }
}
