namespace Airlock;

/// <summary>
/// A module does not fit the contract it was loaded for: an export is missing or has another
/// signature, it imports something the host does not provide, or the contract cannot be bound.
/// <see cref="Problems"/> lists every mismatch found, not only the first.
/// </summary>
public sealed class PluginContractException : PluginLoadException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pluginId">The plugin concerned.</param>
    /// <param name="contract">The contract interface's name.</param>
    /// <param name="problems">Each mismatch, as a sentence that names the export or import.</param>
    public PluginContractException(string? pluginId, string contract, IReadOnlyList<string> problems)
        : base(pluginId, Format(pluginId, contract, problems))
    {
        Contract = contract;
        Problems = problems;
    }

    /// <summary>The contract interface's name.</summary>
    public string Contract { get; }

    /// <summary>Each mismatch, as a sentence that names the export or import.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string? pluginId, string contract, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        string subject = pluginId is null ? "The module" : $"Plugin '{pluginId}'";
        return problems.Count == 1
            ? $"{subject} does not fit contract {contract}: {problems[0]}"
            : $"{subject} does not fit contract {contract}:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}";
    }
}
