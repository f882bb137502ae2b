using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Airlock;
using Airlock.Abi;
using Airlock.Contracts.SocialScale;

namespace Chirp.Sandbox;

/// <summary>
/// An application's implementation of the SocialScale host functions for local runs: HTTP to the
/// fake Chirp API (requests for <c>api.chirp.example</c> go to the loopback server, anything else is
/// refused), an in-memory KV store per plugin, and in-memory event and log lists.
/// </summary>
public sealed class SandboxHostServices : ISocialScaleHost, IDisposable
{
    private const string ChirpHost = "api.chirp.example";
    private readonly HttpClient _http;
    private readonly Uri _chirp;

    /// <summary>Creates the services over the fake API at <paramref name="chirpApi"/>.</summary>
    public SandboxHostServices(Uri chirpApi)
    {
        _chirp = chirpApi;
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
    }

    /// <summary>The KV store: plugin id, then key.</summary>
    public ConcurrentDictionary<(string Plugin, string Key), byte[]> Store { get; } = new();

    /// <summary>Events plugins emitted, with the emitting plugin's id.</summary>
    public ConcurrentQueue<(string Plugin, JsonElement Event)> Events { get; } = new();

    /// <summary>Log lines plugins wrote.</summary>
    public ConcurrentQueue<(string Plugin, PluginLogLevel Level, string Message)> Logs { get; } = new();

    /// <summary>When set, host_http_request answers this status code instead of calling out.</summary>
    public HostCallStatus? HttpOverride { get; set; }

    /// <inheritdoc/>
    public void Log(GuestContext guest, PluginLogLevel level, string message) => Logs.Enqueue((guest.Plugin.Id, level, message));

    /// <inheritdoc/>
    public HostHttpResponse HttpRequest(GuestContext guest, HostHttpRequest request)
    {
        if (HttpOverride is { } status)
        {
            throw new HostCallException(status, "the sandbox was told to refuse HTTP requests.");
        }

        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out Uri? url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new HostCallException(HostCallStatus.InvalidArgument, $"'{request.Url}' is not an absolute https URL.");
        }

        if (!string.Equals(url.IdnHost, ChirpHost, StringComparison.OrdinalIgnoreCase) || !url.IsDefaultPort || url.UserInfo.Length > 0)
        {
            throw new HostCallException(HostCallStatus.PermissionDenied, $"requests to '{url.Host}' are not allowed.");
        }

        var target = new UriBuilder(_chirp) { Path = url.AbsolutePath, Query = url.Query.TrimStart('?') }.Uri;
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8);
            message.Content.Headers.ContentType = null;
        }

        foreach ((string name, string value) in request.Headers ?? new Dictionary<string, string>())
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(guest.CancellationToken);
        timeout.CancelAfter(guest.RemainingTime);
        try
        {
            using HttpResponseMessage response = _http.Send(message, timeout.Token);
            string body = new StreamReader(response.Content.ReadAsStream(timeout.Token)).ReadToEnd();
            var headers = response.Content.Headers.Concat(response.Headers)
                .ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(", ", h.Value), StringComparer.Ordinal);
            return new HostHttpResponse((int)response.StatusCode, headers, body);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
        {
            throw new HostCallException(HostCallStatus.Unavailable, $"the request failed: {exception.Message}", exception);
        }
    }

    /// <inheritdoc/>
    public byte[]? StoreGet(GuestContext guest, string key)
        => Store.TryGetValue((guest.Plugin.Id, key), out byte[]? value) ? value : null;

    /// <inheritdoc/>
    public void StoreSet(GuestContext guest, string key, ReadOnlySpan<byte> value)
        => Store[(guest.Plugin.Id, key)] = value.ToArray();

    /// <inheritdoc/>
    public void EmitEvent(GuestContext guest, JsonArgument @event)
    {
        if (@event.ValueKind != JsonValueKind.Object)
        {
            throw new HostCallException(HostCallStatus.InvalidArgument, "an event must be a JSON object.");
        }

        Events.Enqueue((guest.Plugin.Id, @event.ToElement()));
    }

    /// <summary>The sandbox holds no OAuth tokens.</summary>
    public OAuthCredential? GetCredential(GuestContext guest) => null;

    /// <summary>The plugin's configuration, as the host validated it.</summary>
    public byte[]? GetConfig(GuestContext guest)
        => guest.Plugin.Configuration is { } configuration ? System.Text.Encoding.UTF8.GetBytes(configuration.GetRawText()) : null;

    /// <summary>The text a plugin stored under <paramref name="key"/>, or null.</summary>

    public string? StoredText(string pluginId, string key)
        => Store.TryGetValue((pluginId, key), out byte[]? value) ? Encoding.UTF8.GetString(value) : null;

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
