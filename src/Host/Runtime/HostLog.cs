using Microsoft.Extensions.Logging;

namespace Airlock.Runtime;

/// <summary>The host's log messages.</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded plugin {PluginId} {Version} ({Contract}, module sha256 {Sha256}) in {ElapsedMs:0.0} ms")]
    public static partial void Loaded(ILogger logger, string pluginId, string version, string contract, string sha256, double elapsedMs);

    [LoggerMessage(EventId = 2, Message = "Plugin {PluginId} wrote to {Stream}: {Text}")]
    public static partial void PluginOutput(ILogger logger, LogLevel level, string pluginId, string stream, string text);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Discarded an instance of plugin {PluginId} after {Export} failed: {Reason}")]
    public static partial void Discarded(ILogger logger, string pluginId, string export, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Reusing the compiled module of {PluginId} (sha256 {Sha256})")]
    public static partial void ModuleCacheHit(ILogger logger, string pluginId, string sha256);
}
