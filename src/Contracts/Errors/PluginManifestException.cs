namespace Airlock;

/// <summary>A plugin manifest is missing, unreadable or invalid. Says which file, which field and what was expected.</summary>
public sealed class PluginManifestException : PluginLoadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The manifest file.</param>
    /// <param name="field">The field at fault (a JSON path such as <c>$.version</c>), or <see langword="null"/> when the file as a whole is at fault.</param>
    /// <param name="problem">What is wrong and what was expected.</param>
    /// <param name="line">The 1-based line, when known.</param>
    /// <param name="column">The 1-based column, when known.</param>
    /// <param name="pluginId">The plugin's id, when it could be read.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public PluginManifestException(string filePath, string? field, string problem, long? line = null, long? column = null, string? pluginId = null, Exception? innerException = null)
        : base(pluginId, Format(filePath, field, problem, line, column), innerException)
    {
        FilePath = filePath;
        Field = field;
        Problem = problem;
        Line = line;
        Column = column;
    }

    /// <summary>The manifest file.</summary>
    public string FilePath { get; }

    /// <summary>The field at fault, or <see langword="null"/> when the file as a whole is at fault.</summary>
    public string? Field { get; }

    /// <summary>What is wrong and what was expected.</summary>
    public string Problem { get; }

    /// <summary>The 1-based line, when known.</summary>
    public long? Line { get; }

    /// <summary>The 1-based column, when known.</summary>
    public long? Column { get; }

    private static string Format(string filePath, string? field, string problem, long? line, long? column)
    {
        string location = line is { } l ? column is { } c ? $"{filePath}({l},{c})" : $"{filePath}({l})" : filePath;
        return field is null ? $"{location}: {problem}" : $"{location}: {field}: {problem}";
    }
}
