using Microsoft.Extensions.Logging;

namespace Airlock.Runtime;

/// <summary>The host's log messages.</summary>
internal static partial class HostLog
{
    /// <summary>Logs a load; the id and version (a manifest's text) are sanitised.</summary>
    public static void Loaded(ILogger logger, string pluginId, string version, string contract, string sha256, double elapsedMs)
        => LogLoaded(logger, PluginText.Sanitize(pluginId, Auditing.AuditEntry.MaxNameChars), PluginText.Sanitize(version, Auditing.AuditEntry.MaxNameChars), contract, sha256, elapsedMs);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Loaded plugin {PluginId} {Version} ({Contract}, module sha256 {Sha256}) in {ElapsedMs:0.0} ms")]
    private static partial void LogLoaded(ILogger logger, string pluginId, string version, string contract, string sha256, double elapsedMs);

    [LoggerMessage(EventId = 2, Message = "Plugin {PluginId} wrote to {Stream}: {Text}")]
    public static partial void PluginOutput(ILogger logger, LogLevel level, string pluginId, string stream, string text);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Discarded an instance of plugin {PluginId} after {Export} failed: {Reason}")]
    public static partial void Discarded(ILogger logger, string pluginId, string export, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Reusing the compiled module of {PluginId} (sha256 {Sha256})")]
    public static partial void ModuleCacheHit(ILogger logger, string pluginId, string sha256);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Loaded the compiled module of {PluginId} (sha256 {Sha256}) from {Path}")]
    public static partial void ModuleCacheLoaded(ILogger logger, string pluginId, string sha256, string path);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Stored the compiled module of {PluginId} (sha256 {Sha256}) in {Path} ({Bytes} bytes)")]
    public static partial void ModuleCacheStored(ILogger logger, string pluginId, string sha256, string path, long bytes);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Deleted module cache file {Path}: {Reason}; the module is compiled again")]
    public static partial void ModuleCacheRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "The module cache at {Path} cannot be used: {Reason}; compiling instead")]
    public static partial void ModuleCacheUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Evicted module cache file {Path} ({Bytes} bytes) to stay within the cache budget")]
    public static partial void ModuleCacheEvicted(ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "The compiled module of {PluginId} ({Bytes} bytes) is larger than the whole module cache ({MaxBytes} bytes); not stored")]
    public static partial void ModuleCacheTooLarge(ILogger logger, string pluginId, long bytes, long maxBytes);
}
