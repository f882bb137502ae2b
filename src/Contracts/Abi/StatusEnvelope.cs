using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// Responses wrapped as <c>{"status":"ok", ...result}</c> or
/// <c>{"status":"error","code":...,"message":...,"retryable":...}</c>, with <c>"status"</c> anywhere
/// in the object. See <see cref="WasmResponseEnvelope.Status"/>.
/// </summary>
public static class StatusEnvelope
{
    /// <summary>
    /// Reads an enveloped response: returns the result of an ok response, throws
    /// <see cref="PluginErrorException"/> for an error response.
    /// </summary>
    /// <typeparam name="T">The result type; the ok object's other members are its JSON.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="typeInfo">The result type's JSON metadata.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error response.</exception>
    /// <exception cref="MalformedResponseException">The response is not an object with a valid <c>"status"</c>, or its result does not fit <typeparamref name="T"/>.</exception>
    public static T Read<T>(GuestContext guest, GuestBuffer buffer, JsonTypeInfo<T> typeInfo, string region)
        => Read(guest, buffer, typeInfo, region, DefaultSuccess, errorCodeRequired: true);

    /// <summary>
    /// <see cref="Read{T}(GuestContext, GuestBuffer, JsonTypeInfo{T}, string)"/> for a contract with its
    /// own success word (Driftless answers <c>"success"</c>) and, optionally, errors without a code.
    /// </summary>
    /// <typeparam name="T">The result type; the success object's other members are its JSON.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="typeInfo">The result type's JSON metadata.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <param name="successStatus">The <c>"status"</c> value of a successful response.</param>
    /// <param name="errorCodeRequired">Whether an error response must carry a <c>code</c>; without one it is <c>"error"</c>.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error response.</exception>
    /// <exception cref="MalformedResponseException">The response is not an object with a valid <c>"status"</c>, or its result does not fit <typeparamref name="T"/>.</exception>
    public static T Read<T>(GuestContext guest, GuestBuffer buffer, JsonTypeInfo<T> typeInfo, string region, string successStatus, bool errorCodeRequired)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return Read(guest, guest.GetSpan(buffer, region), null, typeInfo, region, successStatus, errorCodeRequired);
    }

    /// <summary>
    /// <see cref="Read{T}(GuestContext, GuestBuffer, JsonTypeInfo{T}, string, string, bool)"/> through a
    /// generated reader: the envelope and the result in one pass, System.Text.Json as the fallback.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <param name="successStatus">The <c>"status"</c> value of a successful response.</param>
    /// <param name="errorCodeRequired">Whether an error response must carry a <c>code</c>.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error response.</exception>
    /// <exception cref="MalformedResponseException">The response is not an object with a valid <c>"status"</c>, or its result does not fit <typeparamref name="T"/>.</exception>
    public static T Read<T>(GuestContext guest, GuestBuffer buffer, WasmJsonReader<T> reader, string region, string successStatus = DefaultSuccess, bool errorCodeRequired = true)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(reader);
        return Read(guest, guest.GetSpan(buffer, region), reader, reader.TypeInfo, region, successStatus, errorCodeRequired);
    }

    private static T Read<T>(GuestContext guest, ReadOnlySpan<byte> json, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region, string successStatus, bool errorCodeRequired)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentNullException.ThrowIfNull(successStatus);
        JsonPayload.ThrowIfInvalidUtf8(guest, json, region);
        if (fast is not null && fast.TryReadValidated(json, WasmJsonEnvelope.Status(successStatus), out T? read))
        {
            return read;
        }

        var options = new JsonReaderOptions { MaxDepth = typeInfo.Options.EffectiveMaxDepth() };
        if (ReadStatus(guest, json, options, region, successStatus))
        {
            T? value = JsonPayload.DeserializeValidated(guest, json, typeInfo, region);
            if (value is null)
            {
                throw new MalformedResponseException(guest.Plugin.Id, guest.Export, region, $"the \"{successStatus}\" response could not be read as a result.", 0);
            }

            return value;
        }

        throw ReadError(guest, json, options, region, errorCodeRequired);
    }

    /// <summary>
    /// Takes the status-enveloped result an export returned as a packed <c>i64</c>: checks the region,
    /// reads it, frees the buffer with <c>dealloc</c>, then returns the ok result or throws the
    /// plugin's error.
    /// </summary>
    /// <typeparam name="T">The ok result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="typeInfo">The ok result's JSON metadata.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <exception cref="PluginErrorException">The plugin answered <c>{"status":"error",...}</c>.</exception>
    public static T Take<T>(GuestContext guest, long packed, JsonTypeInfo<T> typeInfo, string region)
        => Take(guest, packed, typeInfo, region, DefaultSuccess, errorCodeRequired: true);

    /// <summary>
    /// <see cref="Take{T}(GuestContext, long, JsonTypeInfo{T}, string)"/> for a contract with its own
    /// success word (Driftless answers <c>"success"</c>) and, optionally, errors without a code.
    /// </summary>
    /// <typeparam name="T">The success result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="typeInfo">The success result's JSON metadata.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <param name="successStatus">The <c>"status"</c> value of a successful response.</param>
    /// <param name="errorCodeRequired">Whether an error response must carry a <c>code</c>; without one it is <c>"error"</c>.</param>
    /// <exception cref="PluginErrorException">The plugin answered <c>{"status":"error",...}</c>.</exception>
    public static T Take<T>(GuestContext guest, long packed, JsonTypeInfo<T> typeInfo, string region, string successStatus, bool errorCodeRequired)
        => Take(guest, packed, null, typeInfo, region, successStatus, errorCodeRequired);

    /// <summary>
    /// <see cref="Take{T}(GuestContext, long, JsonTypeInfo{T}, string, string, bool)"/> through a generated
    /// reader: the envelope and the result in one pass, System.Text.Json as the fallback.
    /// </summary>
    /// <typeparam name="T">The success result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the result is, for error messages.</param>
    /// <param name="successStatus">The <c>"status"</c> value of a successful response.</param>
    /// <param name="errorCodeRequired">Whether an error response must carry a <c>code</c>.</param>
    /// <exception cref="PluginErrorException">The plugin answered <c>{"status":"error",...}</c>.</exception>
    public static T Take<T>(GuestContext guest, long packed, WasmJsonReader<T> reader, string region, string successStatus = DefaultSuccess, bool errorCodeRequired = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Take(guest, packed, reader, reader.TypeInfo, region, successStatus, errorCodeRequired);
    }

    private static T Take<T>(GuestContext guest, long packed, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region, string successStatus, bool errorCodeRequired)
    {
        GuestBuffer buffer = PackedPtrLen.TakeResult(guest, packed, region, out ReadOnlySpan<byte> json);
        T value;
        try
        {
            value = Read(guest, json, fast, typeInfo, region, successStatus, errorCodeRequired);
        }
        catch (PluginErrorException)
        {
            // An error response is a clean answer: give the buffer back before reporting it.
            guest.Free(buffer);
            throw;
        }

        guest.Free(buffer);
        return value;
    }

    private const string DefaultSuccess = "ok";

    // Returns true for the success word ("ok" unless the contract says otherwise), false for "error"; anything else is malformed.
    private static bool ReadStatus(GuestContext guest, ReadOnlySpan<byte> json, JsonReaderOptions options, string region, string successStatus)
    {
        var reader = new Utf8JsonReader(json, options);
        bool? ok = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(guest, region, "the response is not a JSON object.", reader.TokenStartIndex);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("status"u8))
                {
                    reader.Skip();
                    continue;
                }

                long at = reader.TokenStartIndex;
                if (ok is not null)
                {
                    throw Malformed(guest, region, "\"status\" appears more than once.", at);
                }

                reader.Read();
                ok = reader.TokenType != JsonTokenType.String ? null
                    : reader.ValueTextEquals(successStatus) ? true
                    : reader.ValueTextEquals("error"u8) ? false
                    : null;
                if (ok is null)
                {
                    throw Malformed(guest, region, $"\"status\" is {Describe(ref reader)}; expected \"{successStatus}\" or \"error\".", reader.TokenStartIndex);
                }
            }

            // Reading on to the end rejects trailing content after the object.
            while (reader.Read())
            {
            }
        }
        catch (JsonException exception)
        {
            throw JsonPayload.Malformed(guest, region, exception);
        }

        return ok ?? throw Malformed(guest, region, $"the response has no \"status\"; expected \"{successStatus}\" or \"error\".", null);
    }

    private static PluginErrorException ReadError(GuestContext guest, ReadOnlySpan<byte> json, JsonReaderOptions options, string region, bool codeRequired)
    {
        var reader = new Utf8JsonReader(json, options);
        string? code = null;
        string? message = null;
        bool retryable = false;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                code = ReadString(guest, ref reader, region, "code");
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                message = ReadString(guest, ref reader, region, "message");
            }
            else if (reader.ValueTextEquals("retryable"u8))
            {
                reader.Read();
                retryable = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False or JsonTokenType.Null => false,
                    _ => throw Malformed(guest, region, $"\"retryable\" is {Describe(ref reader)}; expected true or false.", reader.TokenStartIndex),
                };
            }
            else
            {
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(code))
        {
            if (codeRequired)
            {
                throw Malformed(guest, region, "the error response has no \"code\".", null);
            }

            code = "error";
        }

        return new PluginErrorException(guest.Plugin.Id, guest.Export, code, message ?? string.Empty, retryable);
    }

    internal static string? ReadString(GuestContext guest, ref Utf8JsonReader reader, string region, string member)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw Malformed(guest, region, $"\"{member}\" is {Describe(ref reader)}; expected a string.", reader.TokenStartIndex),
        };
    }

    internal static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.ValueSpan.Length <= 32 ? JsonSerializer.Serialize(reader.GetString(), JsonPayloadContext.Default.String) : "a long string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        _ => reader.TokenType.ToString(),
    };

    internal static MalformedResponseException Malformed(GuestContext guest, string region, string problem, long? offset)
        => new(guest.Plugin.Id, guest.Export, region, problem, offset);

    internal static int EffectiveMaxDepth(this JsonSerializerOptions options) => options.MaxDepth == 0 ? 64 : options.MaxDepth;
}
