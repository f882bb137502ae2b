using System.Text.Json;
using Airlock.Contracts.Driftless;
using Microsoft.Extensions.Logging;

namespace Airlock.Driftless;

/// <summary>
/// A loaded Driftless plugin, whichever convention it speaks (<see cref="IDriftlessPlugin"/> or
/// <see cref="IDriftlessPackedPlugin"/>): what it registered at load, and its executions, each of
/// which validates the configuration against the component's <c>config_schema</c> before the plugin
/// runs. Created by <see cref="DriftlessPlugins"/>.
/// </summary>
public sealed partial class DriftlessPlugin : IWasmPlugin
{
    private readonly IDriftlessExports _exports;
    private readonly IAsyncDisposable _plugin;
    private readonly DriftlessConfigValidator _validator;

    private DriftlessPlugin(IDriftlessExports exports, IAsyncDisposable plugin, WasmPluginInfo info, DriftlessRegistrations registered, DriftlessConfigValidator validator)
    {
        _exports = exports;
        _plugin = plugin;
        Info = info;
        Registered = registered;
        _validator = validator;
    }

    /// <inheritdoc/>
    public WasmPluginInfo Info { get; }

    /// <summary>What the plugin registered, read once at load.</summary>
    public DriftlessRegistrations Registered { get; }

    /// <summary>The plugin's exports, without configuration validation: prefer this class's methods.</summary>
    public IDriftlessExports Exports => _exports;

