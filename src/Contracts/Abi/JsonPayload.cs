using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>
/// JSON payloads in guest memory, through the source-generated <see cref="JsonTypeInfo{T}"/> of the
/// contract's <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>: no reflection.
/// </summary>
public static class JsonPayload
{
    /// <summary>Serializes <paramref name="value"/> into a new guest buffer.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">The payload type's JSON metadata.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static GuestBuffer Write<T>(GuestContext guest, T value, JsonTypeInfo<T> typeInfo, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        GuestBuffer buffer = PackedPtrLen.WriteInput(guest, Serialize(guest, value, typeInfo), purpose);
        guest.TrimScratch();
        return buffer;
    }

    /// <summary>
    /// Serializes a union value into a new guest buffer: its case through the case's own metadata,
    /// after the discriminator; see <see cref="WasmJsonUnion{T}"/>.
    /// </summary>
    /// <typeparam name="T">The union type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The value.</param>
    /// <param name="union">The union's cases.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static GuestBuffer Write<T>(GuestContext guest, T value, WasmJsonUnion<T> union, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        ArgumentNullException.ThrowIfNull(union);
        UnionJson json = union.Serialize(guest, value);
        json.CopyTo(guest.AllocateSpan(json.Length, purpose, out GuestBuffer buffer));
        guest.TrimScratch();
        return buffer;
    }

    /// <summary>
    /// Writes a union case from a generated case writer into a new guest buffer: by the writer when
    /// <paramref name="direct"/> (the union checked it, see <see cref="WasmJsonUnion{T}.CanWriteMembers{TCase}"/>),
    /// else through the union's metadata.
    /// </summary>
    /// <typeparam name="T">The union type.</typeparam>
    /// <typeparam name="TCase">The generated case writer.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The case's values.</param>
    /// <param name="union">The union's cases.</param>
    /// <param name="direct">Whether the case writer may write the case.</param>
    /// <param name="purpose">What the buffer is for, for error messages.</param>
    public static GuestBuffer Write<T, TCase>(GuestContext guest, in TCase value, WasmJsonUnion<T> union, bool direct, string purpose)
        where TCase : struct, IWasmUnionCase<T>
    {
        ArgumentNullException.ThrowIfNull(union);
        if (!direct)
        {
            return Write(guest, value.Create(), union, purpose);
        }

        ArgumentNullException.ThrowIfNull(guest);
        Utf8JsonWriter writer = guest.RentJsonWriter(out ArrayBufferWriter<byte> buffer);
        union.WriteCase(writer, in value);
        writer.Flush();
        GuestBuffer written = PackedPtrLen.WriteInput(guest, buffer.WrittenSpan, purpose);
        guest.TrimScratch();
        return written;
    }

    /// <summary>
    /// Serializes a host function's result and hands it to the guest, packed; see
    /// <see cref="PackedPtrLen.ReturnResult"/>.
    /// </summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="value">The value.</param>
    /// <param name="typeInfo">The payload type's JSON metadata.</param>
    /// <param name="purpose">What the result is, for error messages.</param>
    public static long Return<T>(GuestContext guest, T? value, JsonTypeInfo<T> typeInfo, string purpose)
    {
        ArgumentNullException.ThrowIfNull(guest);
        if (value is null)
        {
            return guest.StatusResult(HostCallStatus.NotFound, purpose);
        }

        long packed = PackedPtrLen.ReturnResult(guest, Serialize(guest, value, typeInfo), purpose);
        guest.TrimScratch();
        return packed;
    }

    /// <summary>Deserializes a guest buffer; JSON <c>null</c> is refused.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="typeInfo">The payload type's JSON metadata.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <exception cref="MalformedResponseException">The bytes are not valid UTF-8, not valid JSON, not of the expected shape, or <c>null</c>.</exception>
    public static T Read<T>(GuestContext guest, GuestBuffer buffer, JsonTypeInfo<T> typeInfo, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return Required(guest, guest.GetSpan(buffer, region), typeInfo, region);
    }

    internal static T Required<T>(GuestContext guest, ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string region)
        => Deserialize(guest, json, typeInfo, region) ?? throw NullWhereRequired(guest, region);

    /// <summary>The error of a JSON <c>null</c> (or nothing) where the contract requires a value.</summary>
    internal static MalformedResponseException NullWhereRequired(GuestContext guest, string region)
        => new(guest.Plugin.Id, guest.Export, region, "the JSON is null where a value is required.", 0);

    /// <summary>Deserializes a guest buffer; JSON <c>null</c> gives <see langword="null"/>.</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="typeInfo">The payload type's JSON metadata.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    /// <exception cref="MalformedResponseException">The bytes are not valid UTF-8, not valid JSON or not of the expected shape.</exception>
    public static T? ReadOptional<T>(GuestContext guest, GuestBuffer buffer, JsonTypeInfo<T> typeInfo, string region)
        => ReadOptional(guest, buffer, null, typeInfo, region);

    /// <summary>
    /// Takes the JSON result an export returned as a packed <c>i64</c>: checks the region, reads a
    /// required value and frees the buffer with <c>dealloc</c>.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="typeInfo">The result's JSON metadata.</param>
    /// <param name="region">What the result is, for error messages.</param>
    public static T Take<T>(GuestContext guest, long packed, JsonTypeInfo<T> typeInfo, string region)
        => Take(guest, packed, null, typeInfo, region);

    /// <summary>Like <see cref="Take{T}(GuestContext, long, JsonTypeInfo{T}, string)"/>, for a result that may be JSON <c>null</c> or empty.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="typeInfo">The result's JSON metadata.</param>
    /// <param name="region">What the result is, for error messages.</param>
    public static T? TakeOptional<T>(GuestContext guest, long packed, JsonTypeInfo<T> typeInfo, string region)
        => TakeOptional(guest, packed, null, typeInfo, region);

    /// <summary><see cref="Take{T}(GuestContext, long, JsonTypeInfo{T}, string)"/> through a generated reader (System.Text.Json as the fallback).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the result is, for error messages.</param>
    public static T Take<T>(GuestContext guest, long packed, WasmJsonReader<T> reader, string region)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return Take(guest, packed, reader, reader.TypeInfo, region);
    }

    /// <summary><see cref="TakeOptional{T}(GuestContext, long, JsonTypeInfo{T}, string)"/> through a generated reader (System.Text.Json as the fallback).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="packed">The export's result.</param>
    /// <param name="reader">The result type's reader.</param>
    /// <param name="region">What the result is, for error messages.</param>
    public static T? TakeOptional<T>(GuestContext guest, long packed, WasmJsonReader<T> reader, string region)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return TakeOptional(guest, packed, reader, reader.TypeInfo, region);
    }

    /// <summary><see cref="ReadOptional{T}(GuestContext, GuestBuffer, JsonTypeInfo{T}, string)"/> through a generated reader (System.Text.Json as the fallback).</summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="guest">The instance.</param>
    /// <param name="buffer">The region, already checked by <see cref="PackedPtrLen"/>.</param>
    /// <param name="reader">The payload type's reader.</param>
    /// <param name="region">What the region holds, for error messages.</param>
    public static T? ReadOptional<T>(GuestContext guest, GuestBuffer buffer, WasmJsonReader<T> reader, string region)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadOptional(guest, buffer, reader, reader.TypeInfo, region);
    }

    private static T Take<T>(GuestContext guest, long packed, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region)
    {
        GuestBuffer buffer = PackedPtrLen.TakeResult(guest, packed, region, out ReadOnlySpan<byte> json);
        T value = Read(guest, json, fast, typeInfo, region) ?? throw NullWhereRequired(guest, region);
        guest.Free(buffer);
        return value;
    }

    private static T? TakeOptional<T>(GuestContext guest, long packed, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region)
    {
        GuestBuffer buffer = PackedPtrLen.TakeResult(guest, packed, region, out ReadOnlySpan<byte> json);
        if (buffer.IsEmpty)
        {
            return default;
        }

        T? value = Read(guest, json, fast, typeInfo, region);
        guest.Free(buffer);
        return value;
    }

    private static T? ReadOptional<T>(GuestContext guest, GuestBuffer buffer, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return Read(guest, guest.GetSpan(buffer, region), fast, typeInfo, region);
    }

    // JSON null gives null; the generated pass first when there is one, System.Text.Json when it cannot decide.
    private static T? Read<T>(GuestContext guest, ReadOnlySpan<byte> json, WasmJsonReader<T>? fast, JsonTypeInfo<T> typeInfo, string region)
    {
        ThrowIfInvalidUtf8(guest, json, region);
        return fast is not null && fast.TryReadValidated(json, WasmJsonEnvelope.None, out T? value) ? value : DeserializeValidated(guest, json, typeInfo, region);
    }

    /// <summary>Reads a required JSON argument a guest passed to a host function as (ptr, len).</summary>
    /// <typeparam name="T">The argument type.</typeparam>
    /// <param name="guest">The calling instance.</param>
    /// <param name="pointer">The argument's pointer.</param>
    /// <param name="length">The argument's length.</param>
    /// <param name="typeInfo">The argument's JSON metadata.</param>
    /// <param name="region">What the argument is, for error messages.</param>
    public static T ReadArgument<T>(GuestContext guest, int pointer, int length, JsonTypeInfo<T> typeInfo, string region)
        => Required(guest, PackedPtrLen.ArgumentBytes(guest, pointer, length, region), typeInfo, region);

    /// <summary>
    /// Reads an optional JSON argument a guest passed to a host function as (ptr, len): an empty
    /// argument (length 0) and JSON <c>null</c> both give <see langword="null"/>.
    /// </summary>
    /// <typeparam name="T">The argument type.</typeparam>
    /// <param name="guest">The calling instance.</param>
    /// <param name="pointer">The argument's pointer.</param>
    /// <param name="length">The argument's length.</param>
    /// <param name="typeInfo">The argument's JSON metadata.</param>
    /// <param name="region">What the argument is, for error messages.</param>
    public static T? ReadOptionalArgument<T>(GuestContext guest, int pointer, int length, JsonTypeInfo<T> typeInfo, string region)
    {
        ReadOnlySpan<byte> json = PackedPtrLen.ArgumentBytes(guest, pointer, length, region);
        return json.IsEmpty ? default : Deserialize(guest, json, typeInfo, region);
    }

    internal static T? Deserialize<T>(GuestContext guest, ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string region)
    {
        ThrowIfInvalidUtf8(guest, json, region);
        return DeserializeValidated(guest, json, typeInfo, region);
    }

    /// <summary><see cref="Deserialize{T}"/> of bytes already found to be valid UTF-8.</summary>
    internal static T? DeserializeValidated<T>(GuestContext guest, ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo, string region)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo);
        }
        catch (JsonException exception)
        {
            throw Malformed(guest, region, exception);
        }
        catch (NotSupportedException exception)
        {
            throw new MalformedResponseException(guest.Plugin.Id, guest.Export, region, exception.Message, innerException: exception);
        }
    }

    internal static void ThrowIfInvalidUtf8(GuestContext guest, ReadOnlySpan<byte> json, string region)
    {
        int invalid = Utf8Validation.IndexOfInvalid(json);
        if (invalid >= 0)
        {
            throw new MalformedResponseException(guest.Plugin.Id, guest.Export, region, "the bytes are not valid UTF-8.", invalid);
        }
    }

    internal static MalformedResponseException Malformed(GuestContext guest, string region, JsonException exception)
    {
        // System.Text.Json appends "Path: ... | LineNumber: ... | BytePositionInLine: ..." to its
        // messages; the exception carries those as properties, so state them once, structured.
        string problem = exception.Message;
        int suffix = problem.IndexOf(" Path: ", StringComparison.Ordinal);
        if (suffix > 0)
        {
            problem = problem[..suffix];
        }

        long? offset = exception.LineNumber == 0 ? exception.BytePositionInLine : null;
        if (exception.LineNumber is > 0 and { } line)
        {
            problem += $" (line {line + 1}, byte {exception.BytePositionInLine} of the line)";
        }

        return new MalformedResponseException(guest.Plugin.Id, guest.Export, region, problem, offset, exception.Path, exception);
    }

    internal static ReadOnlySpan<byte> Serialize<T>(GuestContext guest, T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        Utf8JsonWriter writer = guest.RentJsonWriter(out ArrayBufferWriter<byte> buffer);
        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // The caller's value, not the plugin's answer: text UTF-8 cannot hold (a lone surrogate, also inside a
            // JsonElement's escapes), or a value its metadata refuses. Nothing was sent to the plugin.
            throw new ArgumentException($"The {typeInfo.Type.Name} payload for '{guest.Export}' of plugin '{guest.Plugin.Id}' cannot be written as JSON: {(exception.InnerException ?? exception).Message}", nameof(value), exception);
        }

        writer.Flush();
        return buffer.WrittenSpan;
    }
}
