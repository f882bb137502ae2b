using System.Collections.Immutable;
using Airlock.Generators.Model;
using Airlock.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Airlock.GuestBindings;

/// <summary>Reads a contract from metadata with the generator's own <see cref="ContractParser"/>.</summary>
internal static class ContractLoader
{
    /// <summary>Loads <paramref name="contractName"/> from <paramref name="assemblyPath"/>, resolving references from its folder and the running framework.</summary>
    public static LoadedContract Load(string assemblyPath, string contractName)
    {
        string full = Path.GetFullPath(assemblyPath);
        if (!File.Exists(full))
        {
            throw new GuestBindingsException($"The assembly '{assemblyPath}' does not exist.");
        }

        var references = new Dictionary<string, MetadataReference>(StringComparer.OrdinalIgnoreCase);
        string trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        foreach (string path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            references[Path.GetFileName(path)] = MetadataReference.CreateFromFile(path);
        }

        foreach (string path in Directory.EnumerateFiles(Path.GetDirectoryName(full)!, "*.dll").Order(StringComparer.Ordinal))
        {
            if (!references.ContainsKey(Path.GetFileName(path)) && IsManaged(path))
            {
                references[Path.GetFileName(path)] = MetadataReference.CreateFromFile(path);
            }
        }

        MetadataReference target = MetadataReference.CreateFromFile(full);
        references[Path.GetFileName(full)] = target;
        var compilation = CSharpCompilation.Create(
            "Airlock.GuestBindings.Reader",
            references: references.Values,
            options: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        if (compilation.GetAssemblyOrModuleSymbol(target) is not IAssemblySymbol assembly)
        {
            throw new GuestBindingsException($"'{assemblyPath}' is not a .NET assembly.");
        }

        INamedTypeSymbol symbol = assembly.GetTypeByMetadataName(contractName)
            ?? throw new GuestBindingsException($"The assembly '{Path.GetFileName(full)}' has no type '{contractName}'; name the contract interface with its namespace, such as MyApp.IChirpPlugin.");
        AttributeData attribute = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ContractParser.PluginAttribute)
            ?? throw new GuestBindingsException($"'{contractName}' is not a [WasmPlugin] contract.");
        var diagnostics = new List<Diagnostic>();
        ContractSpec? spec = ContractParser.ParsePlugin(symbol, attribute, diagnostics, CancellationToken.None);
        var hosts = new List<HostSpec>();
        foreach (string import in spec?.Imports ?? ImmutableEquatableArrayEmpty())
        {
            INamedTypeSymbol? host = compilation.GetTypeByMetadataName(MetadataName(import));
            AttributeData? hostAttribute = host?.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ContractParser.HostAttribute);
            if (host is null || hostAttribute is null)
            {
                throw new GuestBindingsException($"'{contractName}' imports '{import}', which is not a [WasmHost] interface the assembly's references declare.");
            }

            if (ContractParser.ParseHost(host, hostAttribute, diagnostics, CancellationToken.None) is { } hostSpec)
            {
                hosts.Add(hostSpec);
            }
        }

        if (spec is null || diagnostics.Count > 0)
        {
            string problems = string.Join(" ", diagnostics.Select(d => d.Id + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
            throw new GuestBindingsException($"'{contractName}' cannot be bound: {problems}");
        }

        Version version = assembly.Identity.Version;
        return new LoadedContract(spec, hosts, symbol, compilation, assembly.Identity.Name, $"{version.Major}.{version.Minor}.{version.Build}");
    }

    /// <summary>The metadata name of a type the parser spelled fully qualified (<c>global::A.B</c>).</summary>
    public static string MetadataName(string display) => LoadedContract.MetadataName(display);

    private static IEnumerable<string> ImmutableEquatableArrayEmpty() => [];

    private static bool IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var reader = new System.Reflection.PortableExecutable.PEReader(stream);
            return reader.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
