using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Airlock.Benchmarks.Raw;

/// <summary>
/// The one pooled buffer and <see cref="Utf8JsonWriter"/> a hand-written instance writes its JSON
/// inputs with (relaxed escaping, as the host writes), dropped after a payload over 1 MiB so one huge
/// payload does not pin memory; and the reader options its one-pass response readers use.
/// </summary>
public sealed class RawJsonScratch
{
    /// <summary>The reader options of the hand-written response readers.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    private const int RetainBytes = 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly int _initialCapacity;
    private ArrayBufferWriter<byte> _buffer;
    private Utf8JsonWriter _writer;

    /// <summary>Creates the buffer and its writer.</summary>
    /// <param name="initialCapacity">The buffer's first capacity.</param>
    public RawJsonScratch(int initialCapacity)
    {
        _initialCapacity = initialCapacity;
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
        _writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    /// <summary>Empties the buffer and returns the writer to write one payload with.</summary>
    public Utf8JsonWriter Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        return _writer;
    }

    /// <summary>Flushes the writer and returns the payload (valid until <see cref="Begin"/> or <see cref="Trim"/>).</summary>
    public ReadOnlySpan<byte> End()
    {
        _writer.Flush();
        return _buffer.WrittenSpan;
    }

    /// <summary>Drops a buffer that grew past 1 MiB, once its payload has been copied out.</summary>
    public void Trim()
    {
        if (_buffer.Capacity > RetainBytes)
        {
            _buffer = new ArrayBufferWriter<byte>(_initialCapacity);
            _writer.Dispose();
            _writer = new Utf8JsonWriter(_buffer, WriterOptions);
        }
    }
}
