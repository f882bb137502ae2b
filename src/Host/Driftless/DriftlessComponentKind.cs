namespace Airlock.Driftless;

/// <summary>The kinds of component a Driftless plugin registers, one per registry export.</summary>
public enum DriftlessComponentKind
{
    /// <summary>A task (<c>get_task_definitions</c>, run by <c>execute_task</c>).</summary>
    Task,

    /// <summary>A facts collector (<c>get_facts_collectors</c>, run by <c>execute_facts_collector</c>).</summary>
    FactsCollector,

    /// <summary>A template extension (<c>get_template_extensions</c>, run by <c>execute_template_filter</c> and <c>execute_template_function</c>).</summary>
    TemplateExtension,

    /// <summary>A log source (<c>get_log_sources</c>, run by <c>execute_log_source</c>).</summary>
    LogSource,

    /// <summary>A log parser (<c>get_log_parsers</c>, run by <c>execute_log_parser</c>).</summary>
    LogParser,

    /// <summary>A log filter (<c>get_log_filters</c>, run by <c>execute_log_filter</c>).</summary>
    LogFilter,

    /// <summary>A log output (<c>get_log_outputs</c>, run by <c>execute_log_output</c>).</summary>
    LogOutput,
}

/// <summary>Words for <see cref="DriftlessComponentKind"/>.</summary>
public static class DriftlessComponentKindExtensions
{
    /// <summary>The kind in words, as messages name it: "task", "facts collector", "template extension", "log source", ...</summary>
    /// <param name="kind">The kind.</param>
    public static string Describe(this DriftlessComponentKind kind) => kind switch
    {
        DriftlessComponentKind.Task => "task",
        DriftlessComponentKind.FactsCollector => "facts collector",
        DriftlessComponentKind.TemplateExtension => "template extension",
        DriftlessComponentKind.LogSource => "log source",
        DriftlessComponentKind.LogParser => "log parser",
        DriftlessComponentKind.LogFilter => "log filter",
        DriftlessComponentKind.LogOutput => "log output",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a Driftless component kind."),
    };
}
