using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;
using Airlock.Contracts.SocialScale;
using Airlock.Lesstruct;

namespace Airlock.Services;

/// <summary>
/// The one executor of untrusted plugins' outbound HTTP, for every plugin system: SocialScale's <c>host_http_request</c>
/// and Lesstruct's <c>http_get</c> and <c>http_post</c>. Every request and every redirect is checked against the plugin's
/// <see cref="IPluginUrlPolicy"/> (a <see cref="DomainAllowlist"/> or an <see cref="UrlAllowlist"/>), connections go only
/// to public addresses, and sizes and time are capped. Thread-safe; create one per host and share it between plugins.
/// </summary>
/// <remarks>
/// <para><b>Requests.</b> The URL must be an absolute <c>http</c> or <c>https</c> URL without user information,
/// whitespace, control characters or backslashes, at most 8,192 characters, and its policy must allow it. Plain
/// <c>http</c> needs <see cref="PluginHttpOptions.AllowHttp"/> unless the policy decides the scheme itself
/// (<see cref="IPluginUrlPolicy.DecidesScheme"/>: URL patterns name theirs). A <see cref="DomainAllowlist"/> allows declared
/// names only, never an IP literal; an <see cref="UrlAllowlist"/> allows what its patterns match. Any port may be used.
/// Methods: <c>GET</c>, <c>HEAD</c>, <c>POST</c>, <c>PUT</c>, <c>PATCH</c>, <c>DELETE</c>, <c>OPTIONS</c> (case-insensitive).
/// Headers must have token names and values without control characters (tab allowed) or non-ASCII characters, at most 100
/// headers and 64 KiB; the host sets <c>Host</c>, <c>Content-Length</c>, <c>Transfer-Encoding</c>, <c>Connection</c>,
/// <c>Upgrade</c>, <c>TE</c>, <c>Trailer</c>, <c>Keep-Alive</c>, <c>Expect</c>, <c>Accept-Encoding</c> and every
/// <c>Proxy-*</c> header itself, so a plugin may not. Content headers (<c>Content-Type</c>, …) on a request without a body
/// (GET, HEAD, DELETE and OPTIONS without one) are dropped. The body is at most
/// <see cref="PluginHttpOptions.MaxRequestBodyBytes"/> (UTF-8 text for <see cref="HostHttpRequest"/>, any bytes for
/// <see cref="PluginHttpRequest"/>); GET and HEAD may not have one.</para>
/// <para><b>Redirects</b> (301, 302, 303, 307, 308 with a <c>Location</c>) are followed by the host, at most
/// <see cref="PluginHttpOptions.MaxRedirects"/> times; each target is resolved against the plugin's URL, read like the first
/// URL and put to the policy (<see cref="IPluginUrlPolicy.CheckRedirect"/>) and the scheme rule; https to http is refused.
/// A 303, and a 301 or 302 answering a POST, continue as GET without the body. <c>Authorization</c> and <c>Cookie</c> are
/// not sent on to another origin (scheme, host and port).</para>
/// <para><b>Connections.</b> The host resolves names itself (once per connection) and connects only to the addresses it
/// checked, so a name cannot be re-resolved to another address between the check and the connection (DNS rebinding). It
/// refuses the connection when any address is not public: loopback, private, shared (CGNAT), link-local (which includes
/// cloud metadata at 169.254.169.254), unique-local, unspecified, multicast, broadcast, reserved, documentation, and IPv4
/// addresses of those kinds embedded in IPv6 — whether the URL named the host or the address — unless
/// <see cref="PluginHttpOptions.AllowPrivateNetworks"/> is set, or the host or address is one of
/// <see cref="PluginHttpOptions.PrivateNetworkExceptions"/>. No proxy, no cookies, no automatic redirects, no trace-context
/// headers; responses are decompressed (gzip, deflate, brotli).</para>
/// <para><b>Responses.</b> Header names are lowercased and repeated values joined with <c>", "</c>. The body (after
/// decompression) may be at most <see cref="PluginHttpOptions.MaxResponseBytes"/>. A text request
/// (<see cref="HostHttpRequest"/>, or <see cref="PluginHttpRequest.BinaryResponse"/> off) accepts only valid UTF-8 (which
/// includes ASCII) whatever charset the body declares, and refuses any other body with <c>binary_body</c> rather than
/// corrupting it; a binary request accepts any bytes (<see cref="PluginHttpResult.BodyBytes"/>).</para>
/// <para><b>Time.</b> The whole exchange — resolving, connecting, sending, the headers, every redirect hop and reading the
/// body — is bounded by the smaller of <see cref="PluginHttpOptions.MaxTimeout"/> and the time the plugin's call has left,
/// and by the call's token. A server that sends headers and then stalls the body is cut off at that bound: the connection
/// is closed at once (responses are never drained), and the result is <c>timeout</c>.</para>
/// <para><b>Errors.</b> Nothing a plugin or a server does makes <c>Send</c> throw: every problem, a body that ends before
/// its declared length included, is a failed <see cref="PluginHttpResult"/> with a code from <see cref="PluginHttpErrors"/>.
/// It throws <see cref="OperationCanceledException"/> only when the plugin call's token is cancelled.</para>
/// <para>Requests are not rate-limited here: count <see cref="PluginHttpResult.Hops"/> that were sent.</para>
/// </remarks>
public sealed class PluginHttpClient : IDisposable
{
    private const int MaxUrlLength = 8192;
    private const int MaxRequestHeaders = 100;
    private const int MaxRequestHeaderBytes = 64 * 1024;
    private const int MaxShownChars = 200;
    private const string AllowedMethods = "GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS";

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

