namespace Airlock.Tests;

/// <summary>
/// The repository checkout the tests run from. Deterministic CI builds map source paths to <c>/_/</c>,
/// so it is found from the test's output folder, by walking up to <c>Sdk.sln</c>.
/// </summary>
internal static class Checkout
{
    /// <summary>The checkout's root directory.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>A path inside the checkout, such as <c>docs/security.md</c>.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Sdk.sln above {AppContext.BaseDirectory}.");
    }
}
