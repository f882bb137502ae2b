using System.Text.Json;
using System.Text.Unicode;
using Airlock.Contracts.Lesstruct;
using Wasmtime;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// The hand-written baseline for the Lesstruct <c>hook_before_save</c> over the fixed-offset ABI:
/// the <see cref="ContentItem"/> serialized with <see cref="LesstructJsonContext"/>'s source-generated
/// metadata into a pooled buffer, written at 65536 after checking it fits the input window, the hook
/// called, and its result (as long as the input: the module has no <c>__hook_result_len</c>) read in
/// place — bounds, payload limit, strict UTF-8, the <c>"error"</c> member — in one
/// <see cref="Utf8JsonReader"/> pass that hands <c>customFields</c> to the source-generated reader.
/// </summary>
public sealed class RawRedactPlugin : RawPlugin<RawRedactInstance>
{
    /// <summary>Where inputs are written (<see cref="ILesstructPlugin.InputOffset"/>).</summary>
    public const int InputOffset = ILesstructPlugin.InputOffset;

    /// <summary>Compiles the module and creates the first instance.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="module">The module's bytes.</param>
    /// <param name="inputWindowEnd">
    /// The first address above <see cref="InputOffset"/> the guest owns (its data segment), worked out
    /// once when the module is loaded.
    /// </param>
    /// <param name="limits">The limits (the host's defaults).</param>
    public RawRedactPlugin(RawEngine engine, byte[] module, ulong inputWindowEnd, PluginLimits limits)
        : base(engine, "redact", module, limits, static _ => { }, (e, linker, m) => new RawRedactInstance(e, linker, m, limits, inputWindowEnd))
    {
    }

    /// <summary><c>hook_before_save</c>: the hook's result, or <see langword="null"/> for no change.</summary>
    /// <param name="item">The item about to be saved.</param>
    /// <exception cref="RawPluginErrorException">The hook answered <c>{"error": ...}</c>.</exception>
    public ContentHookResult? BeforeSave(ContentItem item)
        => Call(item, static (instance, item) => instance.BeforeSave(item));
}

/// <summary>One instance of the redact plugin with its hook bound and its JSON buffer.</summary>
public sealed class RawRedactInstance : RawInstance
{
    private const long WasmPageBytes = 65536;

    private readonly Func<int, int, int> _beforeSave;
    private readonly ulong _inputCapacity;
    private readonly RawJsonScratch _scratch = new(2048);

    /// <summary>Instantiates the module and binds its hook.</summary>
    /// <param name="engine">The engine.</param>
    /// <param name="linker">The (empty) linker.</param>
    /// <param name="module">The module.</param>
    /// <param name="limits">The limits.</param>
    /// <param name="inputWindowEnd">The first guest-owned address above the input offset.</param>
    public RawRedactInstance(Engine engine, Linker linker, Module module, PluginLimits limits, ulong inputWindowEnd)
        : base(engine, linker, module, limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _beforeSave = Instance.GetFunction("hook_before_save")?.WrapFunc<int, int, int>()
            ?? throw new InvalidOperationException("The module has no hook_before_save of type (i32, i32) -> i32.");

        // The window ends at the guest's data, the memory's maximum, the memory limit or the payload
        // limit, whichever comes first: all fixed once the instance exists.
        ulong end = inputWindowEnd;
        if (Memory.Maximum is long maximumPages)
        {
            end = Math.Min(end, (ulong)maximumPages * WasmPageBytes);
        }

        end = Math.Min(end, (ulong)limits.MemoryBytes);
        end = Math.Min(end, (ulong)RawRedactPlugin.InputOffset + (ulong)limits.MaxPayloadBytes);
        _inputCapacity = end > RawRedactPlugin.InputOffset ? end - RawRedactPlugin.InputOffset : 0;
    }

    /// <summary>One <c>hook_before_save</c> on this instance; the caller has begun the call.</summary>
    /// <param name="item">The item.</param>
    public ContentHookResult? BeforeSave(ContentItem item)
    {
        JsonSerializer.Serialize(_scratch.Begin(), item, LesstructJsonContext.Default.ContentItem);
        ReadOnlySpan<byte> input = _scratch.End();
        int length = input.Length;
        if ((ulong)length > _inputCapacity)
        {
            throw new RawGuestException($"The item is {length} bytes; the input window holds {_inputCapacity}.");
        }

        ulong end = (ulong)RawRedactPlugin.InputOffset + (ulong)length;
        ulong size = (ulong)Memory.GetLength();
        if (end > size)
        {
            Memory.Grow((long)((end - size + WasmPageBytes - 1) / WasmPageBytes));
        }

        input.CopyTo(View(RawRedactPlugin.InputOffset, (uint)length, "item of hook_before_save"));
        _scratch.Trim();

        int resultOffset = _beforeSave(RawRedactPlugin.InputOffset, length);
        if (resultOffset == 0 || length == 0)
        {
            return null;
        }

        return ReadResult(ViewPayload(unchecked((uint)resultOffset), (uint)length, "result of hook_before_save"));
    }

    // One pass over the result: an "error" member that is not null is the hook's error; "customFields"
    // goes to the source-generated reader; everything else is skipped; nothing may follow the value.
    private static ContentHookResult? ReadResult(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            throw new RawGuestException("The result of hook_before_save is not valid UTF-8.");
        }

        try
        {
            var reader = new Utf8JsonReader(json, RawJsonScratch.ReaderOptions);
            if (!reader.Read())
            {
                throw new RawGuestException("The result of hook_before_save is empty.");
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new RawGuestException("The result of hook_before_save is not a JSON object.");
            }

            var result = new ContentHookResult();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("customFields"u8))
                {
                    reader.Read();
                    result.CustomFields = reader.TokenType == JsonTokenType.Null
                        ? null
                        : JsonSerializer.Deserialize(ref reader, LesstructJsonContext.Default.DictionaryStringJsonElement);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        throw ReadError(ref reader);
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            while (reader.Read())
            {
            }

            return result;
        }
        catch (JsonException exception)
        {
            throw new RawGuestException("The result of hook_before_save is not valid JSON: " + exception.Message, exception);
        }
    }

    private static RawPluginErrorException ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new RawPluginErrorException("plugin_error", reader.GetString() ?? string.Empty, retryable: false);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new RawGuestException("\"error\" is neither a message nor an object.");
        }

        string? code = null;
        string? message = null;
        bool retryable = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                code = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
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

        return new RawPluginErrorException(string.IsNullOrEmpty(code) ? "plugin_error" : code, message ?? string.Empty, retryable);
    }
}
