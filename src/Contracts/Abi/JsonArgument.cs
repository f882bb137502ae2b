using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// A JSON argument a guest passed to a host function, handed over as it lies in guest memory: already
/// checked to be strict UTF-8 and one well-formed JSON value (within <see cref="MaxDepth"/>), with no
/// document built. A host function that needs a DOM or a typed value asks for one
/// (<see cref="ToElement"/>, <see cref="Deserialize{T}"/>); one that only forwards or stores the bytes
/// (<see cref="Utf8"/>, <see cref="ToArray"/>) allocates nothing more than what it keeps.
/// </summary>
/// <remarks>
/// The view is valid only while the host function runs: guest memory may move or change afterwards.
/// Copy what must outlive the call. Declare a <c>[WasmImport]</c> parameter of this type to receive it.
/// </remarks>
public readonly ref struct JsonArgument
{
    /// <summary>The nesting depth an argument may reach (System.Text.Json's default).</summary>
    public const int MaxDepth = 64;

    private JsonArgument(ReadOnlySpan<byte> utf8, JsonValueKind kind)
    {
        Utf8 = utf8;
        ValueKind = kind;
    }

    /// <summary>The argument's bytes: UTF-8 JSON, a view of guest memory valid during the call.</summary>
    public ReadOnlySpan<byte> Utf8 { get; }

    /// <summary>The kind of the JSON value (object, array, string, ...).</summary>
    public JsonValueKind ValueKind { get; }

    /// <summary>
    /// Reads the argument a guest passed as (ptr, len): bounds-checked, strict UTF-8 and one well-formed
    /// JSON value, or a <see cref="MalformedResponseException"/> saying where it is not.
    /// </summary>
    /// <param name="guest">The calling instance.</param>
    /// <param name="pointer">The argument's pointer.</param>
    /// <param name="length">The argument's length.</param>
    /// <param name="region">What the argument is, for error messages.</param>
    /// <exception cref="MalformedResponseException">The bytes are not UTF-8, not JSON, more than one value or nested deeper than <see cref="MaxDepth"/>.</exception>
    public static JsonArgument Read(GuestContext guest, int pointer, int length, string region)
    {
        ReadOnlySpan<byte> json = PackedPtrLen.ArgumentBytes(guest, pointer, length, region);
        JsonPayload.ThrowIfInvalidUtf8(guest, json, region);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        JsonValueKind kind;
        try
        {
            if (!reader.Read())
            {
                throw new MalformedResponseException(guest.Plugin.Id, guest.Export, region, "the argument is empty; expected a JSON value.", 0);
            }

            kind = reader.TokenType switch
            {
                JsonTokenType.StartObject => JsonValueKind.Object,
                JsonTokenType.StartArray => JsonValueKind.Array,
                JsonTokenType.String => JsonValueKind.String,
                JsonTokenType.Number => JsonValueKind.Number,
                JsonTokenType.True => JsonValueKind.True,
                JsonTokenType.False => JsonValueKind.False,
                _ => JsonValueKind.Null,
            };
            reader.Skip();

            // Reading on to the end rejects trailing content after the value.
            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            throw JsonPayload.Malformed(guest, region, exception);
        }

        return new JsonArgument(json, kind);
    }

    /// <summary>A reader over the argument (positioned before its first token).</summary>
    public Utf8JsonReader CreateReader() => new(Utf8, new JsonReaderOptions { MaxDepth = MaxDepth });

    /// <summary>The argument as a <see cref="JsonElement"/> that owns a copy of the bytes (outlives the call).</summary>
    public JsonElement ToElement()
    {
        var reader = CreateReader();
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>The argument read as <typeparamref name="T"/> through its System.Text.Json metadata.</summary>
    /// <typeparam name="T">The type.</typeparam>
    /// <param name="typeInfo">The type's metadata.</param>
    /// <exception cref="JsonException">The JSON does not fit <typeparamref name="T"/>.</exception>
    public T? Deserialize<T>(JsonTypeInfo<T> typeInfo) => JsonSerializer.Deserialize(Utf8, typeInfo);

    /// <summary>A copy of the argument's bytes (outlives the call).</summary>
    public byte[] ToArray() => Utf8.ToArray();

    /// <summary>
    /// The string value of a top-level member of an object argument, without building a document; false
    /// when the argument is not an object, has no such member or the member is not a string.
    /// </summary>
    /// <param name="name">The member's name in UTF-8.</param>
    /// <param name="value">The member's string value.</param>
    public bool TryGetString(ReadOnlySpan<byte> name, out string? value)
    {
        value = null;
        if (ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        Utf8JsonReader reader = CreateReader();
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool match = reader.ValueTextEquals(name);
            reader.Read();
            if (match && reader.TokenType == JsonTokenType.String)
            {
                value = reader.GetString();
                return true;
            }

            reader.Skip();
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => System.Text.Encoding.UTF8.GetString(Utf8);
}
