namespace Airlock.Abi;

/// <summary>The wasm value types a contract's functions use.</summary>
public enum WasmValueType
{
    /// <summary>32-bit integer.</summary>
    I32,

    /// <summary>64-bit integer.</summary>
    I64,

    /// <summary>32-bit float.</summary>
    F32,

    /// <summary>64-bit float.</summary>
    F64,

    /// <summary>A 128-bit SIMD vector.</summary>
    V128,

    /// <summary>A function reference.</summary>
    FuncRef,

    /// <summary>An external or other reference.</summary>
    ExternRef,
}
