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

    /// <summary>What the import <paramref name="module"/>.<paramref name="name"/> of type <paramref name="type"/> is.</summary>
    public static WasmBindgenGlueKind Classify(string module, string name, WasmFunctionSignature? type)
    {
        if (module == PlaceholderModule)
        {
            if (name == "__wbindgen_describe" && DescribeType.Equals(type))
            {
                return WasmBindgenGlueKind.Inert;
            }

            return name == "__wbindgen_throw" && ThrowType.Equals(type) ? WasmBindgenGlueKind.Throw : WasmBindgenGlueKind.JavaScript;
        }

        if (module == ExternrefModule)
        {
            return (name == "__wbindgen_externref_table_grow" && TableGrowType.Equals(type))
                || (name == "__wbindgen_externref_table_set_null" && TableSetNullType.Equals(type))
                ? WasmBindgenGlueKind.Inert
                : WasmBindgenGlueKind.JavaScript;
        }

        return WasmBindgenGlueKind.None;
    }

    /// <summary>Why a <see cref="WasmBindgenGlueKind.JavaScript"/> import is refused, as the checks word it.</summary>
    public static string Refusal(string module, string name, WasmFunctionSignature? type)
    {
        string subject = module + "." + name;
        if (name.StartsWith("__wbg_", StringComparison.Ordinal))
        {
            return $"the module imports '{subject}' {type}, wasm-bindgen's glue for a JavaScript function (a #[wasm_bindgen] extern \"C\" declaration such as console.log); "
                + "there is no JavaScript in Airlock. Log through the host function env.host_log and declare host functions as plain imports from module 'env' "
                + "(#[link(wasm_import_module = \"env\")] extern \"C\").";
        }

        return $"the module imports '{subject}' {type}, wasm-bindgen glue that needs its JavaScript runtime (JsValue, closures or exceptions); "
            + "Airlock links only the inert describe and externref stubs and __wbindgen_throw. Return errors as JSON instead of JsValue.";
    }
}
