using System.Security.Cryptography;
using System.Text.Json;

namespace Airlock.Cli.Signing;

/// <summary>A public key the administrator trusts to sign modules (a PEM <c>PUBLIC KEY</c>, ECDSA, as cosign writes it).</summary>
/// <param name="Name">Where it came from (its file name).</param>
/// <param name="Fingerprint">The SHA-256 of its SubjectPublicKeyInfo, hex: what the lock file and the audit log name the signer by.</param>
/// <param name="SubjectPublicKeyInfo">The key.</param>
internal sealed record TrustedKey(string Name, string Fingerprint, byte[] SubjectPublicKeyInfo)
{
    /// <summary>How the lock file and the audit log name the signer.</summary>
    public string Signer => $"key {Name} (sha256:{Fingerprint[..16]})";

    /// <summary>Reads a PEM public key file.</summary>
    /// <exception cref="CliException">The file cannot be read or holds no ECDSA public key.</exception>
    public static TrustedKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.CouldNot, $"The trusted key '{path}' cannot be read: {exception.Message}");
        }

        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            throw new CliException(ExitCodes.CouldNot, $"The trusted key '{path}' is not an ECDSA public key in PEM form (-----BEGIN PUBLIC KEY-----, as cosign generate-key-pair writes cosign.pub): {exception.Message}");
        }

        byte[] spki = key.ExportSubjectPublicKeyInfo();
        return new TrustedKey(Path.GetFileName(path), Convert.ToHexStringLower(SHA256.HashData(spki)), spki);
    }

    /// <summary>Whether <paramref name="signature"/> (ASN.1 DER, as cosign writes it) is this key's signature of <paramref name="data"/> with SHA-256.</summary>
    public bool Verifies(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(SubjectPublicKeyInfo, out _);
        return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            || key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}

/// <summary>How a module's signature was verified.</summary>
/// <param name="Signer">The trusted key that verified it, or null when the module is unsigned.</param>
/// <param name="Kind">What was verified: <c>signature</c> (a cosign key-based signature file), <c>sigstore bundle</c>, or <c>unsigned</c>.</param>
/// <param name="File">The signature or bundle file, or null.</param>
internal sealed record SignatureCheck(string? Signer, string Kind, string? File);

/// <summary>
/// Verifies cosign-style signatures of a module offline, with System.Security.Cryptography only: a key-based
/// signature (<c>&lt;module&gt;.sig</c>, the base64 ECDSA P-256 / SHA-256 signature <c>cosign sign-blob --key</c> writes),
/// or a sigstore bundle (<c>&lt;module&gt;.sigstore.json</c>, media type
/// <c>application/vnd.dev.sigstore.bundle.v0.3+json</c>) whose verification material is a public key and whose
/// <c>messageSignature</c> covers the module. The key must be one the administrator trusts. A keyless bundle (a
/// Fulcio certificate) cannot be verified without Sigstore's trusted root and is refused as such.
/// </summary>
internal static class ModuleSignatures
{
    /// <summary>The sigstore bundle media type accepted.</summary>
    public const string BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";

    private const int MaxSignatureBytes = 1024 * 1024;

    /// <summary>The signature files looked for beside <paramref name="modulePath"/>.</summary>
    public static IReadOnlyList<string> Candidates(string modulePath) => [modulePath + ".sig", modulePath + ".sigstore.json"];

    /// <summary>Verifies the module's signature; null when it has none.</summary>
    /// <exception cref="SignatureException">A signature is there and does not verify, or cannot be verified here.</exception>
    public static SignatureCheck? Verify(string modulePath, byte[] module, IReadOnlyList<TrustedKey> keys)
    {
        string bundle = modulePath + ".sigstore.json";
        if (File.Exists(bundle))
        {
            return VerifyBundle(bundle, module, keys);
        }

        string signature = modulePath + ".sig";
        if (File.Exists(signature))
        {
            return VerifySignature(signature, module, keys);
        }

        return null;
    }

    private static byte[] ReadSmall(string path)
    {
        try
        {
            return Files.UntrustedFile.ReadAllBytes(path, MaxSignatureBytes, "a signature");
        }
        catch (PluginFileException exception)
        {
            throw new SignatureException($"The signature '{Path.GetFileName(path)}' cannot be read: {exception.Problem}");
        }
    }

