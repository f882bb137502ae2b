using Airlock.Services;
using Microsoft.Extensions.Logging;

namespace Airlock.Driftless;

/// <summary>Where Driftless plugins are found and how they run.</summary>
public sealed class DriftlessPluginOptions
{
    /// <summary>
    /// The plugins directory: <c>&lt;name&gt;.wasm</c> files, and wasm-pack's output layout
    /// (<c>pkg/&lt;name&gt;_bg.wasm</c>, also inside a folder per plugin). Default <c>~/.driftless/plugins</c>.
    /// </summary>
    public string DirectoryPath { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".driftless", "plugins");

    /// <summary>
    /// The <c>plugins.toml</c> settings: memory, fuel and time per execution, WASI, debug. Default: the
    /// Driftless defaults (64 MiB, 1 billion instructions, 30 s, no WASI, no debug). Load a file with
    /// <see cref="DriftlessSettings.Load"/>.
    /// </summary>
    public DriftlessSettings Settings { get; set; } = DriftlessSettings.Default;

    /// <summary>Whether the directory is watched and changed plugins reloaded. Default <see langword="false"/>.</summary>
    public bool Watch { get; set; }

    /// <summary>Where plugin log lines go (category <c>Airlock.Driftless</c>).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The per-plugin log rate limit of <c>host_log</c>; a default one (10 lines a second, bursts of 50) when null.</summary>
    public LogRateLimiter? LogLimiter { get; set; }

    /// <summary>The clock of <c>host_get_timestamp</c>; the system clock when null.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Told what each call of a plugin loaded with these options cost (the <c>airlock run</c> command reports it).</summary>
    internal Action<Runtime.PluginCallCost>? CallObserver { get; set; }
}
