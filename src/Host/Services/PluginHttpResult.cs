using System.Diagnostics.CodeAnalysis;
using Airlock.Contracts.SocialScale;

namespace Airlock.Services;

/// <summary>The outcome of <see cref="PluginHttpClient.Send(PluginHttpRequest, IPluginUrlPolicy, TimeSpan, CancellationToken)"/>: the response, or an error code and message; and every request made.</summary>
public sealed class PluginHttpResult
{
    private PluginHttpResult(HostHttpResponse? response, ReadOnlyMemory<byte> bodyBytes, string? errorCode, string? errorMessage, PluginHttpRequestPart? invalidPart, IReadOnlyList<PluginHttpHop> hops)
    {
        Response = response;
        BodyBytes = bodyBytes;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        InvalidPart = invalidPart;
        Hops = hops;
    }

    /// <summary>Whether a response arrived and is in <see cref="Response"/> (whatever its status code).</summary>
    [MemberNotNullWhen(true, nameof(Response))]
    [MemberNotNullWhen(false, nameof(ErrorCode), nameof(ErrorMessage))]
    public bool IsSuccess => Response is not null;

    /// <summary>
    /// The response: status, headers (names lowercase, repeated values joined with <c>", "</c>) and, for a text request, the
    /// body as text (for a request with <see cref="PluginHttpRequest.BinaryResponse"/> its body is <see langword="null"/>: read
    /// <see cref="BodyBytes"/>); <see langword="null"/> on failure.
    /// </summary>
    public HostHttpResponse? Response { get; }

    /// <summary>The response body as received (after decompression); empty on failure.</summary>
    public ReadOnlyMemory<byte> BodyBytes { get; }

    /// <summary>One of <see cref="PluginHttpErrors"/>; <see langword="null"/> on success.</summary>
    public string? ErrorCode { get; }

    /// <summary>What went wrong and what to do about it; <see langword="null"/> on success.</summary>
    public string? ErrorMessage { get; }

    /// <summary>Which part of the request was refused when <see cref="ErrorCode"/> is <see cref="PluginHttpErrors.InvalidRequest"/>; otherwise <see langword="null"/>.</summary>
    public PluginHttpRequestPart? InvalidPart { get; }

    /// <summary>Every request sent or refused, in order: the first, then one per redirect.</summary>
    public IReadOnlyList<PluginHttpHop> Hops { get; }

    /// <summary>The result as one line, for logs.</summary>
    public override string ToString() =>
        IsSuccess ? $"{Response.Status} ({Hops.Count} requests)" : $"{ErrorCode}: {ErrorMessage}";

    internal static PluginHttpResult Success(HostHttpResponse response, byte[] body, IReadOnlyList<PluginHttpHop> hops) => new(response, body, null, null, null, hops);

    internal static PluginHttpResult Failure(string code, string message, IReadOnlyList<PluginHttpHop> hops, PluginHttpRequestPart? invalidPart = null) =>
        new(null, ReadOnlyMemory<byte>.Empty, code, message, invalidPart, hops);
}