    private static readonly HashSet<string> HostHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive", "Expect", "Accept-Encoding",
    };

    private static readonly string[] CredentialHeaders = ["Authorization", "Cookie"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly int _maxResponseBytes;
    private readonly int _maxRequestBodyBytes;
    private readonly int _maxRedirects;
    private readonly TimeSpan _maxTimeout;
    private readonly bool _allowHttp;
    private readonly bool _allowPrivateNetworks;
    private readonly DomainAllowlist _privateNetworkNames;
    private readonly IPNetwork[] _privateNetworkRanges;
    private readonly Dictionary<string, Uri> _upstreams = new(StringComparer.Ordinal);
    private readonly Func<string, CancellationToken, ValueTask<IPAddress[]>> _resolve;
    private readonly HttpClient _direct;
    private readonly HttpClient _upstream;
    private int _disposed;

    /// <summary>Creates a client with the given limits and administrator settings (copied now).</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range, or an exception host or upstream is invalid.</exception>
    public PluginHttpClient(PluginHttpOptions? options = null)
    {
        options ??= new PluginHttpOptions();
        if (options.MaxResponseBytes <= 0 || options.MaxRequestBodyBytes < 0 || options.MaxRedirects < 0)
        {
            throw new ArgumentException("MaxResponseBytes must be positive, and MaxRequestBodyBytes and MaxRedirects not negative.", nameof(options));
        }

        if (options.MaxTimeout <= TimeSpan.Zero || options.MaxTimeout > TimeSpan.FromMilliseconds(int.MaxValue))
        {
            throw new ArgumentException($"MaxTimeout must be positive and at most {TimeSpan.FromMilliseconds(int.MaxValue)}.", nameof(options));
        }

        _maxResponseBytes = options.MaxResponseBytes;
        _maxRequestBodyBytes = options.MaxRequestBodyBytes;
        _maxRedirects = options.MaxRedirects;
        _maxTimeout = options.MaxTimeout;
        _allowHttp = options.AllowHttp;
        _allowPrivateNetworks = options.AllowPrivateNetworks;
        (_privateNetworkNames, _privateNetworkRanges) = ReadPrivateNetworkExceptions(options.PrivateNetworkExceptions);
        string? problem;
        foreach ((string host, Uri target) in options.Upstreams)
        {
            if (!DomainAllowlist.TryNormalizeDomain(host, out string? name, out problem) || name.StartsWith('*'))
            {
                throw new ArgumentException($"Upstreams: \"{host}\" is not an exact host name: {problem ?? "wildcards are not allowed."}", nameof(options));
            }

            if (target is null || !target.IsAbsoluteUri || target.Scheme is not ("http" or "https") || target.UserInfo.Length > 0 || target.Query.Length > 0 || target.Fragment.Length > 0)
            {
                throw new ArgumentException($"Upstreams: the target of {name} must be an absolute http or https URI without user information, query or fragment.", nameof(options));
            }

            _upstreams[name] = target;
        }

        _resolve = options.Resolve ?? (static (host, token) => new ValueTask<IPAddress[]>(Dns.GetHostAddressesAsync(host, token)));
        _direct = CreateClient((context, token) => ConnectAsync(context.DnsEndPoint, checkAddresses: true, token));
        _upstream = CreateClient((context, token) => ConnectAsync(context.DnsEndPoint, checkAddresses: false, token));
    }

    /// <summary>
    /// Makes a SocialScale plugin's <c>host_http_request</c>, following redirects, within the plugin's declared domains and
    /// the limits. The body is sent as UTF-8 and the response must be text.
    /// </summary>
    /// <param name="request">The request the plugin passed to <c>host_http_request</c>.</param>
    /// <param name="allowlist">The domains the plugin declared and its user approved.</param>
    /// <param name="remaining">
    /// The time the plugin's call has left; the request is given the smaller of this and
    /// <see cref="PluginHttpOptions.MaxTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> when the call has no deadline.
    /// </param>
    /// <param name="cancellationToken">The plugin call's token.</param>
    /// <returns>The response, or why there is none; and every request sent or refused.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public PluginHttpResult Send(HostHttpRequest request, DomainAllowlist allowlist, TimeSpan remaining, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(allowlist);
        byte[]? body = null;
        string? bodyProblem = null;
        if (request.Body is not null)
        {
            try
            {
                body = StrictUtf8.GetBytes(request.Body);
            }
            catch (EncoderFallbackException)
            {
                bodyProblem = "the body is not valid Unicode text (it has an unpaired surrogate).";
            }
        }

        var plugin = new PluginHttpRequest(request.Url) { Method = request.Method, Headers = request.Headers, Body = body };
        return Send(plugin, allowlist, remaining, cancellationToken, bodyProblem);
    }

    /// <summary>Makes a plugin's HTTP request, following redirects, within the plugin's URL policy and the limits.</summary>
    /// <param name="request">What the plugin asked for.</param>
    /// <param name="policy">Which URLs the plugin may request: its <see cref="DomainAllowlist"/> or <see cref="UrlAllowlist"/>.</param>
    /// <param name="remaining">
    /// The time the plugin's call has left (<see cref="Airlock.Abi.GuestContext.RemainingTime"/>); the whole exchange is given the
    /// smaller of this and <see cref="PluginHttpOptions.MaxTimeout"/>. <see cref="Timeout.InfiniteTimeSpan"/> when the call has
    /// no deadline.
    /// </param>
    /// <param name="cancellationToken">The plugin call's token (<see cref="Airlock.Abi.GuestContext.CancellationToken"/>).</param>
    /// <returns>The response, or why there is none; and every request sent or refused.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public PluginHttpResult Send(PluginHttpRequest request, IPluginUrlPolicy policy, TimeSpan remaining, CancellationToken cancellationToken) =>
        Send(request, policy, remaining, cancellationToken, textBodyProblem: null);

    private PluginHttpResult Send(PluginHttpRequest request, IPluginUrlPolicy policy, TimeSpan remaining, CancellationToken cancellationToken, string? textBodyProblem)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        var hops = new List<PluginHttpHop>();
        string requestedMethod = string.IsNullOrEmpty(request.Method) ? "GET" : request.Method;
        string? method = Array.Find(Methods, m => string.Equals(m, requestedMethod, StringComparison.OrdinalIgnoreCase));
        string shownMethod = method ?? Shown(requestedMethod, 20);

        // The URL, read by the same parser as the Lesstruct URL allowlist.
        string? url = request.Url;
        UrlSyntax.Parts parts = default;
        string? problem = url is null ? "the URL is missing."
            : url.Length > MaxUrlLength ? $"the URL is {url.Length:N0} characters long; at most {MaxUrlLength:N0} are accepted."
            : UrlSyntax.TryParseRequestUrl(url, "the URL", out parts, out string? urlProblem) ? null
            : urlProblem;
        if (problem is not null)
        {
            hops.Add(new PluginHttpHop(shownMethod, "", ShownUrl(url), null, 0, false, PluginHttpErrors.InvalidRequest + ": " + problem));
            return PluginHttpResult.Failure(PluginHttpErrors.InvalidRequest, Capitalized(problem), hops, PluginHttpRequestPart.Url);
        }

        Target target = new(parts.Uri, parts.Scheme, parts.Host, parts.Port);
        if (!policy.DecidesScheme && SchemeProblem(target.Scheme) is { } schemeProblem)
        {
            return Refuse(hops, PluginHttpErrors.InvalidRequest, shownMethod, target, $"{target.AuditUrl} is refused: {schemeProblem}", PluginHttpRequestPart.Url);
        }

        PluginUrlDecision decision = policy.Check(target.Uri);
        if (!decision.IsAllowed)
        {
            return Refuse(hops, decision.ErrorCode, shownMethod, target, $"{target.AuditUrl} is refused: {decision.Reason}");
        }

        if (method is null)
        {
            return Refuse(hops, PluginHttpErrors.InvalidRequest, shownMethod, target, $"method {Shown(requestedMethod, 20)} is not allowed; use {AllowedMethods}.", PluginHttpRequestPart.Method);
        }

        if (HeaderProblem(request.Headers, out List<KeyValuePair<string, string>> headers) is { } headerProblem)
        {
            return Refuse(hops, PluginHttpErrors.InvalidRequest, method, target, headerProblem, PluginHttpRequestPart.Headers);
        }

        if (BodyProblem(method, request.Body, textBodyProblem) is { } bodyProblem)
        {
            return Refuse(hops, PluginHttpErrors.InvalidRequest, method, target, bodyProblem, PluginHttpRequestPart.Body);
        }

        TimeSpan budget = remaining == Timeout.InfiniteTimeSpan || remaining > _maxTimeout ? _maxTimeout : remaining;
        if (budget <= TimeSpan.Zero)
        {
            hops.Add(Hop(method, target, null, 0, false, PluginHttpErrors.Timeout + ": the call had no time left; nothing was sent."));
            return PluginHttpResult.Failure(PluginHttpErrors.Timeout, "The plugin's call has no time left; the request was not sent.", hops);
        }

        // One deadline for the whole exchange: every hop, its headers and its body.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(budget);
        var exchange = new Exchange(hops, policy, request.BinaryResponse, budget, deadline, cancellationToken);
        return Run(exchange, method, target, headers, request.Body);
    }

    /// <summary>Closes the client's connections.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _direct.Dispose();
            _upstream.Dispose();
        }
    }

    private PluginHttpResult Run(Exchange exchange, string method, Target current, List<KeyValuePair<string, string>> headers, byte[]? body)
    {
        for (int redirects = 0; ; redirects++)
        {
            Uri? upstream = _upstreams.GetValueOrDefault(current.Host);
            string? via = upstream is null ? null : "via upstream " + upstream.GetLeftPart(UriPartial.Path);
            using HttpRequestMessage message = Message(method, upstream is null ? current.Uri : OnUpstream(upstream, current.Uri), headers, body);
            HttpResponseMessage response;
            try
            {
                response = (upstream is null ? _direct : _upstream).Send(message, HttpCompletionOption.ResponseHeadersRead, exchange.Deadline.Token);
            }
            catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
            {
                return Failed(exchange, exception, method, current, via, upstream is not null, status: null, bytes: 0);
            }

            using (response)
            {
                int status = (int)response.StatusCode;
                if (status is not (301 or 302 or 303 or 307 or 308) || Location(response) is not { Length: > 0 } location)
                {
                    return Complete(exchange, response, method, current, via);
                }

                string nextMethod = (status == 303 && method != "HEAD") || (status is 301 or 302 && method == "POST") ? "GET" : method;
                Target? next = RedirectTarget(current, location, out string? problem);
                string shownTarget = next?.AuditUrl ?? ShownUrl(location);
                exchange.Hops.Add(Hop(method, current, status, 0, true, Joined(via, "redirect to " + shownTarget)));
                if (redirects >= _maxRedirects)
                {
                    string tooMany = $"the request was redirected more than {_maxRedirects} times (the last time from {current.AuditUrl} to {shownTarget}); at most {_maxRedirects} redirects are followed.";
                    return Refuse(exchange.Hops, PluginHttpErrors.TooManyRedirects, nextMethod, next, tooMany, shownTarget);
                }

                if (problem is null)
                {
                    PluginUrlDecision decision = exchange.Policy.CheckRedirect(current.Uri, next!.Uri);
                    problem = !decision.IsAllowed ? decision.Reason
                        : next.Scheme == "http" && current.Scheme == "https" ? "it would downgrade https to http."
                        : !exchange.Policy.DecidesScheme && SchemeProblem(next.Scheme) is { } schemeProblem ? schemeProblem
                        : null;
                }

                if (problem is not null)
                {
                    return Refuse(exchange.Hops, PluginHttpErrors.RedirectNotAllowed, nextMethod, next, $"{current.AuditUrl} redirected ({status}) to {shownTarget}, which is refused: {problem}", shownTarget);
                }

                if (nextMethod != method)
                {
                    body = null;
                }

                if (!next!.SameOrigin(current))
                {
                    headers.RemoveAll(h => CredentialHeaders.Contains(h.Key, StringComparer.OrdinalIgnoreCase));
                }

                method = nextMethod;
                current = next;
            }
        }
    }

    private PluginHttpResult Complete(Exchange exchange, HttpResponseMessage response, string method, Target current, string? via)
    {
        int status = (int)response.StatusCode;
        if (method != "HEAD" && response.Content.Headers.ContentLength is long declared && declared > _maxResponseBytes)
        {
            exchange.Hops.Add(Hop(method, current, status, 0, true, Joined(via, $"{PluginHttpErrors.ResponseTooLarge}: {declared:N0} bytes declared")));
            return PluginHttpResult.Failure(PluginHttpErrors.ResponseTooLarge, $"The response from {current.AuditUrl} is {declared:N0} bytes; plugins receive at most {_maxResponseBytes:N0}. Ask for less (a smaller page, fewer fields).", exchange.Hops);
        }

        using var body = new MemoryStream();
        try
        {
            // Synchronous reads ignore cancellation tokens: when the deadline passes, disposing the response aborts a read.
            using CancellationTokenRegistration abort = exchange.Deadline.Token.Register(static state => ((HttpResponseMessage)state!).Dispose(), response);
            using Stream stream = response.Content.ReadAsStream(exchange.Deadline.Token);
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                body.Write(buffer, 0, read);
                if (body.Length > _maxResponseBytes)
                {
                    exchange.Hops.Add(Hop(method, current, status, body.Length, true, Joined(via, $"{PluginHttpErrors.ResponseTooLarge}: over {_maxResponseBytes:N0} bytes")));
                    return PluginHttpResult.Failure(PluginHttpErrors.ResponseTooLarge, $"The response from {current.AuditUrl} is over {_maxResponseBytes:N0} bytes, the most plugins receive. Ask for less (a smaller page, fewer fields).", exchange.Hops);
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            return Failed(exchange, exception, method, current, via, via is not null, status, body.Length);
        }

        byte[] bytes = body.ToArray();
        if (!exchange.Binary && !Utf8.IsValid(bytes))
        {
            string type = response.Content.Headers.ContentType?.ToString() ?? "no content type";
            exchange.Hops.Add(Hop(method, current, status, bytes.Length, true, Joined(via, $"{PluginHttpErrors.BinaryBody}: {type}")));
            return PluginHttpResult.Failure(PluginHttpErrors.BinaryBody, $"The response from {current.AuditUrl} ({status}, {type}, {bytes.Length:N0} bytes) is not UTF-8 text; host_http_request returns text bodies only.", exchange.Hops);
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, HeaderStringValues> header in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            string name = header.Key.ToLowerInvariant();
            string value = string.Join(", ", header.Value);
            headers[name] = headers.TryGetValue(name, out string? earlier) ? earlier + ", " + value : value;
        }

        exchange.Hops.Add(Hop(method, current, status, bytes.Length, true, via));
        return PluginHttpResult.Success(new HostHttpResponse(status, headers, exchange.Binary ? null : Encoding.UTF8.GetString(bytes)), bytes, exchange.Hops);
    }

    private static PluginHttpResult Failed(Exchange exchange, Exception exception, string method, Target current, string? via, bool upstream, int? status, long bytes)
    {
        if (exchange.CallToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The plugin's call was cancelled.", exception, exchange.CallToken);
        }

        if (exchange.Deadline.IsCancellationRequested)
        {
            string stage = status is null ? "no response" : "the response was not complete";
            exchange.Hops.Add(Hop(method, current, status, bytes, true, Joined(via, $"{PluginHttpErrors.Timeout}: {stage} within {exchange.Budget.TotalMilliseconds:0} ms")));
            return PluginHttpResult.Failure(PluginHttpErrors.Timeout, $"{Capitalized(stage)} from {current.AuditUrl} within {exchange.Budget.TotalMilliseconds:0} ms (the smaller of the host's limit per request and the time the plugin's call had left).", exchange.Hops);
        }

        for (Exception? inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is AddressRefusedException refused)
            {
                exchange.Hops.Add(Hop(method, current, null, 0, false, PluginHttpErrors.AddressNotAllowed + ": " + refused.Message));
                return PluginHttpResult.Failure(PluginHttpErrors.AddressNotAllowed, refused.Message + " Plugins may connect only to public addresses; an administrator can allow the host in PluginHttpOptions.PrivateNetworkExceptions.", exchange.Hops);
            }
        }

        string full = exception.InnerException is { } cause && cause.Message != exception.Message ? $"{exception.Message} ({cause.Message})" : exception.Message;
        exchange.Hops.Add(Hop(method, current, status, bytes, true, Joined(via, PluginHttpErrors.NetworkError + ": " + Shown(full, MaxShownChars))));

        // An upstream is the administrator's: its address stays out of the message the plugin sees.
        string shown = upstream
            ? (exception as HttpRequestException)?.HttpRequestError.ToString() ?? exception.GetType().Name
            : Shown(full, MaxShownChars);
        string when = status is null ? "" : $" after the status {status} arrived";
        return PluginHttpResult.Failure(PluginHttpErrors.NetworkError, $"The request to {current.AuditUrl} failed{when}: {shown}", exchange.Hops);
    }

    private static PluginHttpResult Refuse(List<PluginHttpHop> hops, string code, string method, Target target, string message, PluginHttpRequestPart? part = null)
    {
        hops.Add(Hop(method, target, null, 0, false, code + ": " + message));
        return PluginHttpResult.Failure(code, Capitalized(message), hops, part);
    }

    private static PluginHttpResult Refuse(List<PluginHttpHop> hops, string code, string method, Target? target, string message, string shownTarget)
    {
        hops.Add(target is null
            ? new PluginHttpHop(method, "", shownTarget, null, 0, false, code + ": " + message)
            : Hop(method, target, null, 0, false, code + ": " + message));
        return PluginHttpResult.Failure(code, Capitalized(message), hops);
    }

    private static PluginHttpHop Hop(string method, Target target, int? status, long bytes, bool allowed, string? detail) =>
        new(method, target.Host, target.AuditUrl, status, bytes, allowed, detail);

    private string? SchemeProblem(string scheme) =>
        scheme == "http" && !_allowHttp ? "plain http is refused; use https (an administrator can allow http with PluginHttpOptions.AllowHttp)." : null;

    private static Target? RedirectTarget(Target current, string location, out string? problem)
    {
        string text;
        if (location.Length > MaxUrlLength)
        {
            problem = $"the redirect target is {location.Length:N0} characters long; at most {MaxUrlLength:N0} are accepted.";
            return null;
        }

        if (UrlSyntax.TryReadScheme(location, out _))
        {
            text = location;
        }
        else if (UrlSyntax.CheckCharacters(location, "the redirect target") is { } characters)
        {
            problem = characters;
            return null;
        }
        else if (Uri.TryCreate(current.Uri, location, out Uri? resolved))
        {
            text = resolved.AbsoluteUri;
        }
        else
        {
            problem = "the redirect target is not a valid URL.";
            return null;
        }

        if (!UrlSyntax.TryParseRequestUrl(text, "the redirect target", out UrlSyntax.Parts parts, out problem))
        {
            return null;
        }

        return new Target(parts.Uri, parts.Scheme, parts.Host, parts.Port);
    }

    private static string? Location(HttpResponseMessage response)
    {
        if (response.Headers.NonValidated.TryGetValues("Location", out HeaderStringValues values))
        {
            foreach (string value in values)
            {
                return value.Trim();
            }
        }

        return null;
    }

    private static Uri OnUpstream(Uri upstream, Uri url) =>
        new(upstream.GetLeftPart(UriPartial.Authority) + upstream.AbsolutePath.TrimEnd('/') + url.PathAndQuery);

    private static HttpRequestMessage Message(string method, Uri destination, List<KeyValuePair<string, string>> headers, byte[]? body)
    {
        var message = new HttpRequestMessage(new HttpMethod(method), destination)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (body is not null || method is "POST" or "PUT" or "PATCH")
        {
            message.Content = new ByteArrayContent(body ?? []);
        }

        foreach (KeyValuePair<string, string> header in headers)
        {
            if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                // A content header (Content-Type, …): kept with a body, dropped without one.
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return message;
    }

    private static string? HeaderProblem(IReadOnlyDictionary<string, string>? headers, out List<KeyValuePair<string, string>> valid)
    {
        valid = [];
        if (headers is null)
        {
            return null;
        }

        if (headers.Count > MaxRequestHeaders)
        {
            return $"the request has {headers.Count} headers; at most {MaxRequestHeaders} are accepted.";
        }

        long size = 0;
        foreach (KeyValuePair<string, string> header in headers)
        {
            string name = header.Key;
            string? value = header.Value;
            if (name.Length == 0 || name.Any(c => !IsTokenChar(c)))
            {
                return $"the header name \"{Shown(name, 40)}\" is not a valid HTTP token (letters, digits and !#$%&'*+-.^_`|~).";
            }

            if (HostHeaders.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase))
            {
                return $"the header {name} is set by the host; a plugin may not give it.";
            }

            if (value is null)
            {
                return $"the header {name} has no value.";
            }

            foreach (char c in value)
            {
                if (c is '\r' or '\n' or '\0')
                {
                    return $"the header {name} has a line break or NUL in its value; header injection is refused.";
                }

                if ((c < ' ' && c != '\t') || c == '\u007f')
                {
                    return $"the header {name} has a control character (U+{(int)c:X4}) in its value.";
                }

                if (c > '\u007e')
                {
                    return $"the header {name} has a non-ASCII character (U+{(int)c:X4}) in its value; encode it (percent-encoding, or RFC 8187 for parameters).";
                }
            }

            size += name.Length + value.Length;
            if (size > MaxRequestHeaderBytes)
            {
                return $"the request headers are over {MaxRequestHeaderBytes:N0} bytes.";
            }

            valid.Add(new KeyValuePair<string, string>(name, value));
        }

        return null;
    }

    private string? BodyProblem(string method, byte[]? body, string? textProblem)
    {
        if (body is null && textProblem is null)
        {
            return null;
        }

        if (method is "GET" or "HEAD")
        {
            return $"a {method} request may not have a body; use POST, PUT or PATCH to send one.";
        }

        if (textProblem is not null)
        {
            return textProblem;
        }

        int length = body!.Length;
        return length > _maxRequestBodyBytes ? $"the body is {length:N0} bytes; at most {_maxRequestBodyBytes:N0} are accepted." : null;
    }

    // RFC 9110 token: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);

    private HttpClient CreateClient(Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            Credentials = null,
            PreAuthenticate = false,
            AutomaticDecompression = DecompressionMethods.All,
            ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),

            // A response the host stops reading (a deadline, a cancelled call, a body over the cap, a redirect) closes its
            // connection at once: draining it would hold a stalled call for up to the default 2 s.
            ResponseDrainTimeout = TimeSpan.Zero,
            MaxResponseDrainSize = 0,
            ConnectCallback = connect,
        };
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    // Resolves once and connects to the checked addresses only: no second lookup that could answer differently.
    private async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool checkAddresses, CancellationToken cancellationToken)
    {
        string host = endpoint.Host;
        string bare = host.Length >= 2 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
        IPAddress[] addresses = IPAddress.TryParse(bare, out IPAddress? literal)
            ? [literal]
            : await _resolve(host, cancellationToken).ConfigureAwait(false) ?? [];
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        if (checkAddresses && !_allowPrivateNetworks && !_privateNetworkNames.IsAllowed(host, out _))
        {
            foreach (IPAddress address in addresses)
            {
                if (AddressPolicy.Refusal(address) is { } kind && !IsPrivateNetworkException(address))
                {
                    throw new AddressRefusedException($"{host} resolved to {address}, which is not a public address: {kind}; the connection was refused.");
                }
            }
        }

        SocketException? failure = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException exception)
            {
                socket.Dispose();
                failure = exception;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw failure!;
    }

    private bool IsPrivateNetworkException(IPAddress address)
    {
        IPAddress plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (IPNetwork range in _privateNetworkRanges)
        {
            if (range.Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    // Host names and wildcards go to a DomainAllowlist; addresses and ranges, in their plain forms, to networks.
    private static (DomainAllowlist Names, IPNetwork[] Ranges) ReadPrivateNetworkExceptions(IEnumerable<string> entries)
    {
        var names = new List<string>();
        var ranges = new List<IPNetwork>();
        foreach (string entry in entries)
        {
            if (entry is null)
            {
                throw new ArgumentException("PrivateNetworkExceptions: an entry is null.", "options");
            }

            int slash = entry.IndexOf('/', StringComparison.Ordinal);
            string addressText = slash < 0 ? entry : entry[..slash];
            string bare = addressText.Length >= 2 && addressText[0] == '[' && addressText[^1] == ']' ? addressText[1..^1] : addressText;
            if (!IPAddress.TryParse(bare, out IPAddress? address))
            {
                names.Add(entry);
                continue;
            }

            bool plain = address.AddressFamily == AddressFamily.InterNetworkV6
                ? bare.Contains(':', StringComparison.Ordinal) && address.ScopeId == 0
                : bare.Split('.') is { Length: 4 } octets && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit) && (o.Length == 1 || o[0] != '0'));
            if (!plain)
            {
                throw new ArgumentException($"PrivateNetworkExceptions: \"{Shown(entry, 80)}\" is an address in an ambiguous form; write it as {address} (or a range such as {address}/32).", "options");
            }

            int maxPrefix = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            int prefix = maxPrefix;
            if (slash >= 0 && (!int.TryParse(entry.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > maxPrefix))
            {
                throw new ArgumentException($"PrivateNetworkExceptions: \"{Shown(entry, 80)}\" has an invalid prefix length; write an address ({address}) or a range such as {address}/{maxPrefix} (at most /{maxPrefix}).", "options");
            }

            IPAddress first = Masked(address, prefix);
            if (!first.Equals(address))
            {
                throw new ArgumentException($"PrivateNetworkExceptions: \"{Shown(entry, 80)}\" has bits set after its /{prefix} prefix; write the range as {first}/{prefix}.", "options");
            }

            ranges.Add(new IPNetwork(address, prefix));
        }

        return DomainAllowlist.TryCreate(names, out DomainAllowlist? allowlist, out string? problem)
            ? (allowlist, ranges.ToArray())
            : throw new ArgumentException("PrivateNetworkExceptions: " + problem + " Addresses (10.1.2.3, fd00::5) and ranges (10.1.0.0/16) may be listed too.", "options");
    }

    private static IPAddress Masked(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private static string Joined(string? first, string? second) =>
        first is null ? second ?? "" : second is null ? first : first + "; " + second;

    // Messages start with a capital, unless they start with a URL or host name.
    private static string Capitalized(string text)
    {
        int wordEnd = text.IndexOf(' ', StringComparison.Ordinal);
        string word = wordEnd < 0 ? text : text[..wordEnd];
        return text.Length == 0 || word.Contains('.', StringComparison.Ordinal) || word.Contains(':', StringComparison.Ordinal)
            ? text
            : char.ToUpperInvariant(text[0]) + text[1..];
    }

    private static string ShownUrl(string? url)
    {
        if (url is null)
        {
            return "";
        }

        int end = url.AsSpan().IndexOfAny('?', '#');
        return Shown(end < 0 ? url : url[..end], MaxShownChars);
    }

    private static string Shown(string text, int maxChars)
    {
        string cut = text.Length > maxChars ? text[..maxChars] + "…" : text;
        return string.Create(cut.Length, cut, static (span, source) =>
        {
            for (int i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
    }

    /// <summary>A URL a request goes to, as the plugin addressed it.</summary>
    private sealed record Target(Uri Uri, string Scheme, string Host, int Port)
    {
        /// <summary>The URL without query and fragment, for hops and messages.</summary>
        public string AuditUrl { get; } = UrlSyntax.Describe(Scheme, Host, Port) + Uri.AbsolutePath;

        public bool SameOrigin(Target other) => Scheme == other.Scheme && Host == other.Host && Port == other.Port;
    }

    /// <summary>The state one call shares across its hops.</summary>
    private sealed record Exchange(List<PluginHttpHop> Hops, IPluginUrlPolicy Policy, bool Binary, TimeSpan Budget, CancellationTokenSource Deadline, CancellationToken CallToken);

    /// <summary>Thrown from the connect callback when a host resolves to an address plugins may not reach.</summary>
    private sealed class AddressRefusedException(string message) : Exception(message);
}
