using System.Text.Json;

namespace Airlock.Contracts.Driftless;

/// <summary>
/// The exports of a Driftless plugin: seven registries that say what the plugin provides, and eight
/// executions that run one of its components by name. Both Driftless contracts share them:
/// <see cref="IDriftlessPlugin"/> for Rust plugins built with <c>#[wasm_bindgen]</c>, and
/// <see cref="IDriftlessPackedPlugin"/> for plugins that export plain functions taking
/// <c>(ptr, len)</c> strings and returning a packed <c>i64</c>.
/// </summary>
/// <remarks>
/// Every export is optional: a plugin that does not export a registry registers nothing of that kind
/// (its method returns <see langword="null"/>), and calling an execution the plugin does not export
/// fails with <see cref="PluginContractException"/>. An execution answers
/// <c>{"status":"success", ...}</c> or <c>{"status":"error","message":"..."}</c>; an error arrives as
/// <see cref="PluginErrorException"/>. See <c>docs/driftless.md</c>.
/// </remarks>
public interface IDriftlessExports
{
    /// <summary>The tasks the plugin provides (<c>get_task_definitions</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_task_definitions", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetTaskDefinitionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The facts collectors the plugin provides (<c>get_facts_collectors</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_facts_collectors", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetFactsCollectorsAsync(CancellationToken cancellationToken = default);

    /// <summary>The template filters and functions the plugin provides (<c>get_template_extensions</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_template_extensions", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetTemplateExtensionsAsync(CancellationToken cancellationToken = default);

    /// <summary>The log sources the plugin provides (<c>get_log_sources</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_log_sources", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetLogSourcesAsync(CancellationToken cancellationToken = default);

    /// <summary>The log parsers the plugin provides (<c>get_log_parsers</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_log_parsers", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetLogParsersAsync(CancellationToken cancellationToken = default);

    /// <summary>The log filters the plugin provides (<c>get_log_filters</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_log_filters", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetLogFiltersAsync(CancellationToken cancellationToken = default);

    /// <summary>The log outputs the plugin provides (<c>get_log_outputs</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    [WasmExport("get_log_outputs", WhenMissing = WasmMissingExport.Skip)]
    ValueTask<List<DriftlessDefinition>?> GetLogOutputsAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs a task (<c>execute_task(name, config_json)</c>).</summary>
    /// <param name="name">The task's name, as its definition gives it.</param>
    /// <param name="config">The task's configuration (validate it against the definition's schema first; <c>DriftlessPlugins</c> does).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_task", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessTaskResult> ExecuteTaskAsync(string name, JsonElement config, CancellationToken cancellationToken = default);

    /// <summary>Runs a facts collector (<c>execute_facts_collector(name, config_json)</c>).</summary>
    /// <param name="name">The collector's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_facts_collector", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessFactsResult> ExecuteFactsCollectorAsync(string name, JsonElement config, CancellationToken cancellationToken = default);

    /// <summary>Reads from a log source (<c>execute_log_source(name, config_json)</c>).</summary>
    /// <param name="name">The source's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_log_source", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessLogSourceResult> ExecuteLogSourceAsync(string name, JsonElement config, CancellationToken cancellationToken = default);

    /// <summary>Parses one raw log line (<c>execute_log_parser(name, config_json, input)</c>).</summary>
    /// <param name="name">The parser's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="input">The raw line.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_log_parser", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessLogParseResult> ExecuteLogParserAsync(string name, JsonElement config, string input, CancellationToken cancellationToken = default);

    /// <summary>Asks a log filter whether to keep an entry (<c>execute_log_filter(name, config_json, entry_json)</c>).</summary>
    /// <param name="name">The filter's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="entry">The log entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_log_filter", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessLogFilterResult> ExecuteLogFilterAsync(string name, JsonElement config, DriftlessLogEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Formats an entry for a log output (<c>execute_log_output(name, config_json, entry_json)</c>).</summary>
    /// <param name="name">The output's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="entry">The log entry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_log_output", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessLogOutputResult> ExecuteLogOutputAsync(string name, JsonElement config, DriftlessLogEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Applies a template filter (<c>execute_template_filter(name, config_json, value_json, args_json)</c>).</summary>
    /// <param name="name">The filter's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="value">The value the filter is applied to.</param>
    /// <param name="args">The filter's arguments, a JSON array.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_template_filter", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessValueResult> ExecuteTemplateFilterAsync(string name, JsonElement config, JsonElement value, JsonElement args, CancellationToken cancellationToken = default);

    /// <summary>Calls a template function (<c>execute_template_function(name, config_json, args_json)</c>).</summary>
    /// <param name="name">The function's name.</param>
    /// <param name="config">Its configuration.</param>
    /// <param name="args">The function's arguments, a JSON array.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="PluginErrorException">The plugin answered with an error.</exception>
    [WasmExport("execute_template_function", Envelope = WasmResponseEnvelope.Status, WhenMissing = WasmMissingExport.Throw)]
    ValueTask<DriftlessValueResult> ExecuteTemplateFunctionAsync(string name, JsonElement config, JsonElement args, CancellationToken cancellationToken = default);
}
