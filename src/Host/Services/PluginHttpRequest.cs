namespace Airlock.Services;

/// <summary>
/// A plugin's HTTP request, as <see cref="PluginHttpClient.Send(PluginHttpRequest, IPluginUrlPolicy, TimeSpan, CancellationToken)"/>
/// takes it: what the plugin asked for, checked there and never trusted.
/// </summary>
/// <param name="Url">The absolute URL the plugin gave.</param>
public sealed record PluginHttpRequest(string Url)
{
    /// <summary>The method (case-insensitive); <see langword="null"/> or empty for <c>GET</c>.</summary>
    public string? Method { get; init; }

    /// <summary>The plugin's request headers; <see langword="null"/> for none.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>
    /// The request body as bytes, sent as they are when the request is made; <see langword="null"/> for none (an empty array
    /// is an empty body). <c>GET</c> and <c>HEAD</c> may not have one.
    /// </summary>
#pragma warning disable CA1819 // The body is the caller's bytes, handed over as they are.
    public byte[]? Body { get; init; }
#pragma warning restore CA1819

    /// <summary>
    /// Whether the response body may be any bytes (<see langword="true"/>, as Lesstruct's <c>http_get</c> and <c>http_post</c>
    /// answer) rather than UTF-8 text only (<see langword="false"/>, the default, as <c>host_http_request</c> answers: any other
    /// body is refused with <see cref="PluginHttpErrors.BinaryBody"/>). Either way the bytes are in
    /// <see cref="PluginHttpResult.BodyBytes"/>; the text is in the response's body only for text requests.
    /// </summary>
    public bool BinaryResponse { get; init; }
}
