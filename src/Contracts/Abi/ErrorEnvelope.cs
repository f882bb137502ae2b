using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// Results that are the payload itself unless they carry a top-level <c>"error"</c>: a string (the
/// message) or an object with <c>code</c>, <c>message</c> and <c>retryable</c>. See
/// <see cref="WasmResponseEnvelope.ErrorMember"/>.
/// </summary>
public static class ErrorEnvelope
{
    /// <summary>The code of an error given only as a message.</summary>
    public const string DefaultCode = "plugin_error";

    /// <summary>
    /// Reads a result: throws the plugin's error when the result is an object with a non-null
    /// <c>"error"</c>; otherwise deserializes it, with JSON <c>null</c> giving <see langword="null"/>.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already bounds-checked.</param>
    /// <param name="typeInfo">The result type's JSON metadata.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <exception cref="PluginErrorException">The result reports an error.</exception>
    /// <exception cref="MalformedResponseException">The bytes are not valid UTF-8 or JSON, the error is neither a string nor an object, or the result does not fit <typeparamref name="T"/>.</exception>
    public static T? ReadOptional<T>(GuestContext guest, GuestBuffer buffer, JsonTypeInfo<T> typeInfo, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return ReadJson(guest, guest.GetSpan(buffer, region), null, typeInfo, region);
    }

    /// <summary><see cref="ReadOptional{T}(GuestContext, GuestBuffer, JsonTypeInfo{T}, string)"/> through a generated reader: the <c>"error"</c> member and the result in one pass, System.Text.Json as the fallback.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already bounds-checked.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <exception cref="PluginErrorException">The result reports an error.</exception>
    public static T? ReadOptional<T>(GuestContext guest, GuestBuffer buffer, WasmJsonReader<T> reader, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(reader);
        return ReadJson(guest, guest.GetSpan(buffer, region), reader, reader.TypeInfo, region);
    }

    private static T? ReadJson<T>(GuestContext guest, ReadOnlySpan<byte> json, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        JsonPayload.ThrowIfInvalidUtf8(guest, json, region);
        if (fast is not null && fast.TryReadValidated(json, WasmJsonEnvelope.ErrorMember, out T? read))
        {
            return read;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = typeInfo.Options.EffectiveMaxDepth() });
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (!reader.ValueTextEquals("error"u8))
                    {
                        reader.Skip();
                        continue;
                    }

                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw ReadError(guest, ref reader, region);
                    }
                }
            }
        }
        catch (JsonException exception)
        {
            throw JsonPayload.Malformed(guest, region, exception);
        }

        return JsonPayload.DeserializeValidated(guest, json, typeInfo, region);
    }

    /// <summary>
    /// Takes a result an export returned as a packed <c>i64</c>: checks the region, reads it with
    /// <see cref="ReadOptional{T}(GuestContext, GuestBuffer, JsonTypeInfo{T}, string)"/> and frees the buffer, also when the result reports an error. A result that is
    /// JSON <c>null</c>, or empty, is malformed: the contract requires a value.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="typeInfo">The result type's JSON metadata.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="PluginErrorException">The result reports an error.</exception>
    /// <exception cref="MalformedResponseException">The result is not valid UTF-8 or JSON, is null, or does not fit <typeparamref name="T"/>.</exception>
    public static T Take<T>(GuestContext guest, long packed, JsonTypeInfo<T> typeInfo, string region)
        => TakeOptional(guest, packed, null, typeInfo, region) ?? throw JsonPayload.NullWhereRequired(guest, region);

    /// <summary><see cref="Take{T}(GuestContext, long, JsonTypeInfo{T}, string)"/> through a generated reader (System.Text.Json as the fallback).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="PluginErrorException">The result reports an error.</exception>
    public static T Take<T>(GuestContext guest, long packed, WasmJsonReader<T> reader, string region)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return TakeOptional(guest, packed, reader, reader.TypeInfo, region) ?? throw JsonPayload.NullWhereRequired(guest, region);
    }

    /// <summary><see cref="TakeOptional{T}(GuestContext, long, JsonTypeInfo{T}, string)"/> through a generated reader (System.Text.Json as the fallback).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="PluginErrorException">The result reports an error.</exception>
    public static T? TakeOptional<T>(GuestContext guest, long packed, WasmJsonReader<T> reader, string region)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return TakeOptional(guest, packed, reader, reader.TypeInfo, region);
    }

    /// <summary>Like <see cref="Take{T}(GuestContext, long, JsonTypeInfo{T}, string)"/>, for a result that may be JSON <c>null</c> or empty (both give <see langword="null"/>).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="typeInfo">The result type's JSON metadata.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="PluginErrorException">The result reports an error.</exception>
    public static T? TakeOptional<T>(GuestContext guest, long packed, JsonTypeInfo<T> typeInfo, string region)
        => TakeOptional(guest, packed, null, typeInfo, region);

    private static T? TakeOptional<T>(GuestContext guest, long packed, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region)
    {
        GuestBuffer buffer = PackedPtrLen.TakeResult(guest, packed, region, out ReadOnlySpan<byte> json);
        if (buffer.IsEmpty)
        {
            return default;
        }

        T? value;
        try
        {
            value = ReadJson(guest, json, fast, typeInfo, region);
        }
        catch (PluginErrorException)
        {
            guest.Free(buffer);
            throw;
        }

        guest.Free(buffer);
        return value;
    }

    private static PluginErrorException ReadError(GuestContext guest, ref Utf8JsonReader reader, string region)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new PluginErrorException(guest.Plugin.Id, guest.Export, DefaultCode, reader.GetString() ?? string.Empty, retryable: false);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw StatusEnvelope.Malformed(guest, region, $"\"error\" is {StatusEnvelope.Describe(ref reader)}; expected a message or an object with \"code\" and \"message\".", reader.TokenStartIndex);
        }

        string? code = null;
        string? message = null;
        bool retryable = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                code = StatusEnvelope.ReadString(guest, ref reader, region, "error.code");
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                message = StatusEnvelope.ReadString(guest, ref reader, region, "error.message");
            }
            else if (reader.ValueTextEquals("retryable"u8))
            {
                reader.Read();
                retryable = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Skip();
            }
        }

        return new PluginErrorException(guest.Plugin.Id, guest.Export, string.IsNullOrEmpty(code) ? DefaultCode : code, message ?? string.Empty, retryable);
    }
}
