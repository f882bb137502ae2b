namespace Airlock.Contracts.SocialScale;

/// <summary>The JSON a plugin passes to <c>host_http_request</c>.</summary>
/// <param name="Url">The absolute URL.</param>
/// <param name="Method">The HTTP method; <c>GET</c> when absent.</param>
/// <param name="Headers">Request headers.</param>
/// <param name="Body">The body as UTF-8 text.</param>
public sealed record HostHttpRequest(string Url, string? Method = null, IReadOnlyDictionary<string, string>? Headers = null, string? Body = null)
{
    /// <summary>The HTTP method.</summary>
    public string Method { get; init; } = string.IsNullOrEmpty(Method) ? "GET" : Method;
}
