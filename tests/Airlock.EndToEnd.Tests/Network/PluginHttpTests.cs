using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Airlock.Contracts.SocialScale;
using Airlock.Services;

namespace Airlock.EndToEnd.Tests.Network;

/// <summary>
/// <see cref="DomainAllowlist"/> as a table, and <see cref="PluginHttpClient"/> against a real loopback server: test names
/// resolve through <see cref="PluginHttpOptions.Resolve"/> (<c>local.test.example</c> to 127.0.0.1,
/// <c>rebind.test.example</c> to 10.0.0.1, …), and <c>api</c>, <c>other</c> and <c>evil.test.example</c> are sent to the
/// loopback server through <see cref="PluginHttpOptions.Upstreams"/>, so a refused request would show up in its log.
/// </summary>
public sealed class PluginHttpTests(PluginHttpServer server) : IClassFixture<PluginHttpServer>
{
    private static readonly TimeSpan Plenty = TimeSpan.FromSeconds(10);

    // How late past its bound a request may end: the slack docs/security.md documents.
    private const int SlackMs = 1000;

    private static readonly DomainAllowlist Declared = new(["api.test.example", "other.test.example", "local.test.example", "rebind.test.example", "mixed.test.example", "nowhere.test.example"]);

    private readonly ConcurrentDictionary<string, int> _lookups = new(StringComparer.Ordinal);

    // ---------------------------------------------------------------- DomainAllowlist

