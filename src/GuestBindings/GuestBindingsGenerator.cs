using Airlock.Generators.Model;

namespace Airlock.GuestBindings;

/// <summary>The languages guest bindings are generated for.</summary>
public enum GuestLanguage
{
    /// <summary>C (clang, wasm32-wasi reactor): a header and a source file.</summary>
    C,

    /// <summary>AssemblyScript 0.28: a module of types, codecs and host functions, and the module of exports.</summary>
    AssemblyScript,
    /// <summary>Rust (Debian's rustc 1.63, serde and serde_json): one module file.</summary>
    Rust,
}

/// <summary>The ABI a contract's payloads cross with, which decides how a module built on its bindings is linked.</summary>
public enum GuestAbi
{
    /// <summary>Packed pointer and length (SocialScale, Samuel and most contracts): the module exports its allocator.</summary>
    PackedPtrLen,

    /// <summary>Fixed offsets with <c>__hook_result_len</c> (Lesstruct): the host writes at fixed addresses the module must leave free.</summary>
    FixedOffset,

    /// <summary>wasm-bindgen's convention (Driftless): a return slot and <c>__wbindgen_malloc</c>/<c>__wbindgen_free</c>.</summary>
    WasmBindgen,
}

/// <summary>Generated guest bindings.</summary>
/// <param name="Files">The generated files, in a fixed order.</param>
/// <param name="Abi">The ABI they speak.</param>
public sealed record GuestBindingsOutput(IReadOnlyList<GeneratedFile> Files, GuestAbi Abi);

/// <summary>Generates guest bindings from a compiled <c>[WasmPlugin]</c> contract.</summary>
public static class GuestBindingsGenerator
{
    /// <summary>The generator's version, written into every generated file.</summary>
    public static string Version => CBindings.GeneratorVersion;

    /// <summary>The prefix of the custom section generated bindings put in every module: <c>airlock.bindings:Namespace.IContract:wirehash</c>.</summary>
    public static string SectionPrefix => CBindings.SectionPrefix;

    /// <summary>
    /// The wire hash of a contract: a hash of its exports, imports and JSON shapes, which generated bindings write into
    /// the module's <see cref="SectionPrefix"/> custom section, so a module built on stale bindings is recognised.
    /// </summary>
    /// <param name="assemblyPath">The built assembly that declares the contract.</param>
    /// <param name="contractName">The contract interface's full name.</param>
    /// <returns>16 lower-case hex digits.</returns>
    /// <exception cref="GuestBindingsException">The contract cannot be read or bound.</exception>
    public static string WireHash(string assemblyPath, string contractName)
        => CBindings.WireHashOf(ContractLoader.Load(assemblyPath, contractName));

    /// <summary>Generates the bindings of <paramref name="contractName"/> declared in <paramref name="assemblyPath"/>.</summary>
    /// <param name="assemblyPath">The built assembly that declares the contract.</param>
    /// <param name="contractName">The contract interface's full name.</param>
    /// <param name="language">The guest language.</param>
    /// <param name="prefix">The prefix of every generated name, or null for the contract's default.</param>
    /// <returns>The generated files, in a fixed order, and the ABI they speak.</returns>
    /// <exception cref="GuestBindingsException">The contract cannot be read or has a type the language's bindings cannot hold.</exception>
    public static GuestBindingsOutput Generate(string assemblyPath, string contractName, GuestLanguage language, string? prefix = null)
    {
        LoadedContract contract = ContractLoader.Load(assemblyPath, contractName);
        prefix ??= CBindings.DefaultPrefix(contract.Spec.Type.Name);
        if (prefix.Length == 0 || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_') || char.IsAsciiDigit(prefix[0]))
        {
            throw new GuestBindingsException($"The prefix '{prefix}' is not a C identifier of lower-case letters, digits and underscores.");
        }

        IReadOnlyList<GeneratedFile> files = language switch
        {
            GuestLanguage.C => CBindings.Generate(contract, prefix),
            GuestLanguage.AssemblyScript => AssemblyScriptBindings.Generate(contract, prefix),
            GuestLanguage.Rust => RustBindings.Generate(contract, prefix),
            _ => throw new GuestBindingsException($"No bindings for {language}."),
        };
        GuestAbi abi = contract.Spec.Abi switch
        {
            AbiKind.FixedOffset => GuestAbi.FixedOffset,
            AbiKind.WasmBindgen => GuestAbi.WasmBindgen,
            _ => GuestAbi.PackedPtrLen,
        };
        return new GuestBindingsOutput(files, abi);
    }
}