    private static SignatureCheck VerifySignature(string path, byte[] module, IReadOnlyList<TrustedKey> keys)
    {
        string file = Path.GetFileName(path);
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(ReadSmall(path)).Trim());
        }
        catch (FormatException)
        {
            throw new SignatureException($"The signature '{file}' is not base64 (cosign sign-blob --output-signature writes the signature in base64).");
        }

        RequireKeys(file, keys);
        TrustedKey signer = keys.FirstOrDefault(k => k.Verifies(module, signature))
            ?? throw new SignatureException($"The signature '{file}' does not verify with any trusted key ({string.Join(", ", keys.Select(k => k.Name))}): the module was changed after it was signed, or signed with another key. It is not installed.");
        return new SignatureCheck(signer.Signer, "signature", file);
    }

    private static SignatureCheck VerifyBundle(string path, byte[] module, IReadOnlyList<TrustedKey> keys)
    {
        string file = Path.GetFileName(path);
        JsonElement root;
        try
        {
            using JsonDocument document = JsonDocument.Parse(ReadSmall(path));
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new SignatureException($"The sigstore bundle '{file}' is not valid JSON: {exception.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SignatureException($"The sigstore bundle '{file}' is not a JSON object.");
        }

        string? mediaType = String(root, "mediaType");
        if (mediaType != BundleMediaType)
        {
            throw new SignatureException($"The sigstore bundle '{file}' has media type '{mediaType ?? "(none)"}'; airlock verifies {BundleMediaType} bundles (cosign sign-blob --new-bundle-format).");
        }

        if (!root.TryGetProperty("verificationMaterial", out JsonElement material) || material.ValueKind != JsonValueKind.Object)
        {
            throw new SignatureException($"The sigstore bundle '{file}' has no verificationMaterial.");
        }

        if (material.TryGetProperty("certificate", out _) || material.TryGetProperty("x509CertificateChain", out _))
        {
            throw new SignatureException($"The sigstore bundle '{file}' is keyless (its verification material is a Fulcio certificate), and a keyless bundle cannot be verified here: that needs Sigstore's trusted root and transparency log, which airlock does not use offline. It is refused, not treated as unsigned. Sign the module with a key (cosign sign-blob --key cosign.key --bundle) and trust the public key with --key.");
        }

        if (!material.TryGetProperty("publicKey", out JsonElement publicKey) || publicKey.ValueKind != JsonValueKind.Object)
        {
            throw new SignatureException($"The sigstore bundle '{file}' names no verification material airlock can use (a publicKey).");
        }

        if (!root.TryGetProperty("messageSignature", out JsonElement message) || message.ValueKind != JsonValueKind.Object)
        {
            throw new SignatureException($"The sigstore bundle '{file}' has no messageSignature (a DSSE attestation is not a signature of the module).");
        }

        if (!message.TryGetProperty("messageDigest", out JsonElement digest) || String(digest, "algorithm") != "SHA2_256" || String(digest, "digest") is not { } expected)
        {
            throw new SignatureException($"The sigstore bundle '{file}' has no SHA2_256 messageDigest.");
        }

        byte[] actual = SHA256.HashData(module);
        if (!TryBase64(expected, out byte[] claimed) || !CryptographicOperations.FixedTimeEquals(claimed, actual))
        {
            throw new SignatureException($"The sigstore bundle '{file}' was made for another module (its digest is not this module's SHA-256 {Convert.ToHexStringLower(actual)}): the module was changed after it was signed. It is not installed.");
        }

        if (String(message, "signature") is not { } encoded || !TryBase64(encoded, out byte[] signature))
        {
            throw new SignatureException($"The sigstore bundle '{file}' has no base64 signature.");
        }

        RequireKeys(file, keys);
        string? hint = String(publicKey, "hint");
        TrustedKey signer = keys.FirstOrDefault(k => k.Verifies(module, signature))
            ?? throw new SignatureException($"The sigstore bundle '{file}' does not verify with any trusted key ({string.Join(", ", keys.Select(k => k.Name))}){(hint is null ? string.Empty : $"; it names key '{hint}'")}. It is not installed.");
        return new SignatureCheck(signer.Signer, "sigstore bundle", file);
    }

    private static void RequireKeys(string file, IReadOnlyList<TrustedKey> keys)
    {
        if (keys.Count == 0)
        {
            throw new SignatureException($"The module is signed ({file}), but no trusted key was given to verify it: pass the signer's public key with --key <cosign.pub>, or put it in the data directory's trusted-keys folder.");
        }
    }

    private static string? String(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}

/// <summary>A signature that does not verify or cannot be verified: the module is not installed (exit 1).</summary>
internal sealed class SignatureException : Exception
{
    public SignatureException()
    {
    }

    public SignatureException(string message)
        : base(message)
    {
    }

    public SignatureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