    /// <summary>Runs a task after validating <paramref name="config"/> against its schema.</summary>
    /// <param name="name">The task's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the task's schema; the plugin was not called.</exception>
    /// <exception cref="PluginErrorException">The plugin registered no such task, or answered with an error.</exception>
    public ValueTask<DriftlessTaskResult> ExecuteTaskAsync(string name, JsonElement config, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.Task, Registered.Tasks, name, config, "execute_task");
        return _exports.ExecuteTaskAsync(name, config, cancellationToken);
    }

    /// <summary>Runs a facts collector after validating <paramref name="config"/>.</summary>
    /// <param name="name">The collector's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the collector's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessFactsResult> ExecuteFactsCollectorAsync(string name, JsonElement config, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.FactsCollector, Registered.FactsCollectors, name, config, "execute_facts_collector");
        return _exports.ExecuteFactsCollectorAsync(name, config, cancellationToken);
    }

    /// <summary>Reads from a log source after validating <paramref name="config"/>.</summary>
    /// <param name="name">The source's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the source's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessLogSourceResult> ExecuteLogSourceAsync(string name, JsonElement config, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.LogSource, Registered.LogSources, name, config, "execute_log_source");
        return _exports.ExecuteLogSourceAsync(name, config, cancellationToken);
    }

    /// <summary>Parses a raw log line after validating <paramref name="config"/>.</summary>
    /// <param name="name">The parser's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="input">The raw line.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the parser's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessLogParseResult> ExecuteLogParserAsync(string name, JsonElement config, string input, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.LogParser, Registered.LogParsers, name, config, "execute_log_parser");
        return _exports.ExecuteLogParserAsync(name, config, input, cancellationToken);
    }

    /// <summary>Asks a log filter about an entry after validating <paramref name="config"/>.</summary>
    /// <param name="name">The filter's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the filter's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessLogFilterResult> ExecuteLogFilterAsync(string name, JsonElement config, DriftlessLogEntry entry, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.LogFilter, Registered.LogFilters, name, config, "execute_log_filter");
        return _exports.ExecuteLogFilterAsync(name, config, entry, cancellationToken);
    }

    /// <summary>Formats an entry for a log output after validating <paramref name="config"/>.</summary>
    /// <param name="name">The output's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="entry">The entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the output's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessLogOutputResult> ExecuteLogOutputAsync(string name, JsonElement config, DriftlessLogEntry entry, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.LogOutput, Registered.LogOutputs, name, config, "execute_log_output");
        return _exports.ExecuteLogOutputAsync(name, config, entry, cancellationToken);
    }

    /// <summary>Applies a template filter after validating <paramref name="config"/>.</summary>
    /// <param name="name">The filter's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="value">The value.</param>
    /// <param name="args">The arguments, a JSON array.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the filter's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessValueResult> ExecuteTemplateFilterAsync(string name, JsonElement config, JsonElement value, JsonElement args, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.TemplateExtension, Registered.TemplateExtensions, name, config, "execute_template_filter");
        return _exports.ExecuteTemplateFilterAsync(name, config, value, args, cancellationToken);
    }

    /// <summary>Calls a template function after validating <paramref name="config"/>.</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="args">The arguments, a JSON array.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="DriftlessConfigException">The configuration does not match the function's schema; the plugin was not called.</exception>
    public ValueTask<DriftlessValueResult> ExecuteTemplateFunctionAsync(string name, JsonElement config, JsonElement args, CancellationToken cancellationToken = default)
    {
        Check(DriftlessComponentKind.TemplateExtension, Registered.TemplateExtensions, name, config, "execute_template_function");
        return _exports.ExecuteTemplateFunctionAsync(name, config, args, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _validator.Forget(Info.Id);
        await _plugin.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads what a freshly loaded plugin registers, and wraps it.</summary>
    internal static async Task<DriftlessPlugin> CreateAsync<TPlugin>(TPlugin plugin, DriftlessConfigValidator validator, ILogger logger, CancellationToken cancellationToken)
        where TPlugin : class, IDriftlessExports, IWasmPlugin<TPlugin>
    {
        try
        {
            var registered = new DriftlessRegistrations(
                await plugin.GetTaskDefinitionsAsync(cancellationToken).ConfigureAwait(false) ?? [],
                await plugin.GetFactsCollectorsAsync(cancellationToken).ConfigureAwait(false) ?? [],
                await plugin.GetTemplateExtensionsAsync(cancellationToken).ConfigureAwait(false) ?? [],
                await plugin.GetLogSourcesAsync(cancellationToken).ConfigureAwait(false) ?? [],
                await plugin.GetLogParsersAsync(cancellationToken).ConfigureAwait(false) ?? [],
                await plugin.GetLogFiltersAsync(cancellationToken).ConfigureAwait(false) ?? [],
                await plugin.GetLogOutputsAsync(cancellationToken).ConfigureAwait(false) ?? []);
            registered.ThrowIfInvalid(plugin.Info.Id);
            LogRegistered(logger, plugin.Info.Id, plugin.Info.Version, registered.Describe());
            return new DriftlessPlugin(plugin, plugin, plugin.Info, registered, validator);
        }
        catch
        {
            await plugin.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Check(DriftlessComponentKind kind, IReadOnlyList<DriftlessDefinition> definitions, string name, JsonElement config, string export)
    {
        ArgumentNullException.ThrowIfNull(name);
        DriftlessDefinition? definition = null;
        foreach (DriftlessDefinition candidate in definitions)
        {
            if (string.Equals(candidate.Name, name, StringComparison.Ordinal))
            {
                definition = candidate;
                break;
            }
        }

        if (definition is null)
        {
            throw new PluginErrorException(Info.Id, export, "unknown_component", $"plugin '{Info.Id}' registered no {kind.Describe()} named '{Runtime.PluginText.Sanitize(name, 100)}'.", retryable: false);
        }

        if (definition.ConfigSchema is { } schema)
        {
            _validator.Validate(Info.Id, kind, name, schema, config);
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Driftless plugin {PluginId} {Version} registered {Registered}")]
    private static partial void LogRegistered(ILogger logger, string pluginId, string version, string registered);
}

/// <summary>What a Driftless plugin registered, per kind; empty for a registry it does not export.</summary>
/// <param name="Tasks">Its tasks.</param>
/// <param name="FactsCollectors">Its facts collectors.</param>
/// <param name="TemplateExtensions">Its template filters and functions.</param>
/// <param name="LogSources">Its log sources.</param>
/// <param name="LogParsers">Its log parsers.</param>
/// <param name="LogFilters">Its log filters.</param>
/// <param name="LogOutputs">Its log outputs.</param>
public sealed record DriftlessRegistrations(
    IReadOnlyList<DriftlessDefinition> Tasks,
    IReadOnlyList<DriftlessDefinition> FactsCollectors,
    IReadOnlyList<DriftlessDefinition> TemplateExtensions,
    IReadOnlyList<DriftlessDefinition> LogSources,
    IReadOnlyList<DriftlessDefinition> LogParsers,
    IReadOnlyList<DriftlessDefinition> LogFilters,
    IReadOnlyList<DriftlessDefinition> LogOutputs)
{
    /// <summary>The most definitions one registry may hold.</summary>
    public const int MaxPerKind = 1000;

    /// <summary>Each kind with its definitions, in the seed's order.</summary>
    public IEnumerable<(DriftlessComponentKind Kind, IReadOnlyList<DriftlessDefinition> Definitions)> ByKind =>
    [
        (DriftlessComponentKind.Task, Tasks),
        (DriftlessComponentKind.FactsCollector, FactsCollectors),
        (DriftlessComponentKind.TemplateExtension, TemplateExtensions),
        (DriftlessComponentKind.LogSource, LogSources),
        (DriftlessComponentKind.LogParser, LogParsers),
        (DriftlessComponentKind.LogFilter, LogFilters),
        (DriftlessComponentKind.LogOutput, LogOutputs),
    ];

    /// <summary>"2 tasks (line_in_file, render_template), 1 facts collector (os_release)"; "nothing" when empty.</summary>
    public string Describe()
    {
        string[] parts = [.. ByKind.Where(k => k.Definitions.Count > 0)
            .Select(k => $"{k.Definitions.Count} {k.Kind.Describe()}{(k.Definitions.Count == 1 ? string.Empty : "s")} ({string.Join(", ", k.Definitions.Select(d => Runtime.PluginText.Sanitize(d.Name, 64)))})")];
        return parts.Length == 0 ? "nothing" : string.Join(", ", parts);
    }

    // A registry is the plugin's answer: hostile until checked.
    internal void ThrowIfInvalid(string pluginId)
    {
        foreach ((DriftlessComponentKind kind, IReadOnlyList<DriftlessDefinition> definitions) in ByKind)
        {
            if (definitions.Count > MaxPerKind)
            {
                throw new PluginLoadException(pluginId, $"Plugin '{pluginId}' registered {definitions.Count} {kind.Describe()}s; a plugin may register at most {MaxPerKind} of each kind.");
            }

            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (DriftlessDefinition definition in definitions)
            {
                if (string.IsNullOrWhiteSpace(definition.Name) || !names.Add(definition.Name))
                {
                    throw new PluginLoadException(pluginId, $"Plugin '{pluginId}' registered a {kind.Describe()} with " + (string.IsNullOrWhiteSpace(definition.Name) ? "no name" : $"the name '{Runtime.PluginText.Sanitize(definition.Name, 64)}' twice") + "; every component needs a unique name.");
                }

                if (definition.ConfigSchema is { ValueKind: not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False) } schema)
                {
                    throw new PluginLoadException(pluginId, $"Plugin '{pluginId}' registered {kind.Describe()} '{Runtime.PluginText.Sanitize(definition.Name, 64)}' with a config_schema that is {schema.ValueKind}, not a JSON Schema object.");
                }
            }
        }
    }
}
