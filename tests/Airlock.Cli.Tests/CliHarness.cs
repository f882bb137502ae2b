using System.Security.Cryptography;
using System.Text.Json;

namespace Airlock.Cli.Tests;

/// <summary>What one command printed and how it ended.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the airlock command in process, against a scratch plugins and data directory, with the repository's real
/// sample plugins.
/// </summary>
internal sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Root = Directory.CreateTempSubdirectory("airlock-cli-tests-").FullName;
        PluginsDirectory = Path.Combine(Root, "plugins");
        DataDirectory = Path.Combine(Root, "data");
    }

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Samples => Path.Combine(RepositoryRoot, "samples", "plugins");

    public string Root { get; }

    public string PluginsDirectory { get; }

    public string DataDirectory { get; }

    public string LockFile => Path.Combine(PluginsDirectory, "airlock.lock.json");

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string[] all = [.. args, "--plugins-dir", PluginsDirectory, "--data-dir", DataDirectory];
        int code = await AirlockCli.RunAsync(all, CliConsole.Plain(output, error));
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>A copy of a sample plugin's folder that a test may change.</summary>
    public string CopySample(string name)
    {
        string target = Path.Combine(Root, "sources", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (string file in Directory.GetFiles(Path.Combine(Samples, name), "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Path.Combine(Samples, name), file);
            // Build output is not part of a sample: cargo's target/, and a contract project's bin/ and obj/.
            string[] segments = relative.Split(Path.DirectorySeparatorChar);
            if (segments[0] == "target" || segments.Contains("bin") || segments.Contains("obj"))
            {
                continue;
            }

            string destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    /// <summary>A new ECDSA P-256 key pair: the private key, and the public key written as PEM (as cosign.pub).</summary>
    public (ECDsa Key, string PublicKeyPath) NewKey(string name = "cosign.pub")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string path = Path.Combine(Root, name);
        File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem());
        return (key, path);
    }

    /// <summary>Signs a module as <c>cosign sign-blob --key</c> does: base64 of the DER ECDSA signature over the file.</summary>
    public static void SignBlob(ECDsa key, string modulePath)
        => File.WriteAllText(modulePath + ".sig", Convert.ToBase64String(key.SignData(File.ReadAllBytes(modulePath), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)));

    /// <summary>A sigstore v0.3 bundle with a public-key verification material, as <c>cosign sign-blob --key --bundle</c> writes it.</summary>
    public static void SignBundle(ECDsa key, string modulePath, string? certificate = null)
    {
        byte[] module = File.ReadAllBytes(modulePath);
        string material = certificate is null
            ? """{"publicKey":{"hint":"test-key"},"tlogEntries":[]}"""
            : $$"""{"certificate":{"rawBytes":"{{certificate}}"},"tlogEntries":[]}""";
        File.WriteAllText(modulePath + ".sigstore.json", $$"""
            {
              "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
              "verificationMaterial": {{material}},
              "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": "{{Convert.ToBase64String(SHA256.HashData(module))}}"},
                "signature": "{{Convert.ToBase64String(key.SignData(module, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))}}"
              }
            }
            """);
    }

    public static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Sdk.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Sdk.sln) was not found above " + AppContext.BaseDirectory);
    }
}
