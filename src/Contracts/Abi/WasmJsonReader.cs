using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// Reads a contract's JSON result in one <see cref="Utf8JsonReader"/> pass, together with its envelope
/// member (<c>"status"</c>, <c>"error"</c>). The generator emits one reader per result type it can read
/// directly; <see cref="TypeInfo"/>, the type's System.Text.Json metadata, is the fallback.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
/// <remarks>
/// <para>
/// The fast pass never decides a result System.Text.Json would decide differently. It succeeds only when
/// every member it meets is one it reads exactly as System.Text.Json would (the same JSON names, the same
/// token rules for strings, booleans and numbers, System.Text.Json itself for any other member type, the
/// same constructor and default values); anything else — an unknown token, a <c>null</c> where the
/// metadata refuses one, a required member missing, a duplicate member, a member System.Text.Json would
/// not set, a response that is not a success — ends the pass, and the whole response is read again through
/// <see cref="TypeInfo"/>, which accepts it or reports it exactly as before.
/// </para>
/// <para>
/// The generated reader is checked against <see cref="TypeInfo"/> when it is created: the same member
/// names and types, no custom converters, no case-insensitive names, no non-default number, reference,
/// unmapped-member or object-creation handling, no deserialization callbacks. If anything differs,
/// <see cref="IsFast"/> is false and every result goes through System.Text.Json.
/// </para>
/// </remarks>
public abstract class WasmJsonReader<T>
{
    private readonly bool[] _requiredWhenMissing;
    private readonly bool[] _nullable;
    private readonly string[] _names;

    /// <summary>A reader that always reads through <paramref name="typeInfo"/>.</summary>
    /// <param name="typeInfo">The result type's metadata.</param>
    protected WasmJsonReader(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        TypeInfo = typeInfo;
        ReaderOptions = new JsonReaderOptions
        {
            MaxDepth = typeInfo.Options.EffectiveMaxDepth(),
            AllowTrailingCommas = typeInfo.Options.AllowTrailingCommas,
            CommentHandling = typeInfo.Options.ReadCommentHandling,
        };
        _requiredWhenMissing = [];
        _nullable = [];
        _names = [];
    }

    /// <summary>A generated reader over the members <paramref name="members"/> describes, in its member order.</summary>
    /// <param name="typeInfo">The result type's metadata, checked against <paramref name="members"/>.</param>
    /// <param name="members">The members the generated pass reads, in the order its member indexes use.</param>
    protected WasmJsonReader(JsonTypeInfo<T> typeInfo, ReadOnlySpan<WasmJsonMember> members)
        : this(typeInfo)
    {
        int count = members.Length;
        _requiredWhenMissing = new bool[count];
        _nullable = new bool[count];
        _names = new string[count];
        IsFast = Bind(typeInfo, members, _requiredWhenMissing, _nullable, _names);
    }

    /// <summary>The result type's System.Text.Json metadata: the fallback, and the source of truth.</summary>
    public JsonTypeInfo<T> TypeInfo { get; }

    /// <summary>Whether results are read in the generated pass first (see the remarks on the class).</summary>
    public bool IsFast { get; private set; }

    /// <summary>The reader options System.Text.Json reads this type with.</summary>
    public JsonReaderOptions ReaderOptions { get; }

    /// <summary>A reader that always reads through <paramref name="typeInfo"/>.</summary>
    /// <param name="typeInfo">The result type's metadata.</param>
    public static WasmJsonReader<T> FromMetadata(JsonTypeInfo<T> typeInfo) => new MetadataReader(typeInfo);

    /// <summary>
    /// The generated pass: reads the members of an object whose <see cref="JsonTokenType.StartObject"/>
    /// <paramref name="reader"/> is on, up to and including its <see cref="JsonTokenType.EndObject"/>.
    /// Returns false, at any point, when the result is not one it can decide.
    /// </summary>
    /// <param name="reader">The reader, on the object's start.</param>
    /// <param name="envelope">The envelope member, offered every member name the type does not claim.</param>
    /// <param name="value">The result.</param>
    protected abstract bool TryReadObject(ref Utf8JsonReader reader, ref WasmJsonEnvelope envelope, [MaybeNullWhen(false)] out T value);

    /// <summary>
    /// Reads a whole response in the generated pass. False means "read it through <see cref="TypeInfo"/>":
    /// it is not valid UTF-8, or not a success this pass can decide. True means System.Text.Json reads the
    /// same response into an equal value (and the envelope member says success).
    /// </summary>
    /// <param name="utf8Json">The response.</param>
    /// <param name="envelope">Which envelope member the response carries.</param>
    /// <param name="value">The result.</param>
    public bool TryRead(ReadOnlySpan<byte> utf8Json, WasmJsonEnvelope envelope, [MaybeNullWhen(false)] out T value)
    {
        if (Utf8Validation.IndexOfInvalid(utf8Json) >= 0)
        {
            value = default;
            return false;
        }

        return TryReadValidated(utf8Json, envelope, out value);
    }

