namespace Airlock.Contracts.SocialScale;

/// <summary>The JSON <c>host_http_request</c> returns to the plugin.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Headers">Response headers.</param>
/// <param name="Body">The body as UTF-8 text.</param>
public sealed record HostHttpResponse(int Status, IReadOnlyDictionary<string, string>? Headers = null, string? Body = null);
