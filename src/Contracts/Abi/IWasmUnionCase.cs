using System.Text.Json;

namespace Airlock.Abi;

/// <summary>
/// A case of a tagged-union input written by generated code: the generator emits one per case whose
/// members it can write exactly as System.Text.Json would (<see cref="WasmJsonUnion{T}.WriteCase{TCase}"/>:
/// lists by index, no boxed enumerators, no serializer state). Whenever the union's metadata says otherwise
/// (<see cref="WasmJsonUnion{T}.CanWriteMembers{TCase}"/>), the case (<see cref="Create"/>) is written through
/// the metadata.
/// </summary>
/// <typeparam name="TUnion">The union type.</typeparam>
public interface IWasmUnionCase<TUnion>
{
    /// <summary>The case type this writes.</summary>
    static abstract Type CaseType { get; }

    /// <summary>The case as a union value.</summary>
    TUnion Create();

    /// <summary>Writes the case's members (not the discriminator, not the braces).</summary>
    /// <param name="writer">The writer, inside the case's object.</param>
    /// <param name="options">The options the union is written with (for members written through their metadata).</param>
    /// <param name="omitNulls">Whether null members are left out (<c>DefaultIgnoreCondition = WhenWritingNull</c>).</param>
    void WriteMembers(Utf8JsonWriter writer, JsonSerializerOptions options, bool omitNulls);
}
