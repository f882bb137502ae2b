namespace Airlock.Abi;

/// <summary>The signature of a wasm function: parameter and result types.</summary>
public sealed class WasmFunctionType : IEquatable<WasmFunctionType>
{
    /// <summary>Creates a signature.</summary>
    /// <param name="parameters">The parameter types, in order.</param>
    /// <param name="results">The result types, in order.</param>
    public WasmFunctionType(IReadOnlyList<WasmValueType> parameters, IReadOnlyList<WasmValueType> results)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(results);
        Parameters = parameters;
        Results = results;
    }

    /// <summary>The parameter types, in order.</summary>
    public IReadOnlyList<WasmValueType> Parameters { get; }

    /// <summary>The result types, in order.</summary>
    public IReadOnlyList<WasmValueType> Results { get; }

    /// <inheritdoc/>
    public bool Equals(WasmFunctionType? other)
        => other is not null && Parameters.SequenceEqual(other.Parameters) && Results.SequenceEqual(other.Results);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as WasmFunctionType);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (WasmValueType type in Parameters)
        {
            hash.Add(type);
        }

        hash.Add(-1);
        foreach (WasmValueType type in Results)
        {
            hash.Add(type);
        }

        return hash.ToHashCode();
    }

    /// <summary>Formats the signature as <c>(i32, i32) -&gt; i64</c>.</summary>
    public override string ToString()
    {
        string parameters = "(" + string.Join(", ", Parameters.Select(Format)) + ")";
        string results = Results.Count switch
        {
            0 => "()",
            1 => Format(Results[0]),
            _ => "(" + string.Join(", ", Results.Select(Format)) + ")",
        };
        return parameters + " -> " + results;
    }

    private static string Format(WasmValueType type) => type switch
    {
        WasmValueType.I32 => "i32",
        WasmValueType.I64 => "i64",
        WasmValueType.F32 => "f32",
        WasmValueType.F64 => "f64",
        WasmValueType.V128 => "v128",
        WasmValueType.FuncRef => "funcref",
        WasmValueType.ExternRef => "externref",
        _ => type.ToString(),
    };
}
