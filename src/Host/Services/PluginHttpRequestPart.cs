namespace Airlock.Services;

/// <summary>Which part of a plugin's request was refused as <see cref="PluginHttpErrors.InvalidRequest"/>.</summary>
public enum PluginHttpRequestPart
{
    /// <summary>The URL could not be read, or its scheme is refused.</summary>
    Url,

    /// <summary>The method is not one plugins may use.</summary>
    Method,

    /// <summary>A header, or the headers' number or size.</summary>
    Headers,

    /// <summary>The body: over <see cref="PluginHttpOptions.MaxRequestBodyBytes"/>, not valid text, or given with <c>GET</c> or <c>HEAD</c>.</summary>
    Body,
}
