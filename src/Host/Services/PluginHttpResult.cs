using System.Diagnostics.CodeAnalysis;
using Airlock.Contracts.SocialScale;

namespace Airlock.Services;

/// <summary>The outcome of <see cref="PluginHttpClient.Send"/>: the response, or an error code and message; and every request made.</summary>
public sealed class PluginHttpResult
{
    private PluginHttpResult(HostHttpResponse? response, string? errorCode, string? errorMessage, IReadOnlyList<PluginHttpHop> hops)
    {
        Response = response;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        Hops = hops;
    }

    /// <summary>Whether a response arrived and is in <see cref="Response"/> (whatever its status code).</summary>
    [MemberNotNullWhen(true, nameof(Response))]
    [MemberNotNullWhen(false, nameof(ErrorCode), nameof(ErrorMessage))]
    public bool IsSuccess => Response is not null;

    /// <summary>
    /// The response: status, headers (names lowercase, repeated values joined with <c>", "</c>) and the body as text;
    /// <see langword="null"/> on failure.
    /// </summary>
    public HostHttpResponse? Response { get; }

    /// <summary>One of <see cref="PluginHttpErrors"/>; <see langword="null"/> on success.</summary>
    public string? ErrorCode { get; }

    /// <summary>What went wrong and what to do about it; <see langword="null"/> on success.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Every request sent or refused, in order: the first, then one per redirect.</summary>
    public IReadOnlyList<PluginHttpHop> Hops { get; }

    /// <summary>The result as one line, for logs.</summary>
    public override string ToString() =>
        IsSuccess ? $"{Response.Status} ({Hops.Count} requests)" : $"{ErrorCode}: {ErrorMessage}";

    internal static PluginHttpResult Success(HostHttpResponse response, IReadOnlyList<PluginHttpHop> hops) => new(response, null, null, hops);

    internal static PluginHttpResult Failure(string code, string message, IReadOnlyList<PluginHttpHop> hops) => new(null, code, message, hops);
}