    [Theory]
    [InlineData("api.example.com", "api.example.com", true)]
    [InlineData("api.example.com", "API.Example.COM", true)]
    [InlineData("API.EXAMPLE.COM", "api.example.com", true)]
    [InlineData("api.example.com", "www.api.example.com", false)]
    [InlineData("api.example.com", "example.com", false)]
    [InlineData("api.example.com", "api.example.com.evil.com", false)]
    [InlineData("api.example.com", "apiexample.com", false)]
    [InlineData("api.example.com", "api.example.co", false)]
    [InlineData("api.example.com", "api.example.com.", false)]
    [InlineData("example.com", "evil-example.com", false)]
    [InlineData("example.com", "a.example.com", false)]
    [InlineData("*.example.com", "a.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com", true)]
    [InlineData("*.example.com", "A.B.C.Example.Com", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "evil-example.com", false)]
    [InlineData("*.example.com", "aexample.com", false)]
    [InlineData("*.example.com", "example.com.evil.com", false)]
    [InlineData("*.example.com", "a.example.com.", false)]
    [InlineData("*.example.com|example.com", "example.com", true)]
    [InlineData("*.co.uk", "bbc.co.uk", true)]
    [InlineData("bücher.example", "xn--bcher-kva.example", true)]
    [InlineData("xn--bcher-kva.example", "bücher.example", true)]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example", true)]
    [InlineData("*.bücher.example", "shop.xn--bcher-kva.example", true)]
    [InlineData("bücher.example", "bucher.example", false)]
    [InlineData("api.example.com|*.cdn.example.net", "x.cdn.example.net", true)]
    [InlineData("api.example.com|*.cdn.example.net", "cdn.example.net", false)]
    [InlineData("api.example.com", "127.0.0.1", false)]
    [InlineData("api.example.com", "::1", false)]
    [InlineData("api.example.com", "[::ffff:127.0.0.1]", false)]
    [InlineData("*.example.com", "0x7f.1", false)]
    [InlineData("", "api.example.com", false)]
    public void DomainAllowlist_decides_hosts(string declared, string host, bool allowed)
    {
        var allowlist = new DomainAllowlist(declared.Length == 0 ? [] : declared.Split('|'));
        Assert.Equal(allowed, allowlist.IsAllowed(host, out string? reason));
        Assert.Equal(allowed, reason is null);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(" api.example.com", "whitespace")]
    [InlineData("api.example.com\n", "whitespace")]
    [InlineData("https://api.example.com", "without a scheme (write api.example.com)")]
    [InlineData("api.example.com:443", "ports are not allowed")]
    [InlineData("api.example.com/v1", "paths are not allowed")]
    [InlineData("api.example.com?x=1", "queries")]
    [InlineData("user@api.example.com", "user information")]
    [InlineData("api.example.com.", "ends with a dot")]
    [InlineData("*.example.com.", "ends with a dot")]
    [InlineData(".example.com", "write *.example.com")]
    [InlineData("a..example.com", "empty label")]
    [InlineData("*", "single leading '*.'")]
    [InlineData("*.*.example.com", "single leading '*.'")]
    [InlineData("api.*.example.com", "single leading '*.'")]
    [InlineData("*example.com", "single leading '*.'")]
    [InlineData("*.com", "at least two labels")]
    [InlineData("*.", "empty label")]
    [InlineData("127.0.0.1", "IP literals are refused")]
    [InlineData("2130706433", "read it as 127.0.0.1")]
    [InlineData("0x7f.1", "read it as 127.0.0.1")]
    [InlineData("0177.0.0.1", "read it as 127.0.0.1")]
    [InlineData("127.1", "read it as 127.0.0.1")]
    [InlineData("a.b.1", "IP literals are refused")]
    [InlineData("*.0.0.1", "IP literals are refused")]
    [InlineData("example.0x1f", "IP literals are refused")]
    [InlineData("::1", "IP literals are refused")]
    [InlineData("[::1]", "IP literals are refused")]
    [InlineData("1.2.3.4:80", "IP literals are refused")]
    [InlineData("-api.example.com", "hyphen")]
    [InlineData("a_b.example.com", "contains '_'")]
    [InlineData("xn--zz.example", "not valid punycode")]
    [InlineData("intranet", "single-label")]
    [InlineData("localhost", "single-label")]
    [InlineData("app.localhost", "localhost")]
    public void DomainAllowlist_refuses_invalid_entries(string domain, string expected)
    {
        Assert.False(DomainAllowlist.TryNormalizeDomain(domain, out _, out string? problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.False(DomainAllowlist.TryCreate(["ok.example.com", domain], out _, out string? listProblem));
        Assert.Contains(expected, listProblem, StringComparison.Ordinal);
        ArgumentException exception = Assert.Throws<ArgumentException>(() => new DomainAllowlist(["ok.example.com", domain]));
        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DomainAllowlist_normalises_and_explains()
    {
        var allowlist = new DomainAllowlist(["API.Example.com", "api.example.com", "*.Bücher.example", "example.net"]);
        Assert.Equal(new[] { "api.example.com", "*.xn--bcher-kva.example", "example.net" }, allowlist.Domains);

        Assert.False(allowlist.IsAllowed("127.0.0.1", out string? ip));
        Assert.Contains("IP literals are refused; declare a domain", ip, StringComparison.Ordinal);
        Assert.False(allowlist.IsAllowed("xn--bcher-kva.example", out string? bare));
        Assert.Contains("covers subdomains only", bare, StringComparison.Ordinal);
        Assert.False(DomainAllowlist.Empty.IsAllowed("api.example.com", out string? none));
        Assert.Contains("declared no network domains", none, StringComparison.Ordinal);
        Assert.True(DomainAllowlist.Empty.IsEmpty);
    }

    // ---------------------------------------------------------------- allowed requests

    [Fact]
    public void An_allowed_get_goes_through_the_upstream_and_is_recorded_without_its_query()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/data?key=secret-1"), Declared, Plenty, default);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(200, result.Response.Status);
        Assert.Equal("hello", result.Response.Body);
        Assert.Equal("text/plain", result.Response.Headers!["content-type"]);
        Assert.True(server.Received("GET /data?key=secret-1"));
        Assert.False(_lookups.ContainsKey("api.test.example"));

        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.Equal(new PluginHttpHop("GET", "api.test.example", "https://api.test.example/data", 200, 5, true, $"via upstream http://127.0.0.1:{server.Port}/"), hop);
    }

    [Fact]
    public void An_upstream_base_path_prefixes_the_plugins_path()
    {
        using PluginHttpClient client = Client(o => o.Upstreams["other.test.example"] = new Uri(server.BaseAddress, "/base/"));
        PluginHttpResult result = client.Send(new HostHttpRequest("https://other.test.example/v1/items?marker=base-1"), Declared, Plenty, default);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(404, result.Response.Status);
        Assert.True(server.Received("GET /base/v1/items?marker=base-1"));
    }

    [Fact]
    public void Plugin_headers_and_bodies_are_sent_and_host_headers_are_not()
    {
        using PluginHttpClient client = Client();
        var headers = new Dictionary<string, string> { ["X-Test"] = "yes", ["Authorization"] = "Bearer t", ["Content-Type"] = "application/json" };
        PluginHttpResult echo = client.Send(new HostHttpRequest("https://api.test.example/echo-headers", "POST", headers, "{}"), Declared, Plenty, default);
        Assert.True(echo.IsSuccess, echo.ErrorMessage);
        Assert.Equal($"authorization=Bearer t;cookie=;x-test=yes;content-type=application/json;traceparent=;host=127.0.0.1:{server.Port}", echo.Response.Body);

        PluginHttpResult put = client.Send(new HostHttpRequest("https://api.test.example/echo-method", "put", null, "payload ü"), Declared, Plenty, default);
        Assert.True(put.IsSuccess, put.ErrorMessage);
        Assert.Equal("PUT payload ü", put.Response.Body);
        Assert.Equal("PUT", Assert.Single(put.Hops).Method);
    }

    [Fact]
    public void Response_headers_are_lowercased_and_repeated_values_joined()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/multi"), Declared, Plenty, default);
        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal("a=1, b=2", result.Response.Headers!["set-cookie"]);
        Assert.Equal("one, two", result.Response.Headers["x-multi"]);
        Assert.All(result.Response.Headers.Keys, key => Assert.Equal(key.ToLowerInvariant(), key));
    }

    [Fact]
    public void Compressed_bodies_are_decoded_and_binary_bodies_refused()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult gzip = client.Send(new HostHttpRequest("https://api.test.example/gzip"), Declared, Plenty, default);
        Assert.True(gzip.IsSuccess, gzip.ErrorMessage);
        Assert.Equal("compressed text", gzip.Response.Body);
        Assert.False(gzip.Response.Headers!.ContainsKey("content-encoding"));

        PluginHttpResult binary = client.Send(new HostHttpRequest("https://api.test.example/binary"), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.BinaryBody, binary.ErrorCode);
        Assert.Contains("not UTF-8 text", binary.ErrorMessage, StringComparison.Ordinal);
        PluginHttpHop hop = Assert.Single(binary.Hops);
        Assert.Equal((200, 4L, true), (hop.Status, hop.ResponseBytes, hop.Allowed));
    }

