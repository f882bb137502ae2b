namespace Airlock.Services;

/// <summary>One request of a plugin's HTTP call, sent or refused: what a caller audits.</summary>
/// <param name="Method">The method, such as <c>GET</c>.</param>
/// <param name="Host">The host the plugin addressed (lowercase, punycode); empty when the URL could not be read.</param>
/// <param name="Url">The plugin's URL without query or fragment (never the upstream it was sent to).</param>
/// <param name="Status">The response status; <see langword="null"/> when no response arrived (refused, timed out, failed).</param>
/// <param name="ResponseBytes">The body bytes read (0 for redirects, whose bodies are discarded unread).</param>
/// <param name="Allowed">
/// Whether the request was let through to the network; <see langword="false"/> when it was refused (by policy, or for lack
/// of time) before it was sent or while connecting. Count the allowed hops for rate limits.
/// </param>
/// <param name="Detail">The reason for a refusal or failure, the redirect target, or the upstream it went to.</param>
public sealed record PluginHttpHop(string Method, string Host, string Url, int? Status, long ResponseBytes, bool Allowed, string? Detail);