    /// <summary><see cref="TryRead"/> of bytes already found to be valid UTF-8.</summary>
    internal bool TryReadValidated(ReadOnlySpan<byte> json, WasmJsonEnvelope envelope, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        if (!IsFast || ClaimsEnvelope(envelope))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject
                || !TryReadObject(ref reader, ref envelope, out T? read)
                || !envelope.Succeeded
                || reader.Read())
            {
                return false;
            }

            value = read;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
        catch (NotSupportedException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Whether member <paramref name="index"/> must be in the JSON (System.Text.Json fails without it).</summary>
    /// <param name="index">The member's index.</param>
    protected bool IsRequired(int index) => _requiredWhenMissing[index];

    /// <summary>Whether member <paramref name="index"/> may be set to JSON <c>null</c>.</summary>
    /// <param name="index">The member's index.</param>
    protected bool AllowsNull(int index) => _nullable[index];

    /// <summary>
    /// A member name the type does not claim: the envelope's member, or skipped. Returns false when the
    /// name cannot be decided here.
    /// </summary>
    /// <param name="reader">The reader, on the property name.</param>
    /// <param name="envelope">The envelope.</param>
    protected static bool TryReadOther(ref Utf8JsonReader reader, ref WasmJsonEnvelope envelope)
    {
        if (envelope.TryReadMember(ref reader, out bool decided))
        {
            return decided;
        }

        reader.Skip();
        return true;
    }

    /// <summary>Reads a string member (the reader on its property name).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="allowNull">Whether JSON <c>null</c> is accepted.</param>
    /// <param name="value">The value.</param>
    protected static bool TryReadString(ref Utf8JsonReader reader, bool allowNull, out string? value)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                value = reader.GetString();
                return true;
            case JsonTokenType.Null:
                value = null;
                return allowNull;
            default:
                value = null;
                return false;
        }
    }

    /// <summary>Reads a <see cref="bool"/> member (the reader on its property name).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="value">The value.</param>
    protected static bool TryReadBoolean(ref Utf8JsonReader reader, out bool value)
    {
        reader.Read();
        value = reader.TokenType == JsonTokenType.True;
        return reader.TokenType is JsonTokenType.True or JsonTokenType.False;
    }

    /// <summary>Reads an <see cref="int"/> member (the reader on its property name).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="value">The value.</param>
    protected static bool TryReadInt32(ref Utf8JsonReader reader, out int value)
    {
        reader.Read();
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out value);
    }

    /// <summary>Reads a <see cref="long"/> member (the reader on its property name).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="value">The value.</param>
    protected static bool TryReadInt64(ref Utf8JsonReader reader, out long value)
    {
        reader.Read();
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    /// <summary>Reads a <see cref="double"/> member (the reader on its property name).</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="value">The value.</param>
    protected static bool TryReadDouble(ref Utf8JsonReader reader, out double value)
    {
        reader.Read();
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value);
    }

    /// <summary>Reads a member of any other type through its System.Text.Json metadata (the reader on its property name).</summary>
    /// <typeparam name="TMember">The member type.</typeparam>
    /// <param name="reader">The reader.</param>
    /// <param name="typeInfo">The member type's metadata.</param>
    /// <param name="allowNull">Whether a <see langword="null"/> result is accepted.</param>
    /// <param name="value">The value.</param>
    protected static bool TryReadValue<TMember>(ref Utf8JsonReader reader, JsonTypeInfo<TMember> typeInfo, bool allowNull, out TMember? value)
    {
        reader.Read();
        value = JsonSerializer.Deserialize(ref reader, typeInfo);
        return value is not null || allowNull;
    }

    /// <summary>
    /// The metadata of a member type, from the options the result type is read with; null (and the
    /// generated pass off) when the options have none.
    /// </summary>
    /// <typeparam name="TMember">The member type.</typeparam>
    protected JsonTypeInfo<TMember>? MemberTypeInfo<TMember>()
    {
        if (TypeInfo.Options.TryGetTypeInfo(typeof(TMember), out JsonTypeInfo? info) && info is JsonTypeInfo<TMember> typed)
        {
            return typed;
        }

        IsFast = false;
        return null;
    }

    private bool ClaimsEnvelope(WasmJsonEnvelope envelope)
    {
        if (envelope.MemberName is not { } name)
        {
            return false;
        }

        foreach (string member in _names)
        {
            if (member == name)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Bind(JsonTypeInfo<T> typeInfo, ReadOnlySpan<WasmJsonMember> members, bool[] required, bool[] nullable, string[] names)
    {
        JsonSerializerOptions options = typeInfo.Options;
        if (typeInfo.Kind != JsonTypeInfoKind.Object
            || typeInfo.PolymorphismOptions is not null
            || typeInfo.OnDeserializing is not null
            || typeInfo.OnDeserialized is not null
            || (typeInfo.NumberHandling ?? options.NumberHandling) != JsonNumberHandling.Strict
            || (typeInfo.UnmappedMemberHandling ?? options.UnmappedMemberHandling) != JsonUnmappedMemberHandling.Skip
            || (typeInfo.PreferredPropertyObjectCreationHandling ?? options.PreferredObjectCreationHandling) != JsonObjectCreationHandling.Replace
            || options.PropertyNameCaseInsensitive
            || options.ReferenceHandler is not null
            || options.Converters.Count > 0
            || options.ReadCommentHandling != JsonCommentHandling.Disallow
            || typeInfo.Properties.Count != members.Length)
        {
            return false;
        }

        for (int i = 0; i < members.Length; i++)
        {
            WasmJsonMember member = members[i];
            JsonPropertyInfo? property = null;
            foreach (JsonPropertyInfo candidate in typeInfo.Properties)
            {
                if (candidate.Name == member.Name)
                {
                    property = candidate;
                    break;
                }
            }

            if (property is null
                || property.PropertyType != member.Type
                || (member.IsSet && property.Set is null && property.AssociatedParameter is null)
                || property.CustomConverter is not null
                || property.IsExtensionData
                || property.NumberHandling is { } handling && handling != JsonNumberHandling.Strict
                || property.ObjectCreationHandling is { } creation && creation != JsonObjectCreationHandling.Replace)
            {
                return false;
            }

            names[i] = member.Name;
            nullable[i] = !options.RespectNullableAnnotations || property.IsSetNullable;
            required[i] = property.IsRequired
                || (member.IsConstructorParameterWithoutDefault && options.RespectRequiredConstructorParameters);
        }

        return true;
    }

    private sealed class MetadataReader(JsonTypeInfo<T> typeInfo) : WasmJsonReader<T>(typeInfo)
    {
        protected override bool TryReadObject(ref Utf8JsonReader reader, ref WasmJsonEnvelope envelope, [MaybeNullWhen(false)] out T value)
        {
            value = default;
            return false;
        }
    }
}

/// <summary>One member a generated <see cref="WasmJsonReader{T}"/> reads: how it is checked against the metadata.</summary>
/// <param name="Name">The member's JSON name.</param>
/// <param name="Type">The member's type.</param>
/// <param name="IsConstructorParameterWithoutDefault">Whether it is bound to a constructor parameter that has no default value.</param>
/// <param name="IsSet">Whether the generated pass sets it (false for members System.Text.Json does not set: read-only or ignored).</param>
public readonly record struct WasmJsonMember(string Name, Type Type, bool IsConstructorParameterWithoutDefault, bool IsSet = true);

/// <summary>The envelope member a response carries next to the result's own members.</summary>
public struct WasmJsonEnvelope
{
    private readonly string? _successWord;
    private readonly Kind _kind;
    private bool _seen;
    private bool _failed;

    private WasmJsonEnvelope(Kind kind, string? memberName, string? successWord)
    {
        _kind = kind;
        MemberName = memberName;
        _successWord = successWord;
    }

    private enum Kind
    {
        None,
        Status,
        ErrorMember,
    }

    /// <summary>No envelope: the result is the whole response.</summary>
    public static WasmJsonEnvelope None => default;

    /// <summary>The envelope member's JSON name, or null for none.</summary>
    public readonly string? MemberName { get; }

    /// <summary>Whether the response is a success as far as the envelope is concerned.</summary>
    public readonly bool Succeeded => !_failed && (_kind != Kind.Status || _seen);

    /// <summary>The status envelope: a <c>"status"</c> member that must be the success word.</summary>
    /// <param name="successWord">The success word (<c>"ok"</c> unless the contract says otherwise).</param>
    public static WasmJsonEnvelope Status(string successWord) => new(Kind.Status, "status", successWord);

    /// <summary>The error-member envelope: an <c>"error"</c> member that must be absent or <c>null</c>.</summary>
    public static WasmJsonEnvelope ErrorMember => new(Kind.ErrorMember, "error", null);

    /// <summary>
    /// Reads the member whose name the reader is on if it is the envelope's: returns true when it was,
    /// with <paramref name="decided"/> false when the response is not a success (or not one to decide here).
    /// </summary>
    /// <param name="reader">The reader, on a property name.</param>
    /// <param name="decided">Whether reading may go on.</param>
    public bool TryReadMember(ref Utf8JsonReader reader, out bool decided)
    {
        decided = false;
        switch (_kind)
        {
            case Kind.Status when reader.ValueTextEquals("status"u8):
                reader.Read();
                if (_seen || reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals(_successWord.AsSpan()))
                {
                    _failed = true;
                    return true;
                }

                _seen = true;
                decided = true;
                return true;
            case Kind.ErrorMember when reader.ValueTextEquals("error"u8):
                reader.Read();
                _failed |= reader.TokenType != JsonTokenType.Null;
                decided = !_failed;
                return true;
            default:
                return false;
        }
    }
}
