using System.Diagnostics.CodeAnalysis;

namespace Airlock.Services;

/// <summary>The answer of an <see cref="IPluginUrlPolicy"/>: the URL may be requested, or why not.</summary>
public sealed class PluginUrlDecision
{
    private PluginUrlDecision(string? errorCode, string? reason)
    {
        ErrorCode = errorCode;
        Reason = reason;
    }

    /// <summary>The URL may be requested.</summary>
    public static PluginUrlDecision Allowed { get; } = new(null, null);

    /// <summary>Whether the URL may be requested.</summary>
    [MemberNotNullWhen(false, nameof(ErrorCode), nameof(Reason))]
    public bool IsAllowed => ErrorCode is null;

    /// <summary>
    /// The <see cref="PluginHttpErrors"/> code of a refusal, such as <see cref="PluginHttpErrors.DomainNotAllowed"/>,
    /// <see cref="PluginHttpErrors.IpLiteral"/> or <see cref="PluginHttpErrors.UrlNotAllowed"/>; <see langword="null"/> when allowed.
    /// </summary>
    public string? ErrorCode { get; }

    /// <summary>Why the URL is refused: a sentence a plugin author can act on; <see langword="null"/> when allowed.</summary>
    public string? Reason { get; }

    /// <summary>A refusal.</summary>
    /// <param name="errorCode">The <see cref="PluginHttpErrors"/> code the plugin's result carries.</param>
    /// <param name="reason">Why the URL is refused.</param>
    /// <returns>The decision.</returns>
    public static PluginUrlDecision Denied(string errorCode, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new PluginUrlDecision(errorCode, reason);
    }

    /// <summary>Describes the decision.</summary>
    public override string ToString() => IsAllowed ? "allowed" : $"{ErrorCode}: {Reason}";
}
