using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// Writes a <c>[JsonPolymorphic]</c> payload type (a tagged union) the way System.Text.Json writes it
/// — the discriminator first, then the case's members — without its polymorphic machinery: each
/// case's members are written through the case's own source-generated metadata and the discriminator
/// member, encoded once when the client is created, is put in front of them.
/// </summary>
/// <typeparam name="T">The union type.</typeparam>
/// <remarks>
/// The bytes are the ones <see cref="JsonSerializer"/> writes for the union type. A case that would
/// not come out the same is left to the union's own metadata: a case the options have no metadata
/// for, one that is itself polymorphic or not written as a JSON object, one with extension data
/// (which could hold a member of the discriminator's name), and any type the union does not declare.
/// </remarks>
public sealed class WasmJsonUnion<T>
{
    // Up to this many cases are found by a scan of reference comparisons; more go through a dictionary.
    private const int ScanLimit = 8;

    private readonly JsonTypeInfo<T> _union;
    private readonly UnionCase[] _cases;
    private readonly Dictionary<Type, UnionCase>? _byType;

    /// <summary>Prepares the cases of the union <paramref name="typeInfo"/> describes.</summary>
    /// <param name="typeInfo">The union type's JSON metadata.</param>
    public WasmJsonUnion(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _union = typeInfo;
        _cases = Prepare(typeInfo);
        _byType = _cases.Length > ScanLimit ? _cases.ToDictionary(c => c.Type) : null;
    }

    /// <summary>How many of the union's cases are written through their own metadata.</summary>
    public int DirectCases => _cases.Length;

    /// <summary>
    /// Serializes <paramref name="value"/> into the instance's scratch buffer. The JSON is
    /// <see cref="UnionJson.Prefix"/> followed by <see cref="UnionJson.Body"/> spliced after it.
    /// </summary>
    internal UnionJson Serialize(GuestContext guest, T value)
    {
        Utf8JsonWriter writer = guest.RentJsonWriter(out ArrayBufferWriter<byte> buffer);
        if (value is not null && Find(value.GetType()) is { } unionCase)
        {
            // The case's metadata is of kind Object (see Prepare): a non-null value is written as "{...}".
            JsonSerializer.Serialize(writer, value, unionCase.TypeInfo);
            writer.Flush();
            return new UnionJson(unionCase.Prefix, buffer.WrittenSpan);
        }

        JsonSerializer.Serialize(writer, value, _union);
        writer.Flush();
        return new UnionJson(default, buffer.WrittenSpan);
    }

    /// <summary>
    /// Whether a generated case writer (<typeparamref name="TCase"/>) writes exactly what this union writes
    /// for its case: the case is written through its own metadata (see <see cref="DirectCases"/>), its
    /// serialized members are <paramref name="members"/> in this order with these types, none has a converter,
    /// a number handling or a condition of its own, and the options ask for nothing the writer does not do
    /// (no converters, strict numbers, no reference handling, nulls written or all omitted).
    /// </summary>
    /// <typeparam name="TCase">The generated case writer.</typeparam>
    /// <param name="members">The members it writes, in order.</param>
    public bool CanWriteMembers<TCase>(ReadOnlySpan<WasmJsonMember> members)
        where TCase : struct, IWasmUnionCase<T>
    {
        if (Find(TCase.CaseType) is not { } unionCase)
        {
            return false;
        }

        JsonTypeInfo info = unionCase.TypeInfo;
        JsonSerializerOptions options = info.Options;
        if (options.Converters.Count > 0
            || options.ReferenceHandler is not null
            || (info.NumberHandling ?? options.NumberHandling) != JsonNumberHandling.Strict
            || options.DefaultIgnoreCondition is not (JsonIgnoreCondition.Never or JsonIgnoreCondition.WhenWritingNull)
            || options.IgnoreReadOnlyProperties
            || info.OnSerializing is not null
            || info.OnSerialized is not null)
        {
            return false;
        }

        int index = 0;
        foreach (JsonPropertyInfo property in info.Properties)
        {
            if (property.Get is null)
            {
                continue;
            }

            if (index == members.Length
                || property.Name != members[index].Name
                || property.PropertyType != members[index].Type
                || property.CustomConverter is not null
                || property.NumberHandling is not null
                || property.ShouldSerialize is not null
                || property.IsExtensionData)
            {
                return false;
            }

            index++;
        }

        return index == members.Length;
    }