    // ---------------------------------------------------------------- refused before sending

    [Theory]
    [InlineData("https://user@api.test.example/data?marker=userinfo-1")]
    [InlineData("https://user:password@api.test.example/data?marker=userinfo-2")]
    [InlineData("https://api.test.example@evil.test.example/data?marker=userinfo-3")]
    public void Urls_with_user_information_are_refused(string url)
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest(url), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.InvalidRequest, result.ErrorCode);
        Assert.Contains("user information", result.ErrorMessage, StringComparison.Ordinal);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.False(hop.Allowed);
        Assert.DoesNotContain("marker", hop.Url, StringComparison.Ordinal);
        Assert.False(server.Received("marker=userinfo"));
    }

    [Theory]
    [InlineData("ftp://api.test.example/data", "ftp is not allowed")]
    [InlineData("/data", "not absolute")]
    [InlineData("api.test.example/data", "not absolute")]
    [InlineData("https://api.test.example/a b", "whitespace")]
    [InlineData("https://api.test.example\\data", "backslash")]
    [InlineData("https://api.test.example./data", "ends with a dot")]
    [InlineData("https://api.test.example/v1/..%2fadmin", "dot segment")]
    [InlineData("", "empty")]
    [InlineData("http://api.test.example/data", "use https")]
    public void Invalid_urls_are_refused(string url, string expected)
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest(url), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.InvalidRequest, result.ErrorCode);
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
        Assert.False(Assert.Single(result.Hops).Allowed);
    }

    [Fact]
    public void Plain_http_is_allowed_only_when_the_administrator_allows_it()
    {
        using PluginHttpClient client = Client(o => o.AllowHttp = true);
        PluginHttpResult result = client.Send(new HostHttpRequest("http://api.test.example/data"), Declared, Plenty, default);
        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal("http://api.test.example/data", Assert.Single(result.Hops).Url);
    }

    [Fact]
    public void An_undeclared_domain_is_refused_and_nothing_is_sent()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://evil.test.example/data?marker=undeclared-1"), Declared, Plenty, default);

        Assert.False(result.IsSuccess);
        Assert.Equal(PluginHttpErrors.DomainNotAllowed, result.ErrorCode);
        Assert.Contains("evil.test.example is not among the plugin's declared network domains", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(new PluginHttpHop("GET", "evil.test.example", "https://evil.test.example/data", null, 0, false, "domain_not_allowed: " + result.ErrorMessage), Assert.Single(result.Hops));
        Assert.False(server.Received("undeclared-1"));
        Assert.Empty(_lookups);
    }

    [Theory]
    [InlineData("https://127.0.0.1/data")]
    [InlineData("https://2130706433/data")]
    [InlineData("https://0x7f.1/data")]
    [InlineData("https://0177.0.0.1/data")]
    [InlineData("https://127.1/data")]
    [InlineData("https://[::1]/data")]
    [InlineData("https://[::ffff:127.0.0.1]/data")]
    [InlineData("https://api.test.1/data")]
    public void Ip_literal_urls_are_refused(string url)
    {
        using PluginHttpClient client = Client(o => o.AllowPrivateNetworks = true);
        PluginHttpResult result = client.Send(new HostHttpRequest(url), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.IpLiteral, result.ErrorCode);
        Assert.Contains("IP literals are refused", result.ErrorMessage, StringComparison.Ordinal);
        Assert.False(Assert.Single(result.Hops).Allowed);
        Assert.Empty(_lookups);
    }

    [Theory]
    [InlineData("Host", "api.test.example", "set by the host")]
    [InlineData("content-length", "5", "set by the host")]
    [InlineData("Transfer-Encoding", "chunked", "set by the host")]
    [InlineData("Connection", "close", "set by the host")]
    [InlineData("Upgrade", "websocket", "set by the host")]
    [InlineData("Proxy-Authorization", "Basic x", "set by the host")]
    [InlineData("Proxy-Anything", "x", "set by the host")]
    [InlineData("TE", "trailers", "set by the host")]
    [InlineData("Trailer", "X", "set by the host")]
    [InlineData("Keep-Alive", "timeout=5", "set by the host")]
    [InlineData("Bad Name", "x", "not a valid HTTP token")]
    [InlineData("X-A:B", "x", "not a valid HTTP token")]
    [InlineData("", "x", "not a valid HTTP token")]
    [InlineData("X-Test", "a\r\nInjected: yes", "line break")]
    [InlineData("X-Test", "a\nb", "line break")]
    [InlineData("X-Test", "a\0b", "NUL")]
    [InlineData("X-Test", "a\u0001b", "control character")]
    [InlineData("X-Test", "café", "non-ASCII")]
    public void Bad_headers_are_refused(string name, string value, string expected)
    {
        using PluginHttpClient client = Client();
        string marker = Guid.NewGuid().ToString("N");
        var request = new HostHttpRequest("https://api.test.example/data?marker=" + marker, "GET", new Dictionary<string, string> { [name] = value });
        PluginHttpResult result = client.Send(request, Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.InvalidRequest, result.ErrorCode);
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
        Assert.False(Assert.Single(result.Hops).Allowed);
        Assert.False(server.Received(marker));
    }

    [Theory]
    [InlineData("TRACE", null, "TRACE is not allowed; use GET, HEAD, POST")]
    [InlineData("CONNECT", null, "CONNECT is not allowed")]
    [InlineData("G ET", null, "is not allowed")]
    [InlineData("GET", "body", "may not have a body")]
    [InlineData("HEAD", "body", "may not have a body")]
    [InlineData("POST", "12345678901", "at most 10")]
    [InlineData("POST", "lone surrogate", "unpaired surrogate")]
    public void Bad_methods_and_bodies_are_refused(string method, string? body, string expected)
    {
        using PluginHttpClient client = Client(o => o.MaxRequestBodyBytes = 10);
        string marker = Guid.NewGuid().ToString("N");
        body = body == "lone surrogate" ? "\ud800" : body;
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/echo-method?marker=" + marker, method, null, body), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.InvalidRequest, result.ErrorCode);
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
        Assert.False(Assert.Single(result.Hops).Allowed);
        Assert.False(server.Received(marker));
    }

    // ---------------------------------------------------------------- redirects

    [Fact]
    public void A_redirect_is_followed_and_every_hop_recorded()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/redirect?to=/data%3Fsecret%3D1"), Declared, Plenty, default);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal("hello", result.Response.Body);
        string via = $"via upstream http://127.0.0.1:{server.Port}/";
        Assert.Equal(
            new[]
            {
                new PluginHttpHop("GET", "api.test.example", "https://api.test.example/redirect", 302, 0, true, via + "; redirect to https://api.test.example/data"),
                new PluginHttpHop("GET", "api.test.example", "https://api.test.example/data", 200, 5, true, via),
            },
            result.Hops);
    }

    [Fact]
    public void A_redirect_to_an_undeclared_domain_is_refused()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/redirect?to=https://evil.test.example/steal%3Fmarker%3Dsteal-1"), Declared, Plenty, default);

        Assert.Equal(PluginHttpErrors.RedirectNotAllowed, result.ErrorCode);
        Assert.Contains("https://evil.test.example/steal, which is refused: evil.test.example is not among", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(2, result.Hops.Count);
        Assert.Equal(("api.test.example", 302, true), (result.Hops[0].Host, result.Hops[0].Status, result.Hops[0].Allowed));
        Assert.Equal(("evil.test.example", "https://evil.test.example/steal", (int?)null, false), (result.Hops[1].Host, result.Hops[1].Url, result.Hops[1].Status, result.Hops[1].Allowed));
        Assert.False(server.Received("GET /steal"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:{port}/data", "IP literals are refused")]
    [InlineData("https://[::1]/data", "IP literals are refused")]
    [InlineData("http://api.test.example/data", "downgrade https to http")]
    [InlineData("file:///etc/passwd", "scheme file")]
    [InlineData("//evil.test.example/data", "evil.test.example is not among")]
    [InlineData("https://user@api.test.example/data", "user information")]
    public void Redirects_are_checked_like_requests(string location, string expected)
    {
        using PluginHttpClient client = Client(o => o.AllowHttp = true);
        location = location.Replace("{port}", server.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/redirect?to=" + Uri.EscapeDataString(location)), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.RedirectNotAllowed, result.ErrorCode);
        Assert.Contains(expected, result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(new[] { true, false }, result.Hops.Select(h => h.Allowed));
    }

    [Fact]
    public void A_redirect_loop_stops_at_the_limit()
    {
        using PluginHttpClient client = Client(o => o.MaxRedirects = 3);
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/loop"), Declared, Plenty, default);

        Assert.Equal(PluginHttpErrors.TooManyRedirects, result.ErrorCode);
        Assert.Contains("more than 3 times", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(5, result.Hops.Count);
        Assert.All(result.Hops.Take(4), hop => Assert.Equal((302, true), (hop.Status, hop.Allowed)));
        Assert.Equal(("https://api.test.example/loop", (int?)null, false), (result.Hops[4].Url, result.Hops[4].Status, result.Hops[4].Allowed));
    }

    [Theory]
    [InlineData(303, "POST", "GET ")]
    [InlineData(302, "POST", "GET ")]
    [InlineData(301, "POST", "GET ")]
    [InlineData(307, "POST", "POST body")]
    [InlineData(308, "PUT", "PUT body")]
    [InlineData(303, "PUT", "GET ")]
    [InlineData(302, "PUT", "PUT body")]
    public void Redirects_change_the_method_as_browsers_do(int status, string method, string expected)
    {
        using PluginHttpClient client = Client();
        var request = new HostHttpRequest($"https://api.test.example/redirect?status={status}&to=/echo-method", method, new Dictionary<string, string> { ["Content-Type"] = "text/plain" }, "body");
        PluginHttpResult result = client.Send(request, Declared, Plenty, default);
        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(expected, result.Response.Body);
        Assert.Equal(new[] { method, expected.Split(' ')[0] }, result.Hops.Select(h => h.Method));
    }

    [Fact]
    public void Credentials_are_not_carried_to_another_origin()
    {
        using PluginHttpClient client = Client();
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer t", ["Cookie"] = "s=1", ["X-Test"] = "kept" };
        PluginHttpResult same = client.Send(new HostHttpRequest("https://api.test.example/redirect?to=/echo-headers", "GET", headers), Declared, Plenty, default);
        Assert.True(same.IsSuccess, same.ErrorMessage);
        Assert.StartsWith("authorization=Bearer t;cookie=s=1;x-test=kept;", same.Response.Body, StringComparison.Ordinal);

        PluginHttpResult other = client.Send(new HostHttpRequest("https://api.test.example/redirect?to=https://other.test.example/echo-headers", "GET", headers), Declared, Plenty, default);
        Assert.True(other.IsSuccess, other.ErrorMessage);
        Assert.StartsWith("authorization=;cookie=;x-test=kept;", other.Response.Body, StringComparison.Ordinal);
        Assert.Equal(new[] { "api.test.example", "other.test.example" }, other.Hops.Select(h => h.Host));
    }

    // ---------------------------------------------------------------- limits

    [Theory]
    [InlineData("/big?size=1001")]
    [InlineData("/chunked?size=5000")]
    public void A_response_over_the_cap_is_refused(string path)
    {
        using PluginHttpClient client = Client(o => o.MaxResponseBytes = 1000);
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example" + path), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.ResponseTooLarge, result.ErrorCode);
        Assert.Contains("1,000", result.ErrorMessage, StringComparison.Ordinal);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.Equal((200, true), (hop.Status, hop.Allowed));
        Assert.True(hop.ResponseBytes is 0 or > 1000, hop.ResponseBytes.ToString(CultureInfo.InvariantCulture));

        PluginHttpResult exact = client.Send(new HostHttpRequest("https://api.test.example/big?size=1000"), Declared, Plenty, default);
        Assert.True(exact.IsSuccess, exact.ErrorMessage);
        Assert.Equal(1000, exact.Response.Body!.Length);
    }

    [Fact]
    public void A_head_response_is_not_held_to_the_length_it_declares()
    {
        using PluginHttpClient client = Client(o => o.MaxResponseBytes = 1000);
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/big?size=5000", "HEAD"), Declared, Plenty, default);
        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal((200, "", "5000"), (result.Response.Status, result.Response.Body, result.Response.Headers!["content-length"]));
        Assert.Equal(0, Assert.Single(result.Hops).ResponseBytes);
    }

    [Fact]
    public void The_default_cap_is_one_mebibyte()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult over = client.Send(new HostHttpRequest("https://api.test.example/chunked?size=1048577&chunk=65536"), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.ResponseTooLarge, over.ErrorCode);
        PluginHttpResult at = client.Send(new HostHttpRequest("https://api.test.example/big?size=1048576"), Declared, Plenty, default);
        Assert.True(at.IsSuccess, at.ErrorMessage);
        Assert.Equal(1048576, Assert.Single(at.Hops).ResponseBytes);
    }

    [Theory]
    [InlineData("/slow", 300, 30_000)]
    [InlineData("/slow", 30_000, 300)]
    [InlineData("/drip", 1000, 30_000)]
    public void The_timeout_is_the_smaller_of_the_limit_and_the_time_left(string path, int remainingMs, int maxMs)
    {
        using PluginHttpClient client = Client(o => o.MaxTimeout = TimeSpan.FromMilliseconds(maxMs));
        var stopwatch = Stopwatch.StartNew();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example" + path), Declared, TimeSpan.FromMilliseconds(remainingMs), default);
        stopwatch.Stop();

        Assert.Equal(PluginHttpErrors.Timeout, result.ErrorCode);
        // Far below the other bound (30 s), with room for a loaded CI machine.
        int limit = Math.Min(remainingMs, maxMs);
        Assert.Contains($"within {limit} ms", result.ErrorMessage, StringComparison.Ordinal);
        Assert.InRange(stopwatch.ElapsedMilliseconds, limit - 50, limit + 5000);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.True(hop.Allowed);
        Assert.Equal(path == "/drip" ? 200 : null, hop.Status);
    }

    [Fact]
    public void No_time_left_sends_nothing()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/data?marker=no-time"), Declared, TimeSpan.Zero, default);
        Assert.Equal(PluginHttpErrors.Timeout, result.ErrorCode);
        Assert.False(Assert.Single(result.Hops).Allowed);
        Assert.False(server.Received("marker=no-time"));
    }

    [Fact]
    public void Cancelling_the_call_throws()
    {
        using PluginHttpClient client = Client();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => client.Send(new HostHttpRequest("https://api.test.example/data"), Declared, Plenty, cancelled.Token));

        using var later = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stopwatch = Stopwatch.StartNew();
        OperationCanceledException exception = Assert.ThrowsAny<OperationCanceledException>(() => client.Send(new HostHttpRequest("https://api.test.example/slow"), Declared, Plenty, later.Token));
        Assert.Equal(later.Token, exception.CancellationToken);
        Assert.InRange(stopwatch.ElapsedMilliseconds, 150, 2500);
    }

    [Fact]
    public void A_body_that_stalls_after_its_headers_ends_at_the_deadline_without_draining()
    {
        using PluginHttpClient client = Client();
        var stopwatch = Stopwatch.StartNew();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/stall"), Declared, TimeSpan.FromMilliseconds(400), default);
        stopwatch.Stop();

        Assert.Equal(PluginHttpErrors.Timeout, result.ErrorCode);
        Assert.Contains("The response was not complete", result.ErrorMessage, StringComparison.Ordinal);
        // Disposing a half-read response used to drain it for up to 2 s; the connection is now closed at once.
        Assert.InRange(stopwatch.ElapsedMilliseconds, 350, 400 + SlackMs);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.Equal((200, 11L, true), (hop.Status, hop.ResponseBytes, hop.Allowed));

        // The client serves the next request.
        Assert.True(client.Send(new HostHttpRequest("https://api.test.example/data"), Declared, Plenty, default).IsSuccess);
    }

    [Fact]
    public void Cancelling_during_a_stalled_body_throws_promptly()
    {
        using PluginHttpClient client = Client();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();
        OperationCanceledException exception = Assert.ThrowsAny<OperationCanceledException>(() => client.Send(new HostHttpRequest("https://api.test.example/stall"), Declared, Plenty, cancel.Token));
        Assert.Equal(cancel.Token, exception.CancellationToken);
        Assert.InRange(stopwatch.ElapsedMilliseconds, 250, 300 + SlackMs);
    }

    [Fact]
    public void A_body_cut_short_is_a_network_error()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://api.test.example/truncated"), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.NetworkError, result.ErrorCode);
        Assert.Contains("after the status 200 arrived", result.ErrorMessage, StringComparison.Ordinal);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.Equal((200, true), (hop.Status, hop.Allowed));
        Assert.StartsWith("via upstream", hop.Detail, StringComparison.Ordinal);
        Assert.Contains("network_error", hop.Detail, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- binary requests and URL patterns

    [Fact]
    public void A_binary_request_sends_bytes_and_receives_any_body()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult binary = client.Send(new PluginHttpRequest("https://api.test.example/binary") { BinaryResponse = true }, Declared, Plenty, default);
        Assert.True(binary.IsSuccess, binary.ErrorMessage);
        Assert.Null(binary.Response.Body);
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x00, 0x41 }, binary.BodyBytes.ToArray());
        Assert.Equal("application/octet-stream", binary.Response.Headers!["content-type"]);

        PluginHttpResult post = client.Send(new PluginHttpRequest("https://api.test.example/echo-method") { Method = "POST", Body = "payload"u8.ToArray(), BinaryResponse = true }, Declared, Plenty, default);
        Assert.True(post.IsSuccess, post.ErrorMessage);
        Assert.Equal("POST payload", System.Text.Encoding.UTF8.GetString(post.BodyBytes.Span));

        PluginHttpResult tooBig = client.Send(new PluginHttpRequest("https://api.test.example/echo-method") { Method = "POST", Body = new byte[(1024 * 1024) + 1] }, Declared, Plenty, default);
        Assert.Equal((PluginHttpErrors.InvalidRequest, (PluginHttpRequestPart?)PluginHttpRequestPart.Body), (tooBig.ErrorCode, tooBig.InvalidPart));
    }

    [Fact]
    public void Url_patterns_are_a_policy_of_the_same_client()
    {
        var patterns = new Airlock.Lesstruct.UrlAllowlist(["https://api.test.example/redirect*", "https://api.test.example/data", "http://other.test.example/data"]);
        using PluginHttpClient client = Client();

        PluginHttpResult allowed = client.Send(new PluginHttpRequest("https://api.test.example/redirect?to=/data"), patterns, Plenty, default);
        Assert.True(allowed.IsSuccess, allowed.ErrorMessage);
        Assert.Equal(2, allowed.Hops.Count);

        PluginHttpResult path = client.Send(new PluginHttpRequest("https://api.test.example/echo-headers?marker=pattern-1"), patterns, Plenty, default);
        Assert.Equal(PluginHttpErrors.UrlNotAllowed, path.ErrorCode);
        Assert.Contains("no pattern matches the path /echo-headers", path.ErrorMessage, StringComparison.Ordinal);
        Assert.False(server.Received("marker=pattern-1"));

        PluginHttpResult redirect = client.Send(new PluginHttpRequest("https://api.test.example/redirect?to=/echo-headers"), patterns, Plenty, default);
        Assert.Equal(PluginHttpErrors.RedirectNotAllowed, redirect.ErrorCode);
        Assert.Contains("which is refused: no pattern matches the path /echo-headers", redirect.ErrorMessage, StringComparison.Ordinal);

        // A pattern names its scheme: plain http where a pattern says so, without AllowHttp.
        PluginHttpResult http = client.Send(new PluginHttpRequest("http://other.test.example/data"), patterns, Plenty, default);
        Assert.True(http.IsSuccess, http.ErrorMessage);

        // A downgrade is refused even when a pattern allows the http target.
        PluginHttpResult downgrade = client.Send(new PluginHttpRequest("https://api.test.example/redirect?to=http://other.test.example/data"), patterns, Plenty, default);
        Assert.Equal(PluginHttpErrors.RedirectNotAllowed, downgrade.ErrorCode);
        Assert.Contains("downgrade https to http", downgrade.ErrorMessage, StringComparison.Ordinal);
    }

    // ---------------------------------------------------------------- addresses

    [Theory]
    [InlineData("10.0.0.1", "private (10.0.0.0/8)")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.8.9.10", "loopback")]
    [InlineData("172.16.0.1", "private (172.16.0.0/12)")]
    [InlineData("172.31.255.254", "private (172.16.0.0/12)")]
    [InlineData("192.168.1.1", "private (192.168.0.0/16)")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "shared carrier-grade NAT")]
    [InlineData("100.127.255.254", "shared carrier-grade NAT")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("::1", "loopback (::1)")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local (fe80::/10)")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456::1", "unique-local")]
    [InlineData("ff02::1", "multicast (ff00::/8)")]
    [InlineData("::ffff:10.0.0.1", "private (10.0.0.0/8), in IPv4-mapped")]
    [InlineData("::ffff:127.0.0.1", "loopback (127.0.0.0/8), in IPv4-mapped")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("64:ff9b::a00:1", "private (10.0.0.0/8), in NAT64")]
    [InlineData("2002:a00:1::1", "private (10.0.0.0/8), in 6to4")]
    public void A_host_resolving_to_a_non_public_address_is_refused_at_connect(string address, string kind)
    {
        using PluginHttpClient client = Client(o => o.Resolve = (host, _) => ValueTask.FromResult(new[] { IPAddress.Parse(address) }));
        PluginHttpResult result = client.Send(new HostHttpRequest("https://rebind.test.example/data"), Declared, Plenty, default);

        Assert.Equal(PluginHttpErrors.AddressNotAllowed, result.ErrorCode);
        Assert.Contains($"rebind.test.example resolved to {IPAddress.Parse(address)}, which is not a public address: {kind}", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("PrivateNetworkExceptions", result.ErrorMessage, StringComparison.Ordinal);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.Equal(("rebind.test.example", (int?)null, false), (hop.Host, hop.Status, hop.Allowed));
    }

    [Fact]
    public void Any_non_public_address_among_several_refuses_the_connection()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://mixed.test.example/data"), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.AddressNotAllowed, result.ErrorCode);
        Assert.Contains("10.0.0.1", result.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_loopback_host_is_reached_only_when_the_administrator_allows_it()
    {
        string url = $"http://local.test.example:{server.Port}/data?marker=loopback";
        using (PluginHttpClient refused = Client(o => o.AllowHttp = true))
        {
            PluginHttpResult result = refused.Send(new HostHttpRequest(url + "-refused"), Declared, Plenty, default);
            Assert.Equal(PluginHttpErrors.AddressNotAllowed, result.ErrorCode);
            Assert.Contains("resolved to 127.0.0.1, which is not a public address: loopback (127.0.0.0/8)", result.ErrorMessage, StringComparison.Ordinal);
            Assert.False(server.Received("marker=loopback-refused"));
        }

        foreach ((string name, Action<PluginHttpOptions> allow) in new (string, Action<PluginHttpOptions>)[]
        {
            ("exact", o => o.PrivateNetworkExceptions.Add("local.test.example")),
            ("wildcard", o => o.PrivateNetworkExceptions.Add("*.test.example")),
            ("all", o => o.AllowPrivateNetworks = true),
        })
        {
            _lookups.Clear();
            using PluginHttpClient client = Client(o =>
            {
                o.AllowHttp = true;
                allow(o);
            });
            PluginHttpResult result = client.Send(new HostHttpRequest(url + "-" + name), Declared, Plenty, default);
            Assert.True(result.IsSuccess, name + ": " + result.ErrorMessage);
            Assert.Equal("hello", result.Response.Body);
            Assert.True(server.Received("marker=loopback-" + name));
            Assert.Equal(new PluginHttpHop("GET", "local.test.example", $"http://local.test.example:{server.Port}/data", 200, 5, true, null), Assert.Single(result.Hops));

            // Resolved once, and the connection went to the address that was checked: no second lookup to rebind.
            Assert.Equal(1, _lookups["local.test.example"]);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.0/8", true)]
    [InlineData("10.0.0.0/8", false)]
    [InlineData("127.0.0.2", false)]
    public void Addresses_and_ranges_in_the_exceptions_allow_exactly_those_addresses(string exception, bool reached)
    {
        string marker = "marker=range-" + Guid.NewGuid().ToString("N");
        using PluginHttpClient client = Client(o =>
        {
            o.AllowHttp = true;
            o.PrivateNetworkExceptions.Add(exception);
        });
        PluginHttpResult result = client.Send(new HostHttpRequest($"http://local.test.example:{server.Port}/data?{marker}"), Declared, Plenty, default);
        Assert.Equal(reached, result.IsSuccess);
        Assert.Equal(reached, server.Received(marker));
        if (!reached)
        {
            Assert.Equal(PluginHttpErrors.AddressNotAllowed, result.ErrorCode);
        }
    }

    [Fact]
    public void A_name_that_does_not_resolve_is_a_network_error()
    {
        using PluginHttpClient client = Client();
        PluginHttpResult result = client.Send(new HostHttpRequest("https://nowhere.test.example/data"), Declared, Plenty, default);
        Assert.Equal(PluginHttpErrors.NetworkError, result.ErrorCode);
        Assert.Contains("https://nowhere.test.example/data failed", result.ErrorMessage, StringComparison.Ordinal);
        PluginHttpHop hop = Assert.Single(result.Hops);
        Assert.Equal((true, (int?)null), (hop.Allowed, hop.Status));
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.PrivateNetworkExceptions.Add("not a host"))));
        Assert.Contains("write it as 127.0.0.1", Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.PrivateNetworkExceptions.Add("2130706433")))).Message, StringComparison.Ordinal);
        Assert.Contains("write it as 127.0.0.1", Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.PrivateNetworkExceptions.Add("127.1")))).Message, StringComparison.Ordinal);
        Assert.Contains("invalid prefix length", Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.PrivateNetworkExceptions.Add("10.0.0.0/33")))).Message, StringComparison.Ordinal);
        Assert.Contains("write the range as 10.0.0.0/8", Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.PrivateNetworkExceptions.Add("10.0.0.1/8")))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.Upstreams["*.test.example"] = server.BaseAddress)));
        Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.Upstreams["api.test.example"] = new Uri("ftp://127.0.0.1/"))));
        Assert.Throws<ArgumentException>(() => new PluginHttpClient(Options(o => o.MaxTimeout = TimeSpan.Zero)));
    }

    // ---------------------------------------------------------------- helpers

    private PluginHttpClient Client(Action<PluginHttpOptions>? configure = null) => new(Options(configure));

    private PluginHttpOptions Options(Action<PluginHttpOptions>? configure)
    {
        var options = new PluginHttpOptions
        {
            Resolve = Resolve,
            Upstreams =
            {
                ["api.test.example"] = server.BaseAddress,
                ["other.test.example"] = server.BaseAddress,
                ["evil.test.example"] = server.BaseAddress,
            },
        };
        configure?.Invoke(options);
        return options;
    }

    private ValueTask<IPAddress[]> Resolve(string host, CancellationToken cancellationToken)
    {
        _lookups.AddOrUpdate(host, 1, (_, count) => count + 1);
        return host switch
        {
            "local.test.example" => ValueTask.FromResult(new[] { IPAddress.Loopback }),
            "rebind.test.example" => ValueTask.FromResult(new[] { IPAddress.Parse("10.0.0.1") }),
            "mixed.test.example" => ValueTask.FromResult(new[] { IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.1") }),
            _ => ValueTask.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound)),
        };
    }
}
