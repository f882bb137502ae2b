using System.Security.Cryptography;

namespace Airlock.Dashboard;

/// <summary>The dashboard's script and style sheet, read once from the assembly's embedded resources.</summary>
/// <param name="Script">dashboard.js.</param>
/// <param name="Styles">dashboard.css.</param>
/// <param name="Version">A short hash of both, for the ETag.</param>
internal sealed record DashboardAssets(byte[] Script, byte[] Styles, string Version)
{
    public static DashboardAssets Load()
    {
        byte[] script = Read("Airlock.Dashboard.dashboard.js");
        byte[] styles = Read("Airlock.Dashboard.dashboard.css");
        string version = Convert.ToHexStringLower(SHA256.HashData([.. script, .. styles]).AsSpan(0, 8));
        return new DashboardAssets(script, styles, version);
    }

    private static byte[] Read(string name)
    {
        using Stream stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The dashboard assembly lacks its embedded resource '{name}'.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
