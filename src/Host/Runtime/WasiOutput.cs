using System.Text;
using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.Runtime;

/// <summary>
/// What one instance wrote to WASI stdout and stderr, turned into log lines: each newline-terminated
/// line becomes one log entry of its own (so text after an embedded newline can never pose as a line of
/// the host's), through the plugin's log rate limit (<see cref="PluginLogSink.Admit"/>) and the sanitiser
/// (<see cref="PluginText"/>). An unfinished line waits, up to <see cref="MaxLineBytes"/>, for the rest
/// of it; a longer line is logged cut at that size and the rest of it, up to its newline, is dropped.
/// An unfinished line is logged when the call ends.
/// </summary>
/// <remarks>
/// An instance runs one call at a time, but under Wasmtime's WASI (<see cref="CapabilityWasi"/>) the
/// guest's writes arrive through <see cref="StandardOutput"/> and <see cref="StandardError"/> on a thread
/// Wasmtime owns, while the thread of the call waits for them; the end of the call flushes from the
/// call's own thread. A lock, never held while the guest runs, orders the two.
/// </remarks>
internal sealed class WasiOutput
{
    /// <summary>The most bytes of one line that are kept; the rest of a longer line is dropped.</summary>
    public const int MaxLineBytes = PluginLogSink.MaxMessageChars;

    private readonly Lock _lock = new();
    private readonly Stream _stdout;
    private readonly Stream _stderr;

    public WasiOutput(ILogger logger, LogRateLimiter limiter, string pluginId)
    {
        _stdout = new Stream(logger, limiter, pluginId, "stdout", LogLevel.Information);
        _stderr = new Stream(logger, limiter, pluginId, "stderr", LogLevel.Warning);
        StandardOutput = bytes => Take(1, bytes);
        StandardError = bytes => Take(2, bytes);
    }

    /// <summary>
    /// Wasmtime's stdout callback for this output. Kept here so that it lives as long as the instance
    /// whose store calls it.
    /// </summary>
    public Wasmtime.WasiOutputCallback StandardOutput { get; }

    /// <summary>Wasmtime's stderr callback for this output.</summary>
    public Wasmtime.WasiOutputCallback StandardError { get; }

    /// <summary>Takes bytes written to file descriptor 1 (stdout) or 2 (stderr).</summary>
    public void Write(int fd, ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            (fd == 1 ? _stdout : _stderr).Write(bytes);
        }
    }

    /// <summary>Logs the unfinished line of each stream, if any.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            _stdout.Flush();
            _stderr.Flush();
        }
    }

    // Wasmtime closes a stream for good when its callback throws, and the exception is lost anyway: a
    // logger that fails loses that write, not the plugin's output for the rest of the instance's life.
    private void Take(int fd, ReadOnlySpan<byte> bytes)
    {
        try
        {
            Write(fd, bytes);
        }
#pragma warning disable CA1031 // Nothing may escape into Wasmtime: see above.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private sealed class Stream(ILogger logger, LogRateLimiter limiter, string pluginId, string name, LogLevel level)
    {
        private readonly byte[] _line = new byte[MaxLineBytes];
        private int _length;
        private bool _cut;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                int newline = bytes.IndexOf((byte)'\n');
                ReadOnlySpan<byte> part = newline < 0 ? bytes : bytes[..newline];
                Append(part);
                if (newline < 0)
                {
                    return;
                }

                if (!_cut)
                {
                    Emit(_line.AsSpan(0, _length), cut: false);
                }

                _length = 0;
                _cut = false;
                bytes = bytes[(newline + 1)..];
            }
        }

        public void Flush()
        {
            if (_length > 0 && !_cut)
            {
                Emit(_line.AsSpan(0, _length), cut: false);
            }

            _length = 0;
            _cut = false;
        }

        // Adds part of a line; a line that outgrows the buffer is logged cut, once, and the rest dropped.
        private void Append(ReadOnlySpan<byte> part)
        {
            if (_cut)
            {
                return;
            }

            int room = MaxLineBytes - _length;
            if (part.Length <= room)
            {
                part.CopyTo(_line.AsSpan(_length));
                _length += part.Length;
                return;
            }

            part[..room].CopyTo(_line.AsSpan(_length));
            _length = MaxLineBytes;
            Emit(_line, cut: true);
            _cut = true;
        }

        private void Emit(ReadOnlySpan<byte> line, bool cut)
        {
            if (!logger.IsEnabled(level) || !PluginLogSink.Admit(limiter, logger, pluginId))
            {
                return;
            }

            // Invalid UTF-8 becomes U+FFFD; control characters, CR included, become spaces.
            string text = Encoding.UTF8.GetString(line.EndsWith((byte)'\r') ? line[..^1] : line);
            string clean = PluginText.Sanitize(text, PluginLogSink.MaxMessageChars);
            HostLog.PluginOutput(logger, level, pluginId, name, cut ? clean + "…" : clean);
        }
    }
}
