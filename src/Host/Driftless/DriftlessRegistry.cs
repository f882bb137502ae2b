namespace Airlock.Driftless;

/// <summary>
/// A plugin registry listed in a Driftless <c>plugins.toml</c> (<c>[[registries]]</c>). Airlock reads and checks the list;
/// fetching plugins from a registry is the job of a command-line tool.
/// </summary>
/// <param name="Name">The registry's name: 1 to 64 letters, digits, '.', '-' and '_', unique in the file (ignoring case).</param>
/// <param name="Url">The registry's absolute <c>http</c> or <c>https</c> address, without user information.</param>
/// <param name="Enabled">Whether the registry is used (<c>enabled</c>, default <see langword="true"/>).</param>
public sealed record DriftlessRegistry(string Name, Uri Url, bool Enabled);