    /// <summary>
    /// Writes a case from a generated case writer: <c>{"discriminator":...,</c> then its members, as
    /// <see cref="CanWriteMembers{TCase}"/> checked they are written.
    /// </summary>
    /// <typeparam name="TCase">The generated case writer.</typeparam>
    /// <param name="writer">The writer.</param>
    /// <param name="value">The case's values.</param>
    public void WriteCase<TCase>(Utf8JsonWriter writer, in TCase value)
        where TCase : struct, IWasmUnionCase<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        UnionCase unionCase = Find(TCase.CaseType) ?? throw new InvalidOperationException($"{TCase.CaseType} is not a case this union writes directly.");
        writer.WriteStartObject();
        if (unionCase.Discriminator is int number)
        {
            writer.WriteNumber(unionCase.Member, number);
        }
        else
        {
            writer.WriteString(unionCase.Member, unionCase.DiscriminatorText);
        }

        value.WriteMembers(writer, unionCase.TypeInfo.Options, unionCase.TypeInfo.Options.DefaultIgnoreCondition == JsonIgnoreCondition.WhenWritingNull);
        writer.WriteEndObject();
    }

    private UnionCase? Find(Type type)
    {
        if (_byType is not null)
        {
            return _byType.GetValueOrDefault(type);
        }

        foreach (UnionCase unionCase in _cases)
        {
            if (unionCase.Type == type)
            {
                return unionCase;
            }
        }

        return null;
    }

    private static UnionCase[] Prepare(JsonTypeInfo<T> typeInfo)
    {
        if (typeInfo.PolymorphismOptions is not { } polymorphism)
        {
            return [];
        }

        string member = polymorphism.TypeDiscriminatorPropertyName;
        var cases = new List<UnionCase>();
        foreach (JsonDerivedType derived in polymorphism.DerivedTypes)
        {
            if (derived.TypeDiscriminator is null
                || !typeInfo.Options.TryGetTypeInfo(derived.DerivedType, out JsonTypeInfo? caseInfo)
                || caseInfo.Kind != JsonTypeInfoKind.Object
                || caseInfo.PolymorphismOptions is not null
                || caseInfo.Properties.Any(p => p.IsExtensionData))
            {
                continue;
            }

            cases.Add(new UnionCase(derived.DerivedType, caseInfo, EncodePrefix(member, derived.TypeDiscriminator))
            {
                Member = JsonEncodedText.Encode(member, GuestContext.ScratchWriterOptions.Encoder),
                Discriminator = derived.TypeDiscriminator,
                DiscriminatorText = derived.TypeDiscriminator is string text ? JsonEncodedText.Encode(text, GuestContext.ScratchWriterOptions.Encoder) : default,
            });
        }

        return [.. cases];
    }

    // {"member":"value" (or a number), in the encoding the host's writers use.
    private static byte[] EncodePrefix(string member, object discriminator)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer, GuestContext.ScratchWriterOptions))
        {
            writer.WriteStartObject();
            if (discriminator is int number)
            {
                writer.WriteNumber(member, number);
            }
            else
            {
                writer.WriteString(member, (string)discriminator);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private sealed record UnionCase(Type Type, JsonTypeInfo TypeInfo, byte[] Prefix)
    {
        public JsonEncodedText Member { get; init; }

        public object Discriminator { get; init; } = string.Empty;

        public JsonEncodedText DiscriminatorText { get; init; }
    }
}

/// <summary>
/// A serialized union value: <see cref="Prefix"/> (<c>{"discriminator":"case"</c>) followed by the
/// members of <see cref="Body"/> (a JSON object), or, with no prefix, the body alone.
/// </summary>
internal readonly ref struct UnionJson
{
    public UnionJson(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body)
    {
        Prefix = prefix;
        Body = body;
    }

    public ReadOnlySpan<byte> Prefix { get; }

    public ReadOnlySpan<byte> Body { get; }

    // "{}" needs no separator: the prefix is closed with the body's "}".
    private bool BodyHasMembers => Body.Length > 2;

    /// <summary>The length of the whole JSON.</summary>
    public int Length => Prefix.IsEmpty ? Body.Length : Prefix.Length + (BodyHasMembers ? Body.Length : 1);

    /// <summary>Writes the whole JSON to <paramref name="destination"/>, which is <see cref="Length"/> bytes long.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (Prefix.IsEmpty)
        {
            Body.CopyTo(destination);
            return;
        }

        Prefix.CopyTo(destination);
        if (BodyHasMembers)
        {
            destination[Prefix.Length] = (byte)',';
            Body[1..].CopyTo(destination[(Prefix.Length + 1)..]);
        }
        else
        {
            destination[Prefix.Length] = (byte)'}';
        }
    }
}
