using System.Collections.Generic;
using System.Linq;
using Airlock.Wasm;
using Microsoft.CodeAnalysis;

namespace Airlock.Generators.Parsing;

/// <summary>
/// The export names a <c>[WasmPlugin]</c> contract cannot bind (AIR008). The code fixes compile this
/// file too (linked), so a name they propose is one the parser accepts.
/// </summary>
internal static class ReservedExports
{
    /// <summary>The result-length export of a fixed-offset contract that sets no <c>ResultLengthExport</c>.</summary>
    public const string DefaultResultLengthExport = "__hook_result_len";

    /// <summary>
    /// Whether a <c>[WasmPlugin]</c> or <c>[WasmHost]</c> attribute selects the fixed-offset ABI: with
    /// <c>Abi = WasmAbi.FixedOffset</c>, or with a non-zero offset (<paramref name="offsetName"/>) and no <c>Abi</c>.
    /// </summary>
    public static bool SelectsFixedOffset(AttributeData attribute, string offsetName)
    {
        bool explicitAbi = false;
        int abi = 0;
        int offset = 0;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == "Abi")
            {
                explicitAbi = true;
                abi = argument.Value.Value is int value ? value : 0;
            }
            else if (argument.Key == offsetName && argument.Value.Value is int value)
            {
                offset = value;
            }
        }

        // WasmAbi.FixedOffset is 2 (WasmAbi.PackedPtrLen is 1).
        return explicitAbi ? abi == 2 : offset != 0;
    }

    /// <summary>Whether a <c>[WasmPlugin]</c> attribute selects the wasm-bindgen ABI (<c>Abi = WasmAbi.WasmBindgen</c>, which is 3).</summary>
    public static bool SelectsWasmBindgen(AttributeData attribute)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == "Abi")
            {
                return argument.Value.Value is int value && value == 3;
            }
        }

        return false;
    }

    /// <summary>The result-length export a <c>[WasmPlugin]</c> attribute names, or the default.</summary>
    public static string ResultLengthExport(AttributeData plugin)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in plugin.NamedArguments)
        {
            if (argument.Key == "ResultLengthExport" && argument.Value.Value is string name)
            {
                return name;
            }
        }

        return DefaultResultLengthExport;
    }

    /// <summary>The allocator export a <c>[WasmPlugin]</c> attribute names (<c>AllocExport</c>), or <c>alloc</c>.</summary>
    public static string AllocExport(AttributeData plugin) => Named(plugin, "AllocExport") ?? PackedAbiExports.DefaultAlloc;

    /// <summary>The deallocator export a <c>[WasmPlugin]</c> attribute names (<c>FreeExport</c>), or <c>dealloc</c>.</summary>
    public static string FreeExport(AttributeData plugin) => Named(plugin, "FreeExport") ?? PackedAbiExports.DefaultFree;

    /// <summary>
    /// Whether a <c>[WasmPlugin]</c> attribute's <c>Imports</c> include a <c>[WasmHost("samuel")]</c> interface: the
    /// contract is a Samuel plugin's, whose exports must not be named after Samuel's own verbs.
    /// </summary>
    public static bool ImportsSamuelHost(AttributeData plugin)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in plugin.NamedArguments)
        {
            if (argument.Key != "Imports" || argument.Value.Kind != TypedConstantKind.Array)
            {
                continue;
            }

            foreach (TypedConstant import in argument.Value.Values)
            {
                if (import.Value is INamedTypeSymbol host && host.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Airlock.WasmHostAttribute" && a.ConstructorArguments.FirstOrDefault().Value as string == SamuelVerbs.HostModule))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Why <paramref name="name"/> is reserved for the contract <paramref name="plugin"/> declares (the last part of
    /// AIR008's message), or null when it is free: the ABI or the runtime itself uses these exports, so a contract method
    /// bound to one would collide with it. <paramref name="owner"/> is who reserves it when that is not the ABI.
    /// </summary>
    public static string? Reason(string name, AttributeData? plugin, out string? owner)
    {
        owner = null;
        bool fixedOffset = plugin is not null && SelectsFixedOffset(plugin, "InputOffset");
        string resultLength = plugin is null ? DefaultResultLengthExport : ResultLengthExport(plugin);
        switch (name)
        {
            case "memory":
                return "it is the exported linear memory payloads cross through";
            case "_start":
                return "WASI runs it as a command's entry point";
            case "_initialize":
                return "Airlock calls it once after instantiation to initialise a reactor module";
            case "__data_end" or "__heap_base":
                return "the host reads the guest's memory layout from it";
            case "__wbindgen_malloc" or "__wbindgen_free" or "__wbindgen_realloc":
                return "it is wasm-bindgen's allocator, which the host calls for string arguments and results";
        }

        if (!fixedOffset && (name == (plugin is null ? PackedAbiExports.DefaultAlloc : AllocExport(plugin)) || name == (plugin is null ? PackedAbiExports.DefaultFree : FreeExport(plugin))))
        {
            return "the host allocates and frees payload buffers in guest memory with it";
        }

        if (fixedOffset && name == resultLength)
        {
            return "it reports the length of each result (the contract's ResultLengthExport)";
        }

        if (plugin is not null && ImportsSamuelHost(plugin) && SamuelVerbs.Collision(name) is { } verb)
        {
            owner = "Samuel plugin system";
            return $"it collides with '{verb}', one of Samuel's own verbs ({string.Join(", ", SamuelVerbs.Reserved)}; compared ignoring case)";
        }

        return null;
    }

    private static string? Named(AttributeData attribute, string key)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == key && argument.Value.Value is string value && value.Length > 0)
            {
                return value;
            }
        }

        return null;
    }
}
