using System;

// Compiled into both the source generator (netstandard2.0) and the host (net10.0): internal only.
namespace Airlock.Wasm;

/// <summary>What a wasm-bindgen glue import is, and so what the host does with it.</summary>
internal enum WasmBindgenGlueKind
{
    /// <summary>Not wasm-bindgen glue: an ordinary import.</summary>
    None,

    /// <summary>
    /// Glue the host links as an inert stub: the describe machinery (<c>__wbindgen_describe</c>, called
    /// only by the <c>__wbindgen_describe_*</c> exports the CLI would read and strip) and the externref
    /// table intrinsics every module built without the CLI keeps (reachable only from JavaScript glue).
    /// </summary>
    Inert,

    /// <summary><c>__wbindgen_throw(ptr, len)</c>: the plugin raises an error with a message; the call ends with it.</summary>
    Throw,

    /// <summary>
    /// An import that stands for JavaScript (a <c>#[wasm_bindgen] extern "C"</c> function such as
    /// <c>console.log</c>, named <c>__wbg_&lt;name&gt;_&lt;hash&gt;</c>, or glue that manages JavaScript
    /// values): there is no JavaScript here, so the module is refused.
    /// </summary>
    JavaScript,
}

/// <summary>The glue a Rust module built with <c>#[wasm_bindgen]</c> but without the wasm-bindgen CLI carries.</summary>
internal static class WasmBindgenGlue
{
    public const string PlaceholderModule = "__wbindgen_placeholder__";
    public const string ExternrefModule = "__wbindgen_externref_xform__";
    public const string Malloc = "__wbindgen_malloc";
    public const string Free = "__wbindgen_free";

    public static readonly WasmFunctionSignature DescribeType = new(new[] { WasmType.I32 }, Array.Empty<WasmType>());
    public static readonly WasmFunctionSignature TableGrowType = new(new[] { WasmType.I32 }, new[] { WasmType.I32 });
    public static readonly WasmFunctionSignature TableSetNullType = new(new[] { WasmType.I32 }, Array.Empty<WasmType>());
    public static readonly WasmFunctionSignature ThrowType = new(new[] { WasmType.I32, WasmType.I32 }, Array.Empty<WasmType>());

    /// <summary>The allocator's two shapes: <c>(size)</c> before wasm-bindgen 0.2.87, <c>(size, align)</c> since.</summary>
    public static readonly WasmFunctionSignature[] MallocTypes =
    {
        new(new[] { WasmType.I32 }, new[] { WasmType.I32 }),
        new(new[] { WasmType.I32, WasmType.I32 }, new[] { WasmType.I32 }),
    };

    /// <summary><c>__wbindgen_free(ptr, size)</c> before 0.2.87, <c>(ptr, size, align)</c> since.</summary>
    public static readonly WasmFunctionSignature[] FreeTypes =
    {
        new(new[] { WasmType.I32, WasmType.I32 }, Array.Empty<WasmType>()),
        new(new[] { WasmType.I32, WasmType.I32, WasmType.I32 }, Array.Empty<WasmType>()),
    };

    /// <summary>Whether <paramref name="module"/> is one of wasm-bindgen's glue modules.</summary>
    public static bool IsGlueModule(string module) => module == PlaceholderModule || module == ExternrefModule;

    /// <summary>
    /// What the import <paramref name="module"/>.<paramref name="name"/> is by its name alone (the
    /// Driftless import rules, which see names only); <see cref="Classify"/> also checks its type.
    /// </summary>
    public static WasmBindgenGlueKind ClassifyName(string module, string name)
    {
        if (module == PlaceholderModule)
        {
            return name == "__wbindgen_describe" ? WasmBindgenGlueKind.Inert
                : name == "__wbindgen_throw" ? WasmBindgenGlueKind.Throw
                : WasmBindgenGlueKind.JavaScript;
        }

        if (module == ExternrefModule)
        {
            return name == "__wbindgen_externref_table_grow" || name == "__wbindgen_externref_table_set_null"
                ? WasmBindgenGlueKind.Inert
                : WasmBindgenGlueKind.JavaScript;
        }

        return WasmBindgenGlueKind.None;
    }

    /// <summary>What the import <paramref name="module"/>.<paramref name="name"/> of type <paramref name="type"/> is: glue of another type than wasm-bindgen's is refused.</summary>
    public static WasmBindgenGlueKind Classify(string module, string name, WasmFunctionSignature? type)
    {
        WasmBindgenGlueKind kind = ClassifyName(module, name);
        return (kind == WasmBindgenGlueKind.Inert || kind == WasmBindgenGlueKind.Throw) && !ExpectedType(name).Equals(type)
            ? WasmBindgenGlueKind.JavaScript
            : kind;
    }

    /// <summary>The rule that refuses a glue import, as the Driftless rules name rules.</summary>
    public static string Rule(string module, string name)
        => module == ExternrefModule ? module + ".*"
            : name.StartsWith("__wbindgen_", StringComparison.Ordinal) ? module + ".__wbindgen_*"
            : module + ".__wbg_*";

    /// <summary>Why a refused glue import is refused (the sentence after the import's name).</summary>
    public static string Reason(string module, string name, WasmFunctionSignature? type)
    {
        if (ClassifyName(module, name) != WasmBindgenGlueKind.JavaScript)
        {
            return $"wasm-bindgen declares it as {ExpectedType(name)}, not {type}";
        }

        if (module == ExternrefModule)
        {
            return "it is unknown wasm-bindgen externref glue; plugins exchange strings and JSON only";
        }

        if (name.StartsWith("__wbindgen_", StringComparison.Ordinal))
        {
            return $"the wasm-bindgen intrinsic {name} works on JavaScript values (JsValue), which need a JavaScript engine; plugins exchange strings and JSON only, so return errors as JSON";
        }

        return $"'{JavaScriptName(name)}' is a JavaScript function declared in a #[wasm_bindgen] extern block (such as console.log) and there is no JavaScript outside a browser; "
            + "log through the Driftless host import host_log(level, message), declared as a plain extern \"C\" import from env (#[link(wasm_import_module = \"env\")]), instead";
    }

    /// <summary>Why a glue import is refused, as the contract checks word it.</summary>
    public static string Refusal(string module, string name, WasmFunctionSignature? type)
        => $"the module imports '{module}.{name}' {type}, which Airlock does not link: {Reason(module, name, type)}.";

    private static WasmFunctionSignature ExpectedType(string name) => name switch
    {
        "__wbindgen_describe" => DescribeType,
        "__wbindgen_throw" => ThrowType,
        "__wbindgen_externref_table_grow" => TableGrowType,
        _ => TableSetNullType,
    };

    // The JavaScript function behind a glue import: __wbg_log_ad7db26b2958dd58 is log.
    private static string JavaScriptName(string name)
    {
        string rest = name.StartsWith("__wbg_", StringComparison.Ordinal) ? name.Substring("__wbg_".Length) : name;
        int hash = rest.LastIndexOf('_');
        if (hash > 0 && rest.Length - hash - 1 == 16 && IsLowerHex(rest.Substring(hash + 1)))
        {
            rest = rest.Substring(0, hash);
        }

        return rest.Length > 64 ? rest.Substring(0, 64) + "…" : rest;
    }

    private static bool IsLowerHex(string text)
    {
        foreach (char c in text)
        {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
