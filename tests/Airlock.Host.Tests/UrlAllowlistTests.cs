using Airlock.Lesstruct;

namespace Airlock.Host.Tests.Lesstruct;

/// <summary>URL patterns and allowlist matching: URLs are parsed and normalised before they are compared, never matched as raw text.</summary>
public sealed class UrlAllowlistTests
{
    private static readonly UrlAllowlist Allowlist = new(
    [
        "https://api.example.com/*",
        "https://rates.example.com/v1/*",
        "https://files.example.com/v1*",
        "https://exact.example.com/v1/rates",
        "https://exact.example.com/v2/list?page=1",
        "https://search.example.com/find?q=*",
        "http://127.0.0.1:5000/*",
        "https://bücher.example/*",
    ]);

    [Theory]
    // Host: compared exactly, case-insensitively, after IDN normalisation; never by suffix or prefix.
    [InlineData("https://api.example.com/", "https://api.example.com/*")]
    [InlineData("https://api.example.com", "https://api.example.com/*")]
    [InlineData("https://api.example.com/x", "https://api.example.com/*")]
    [InlineData("https://API.EXAMPLE.COM/x", "https://api.example.com/*")]
    [InlineData("HTTPS://Api.Example.Com/x", "https://api.example.com/*")]
    [InlineData("https://api.example.com:443/x", "https://api.example.com/*")]
    [InlineData("https://api.example.com:/x", "https://api.example.com/*")]
    [InlineData("https://api.example.com/x?next=https://evil.com/", "https://api.example.com/*")]
    [InlineData("https://api.example.com?@evil.com/", "https://api.example.com/*")]
    [InlineData("https://xn--bcher-kva.example/x", "https://bücher.example/*")]
    [InlineData("https://bücher.example/x", "https://bücher.example/*")]
    [InlineData("https://BÜCHER.example/x", "https://bücher.example/*")]
    [InlineData("http://127.0.0.1:5000/rates", "http://127.0.0.1:5000/*")]
    [InlineData("http://2130706433:5000/rates", "http://127.0.0.1:5000/*")]
    // Path: canonicalised by System.Uri first, then a prefix for '*' patterns.
    [InlineData("https://rates.example.com/v1/rates", "https://rates.example.com/v1/*")]
    [InlineData("https://rates.example.com/v1/", "https://rates.example.com/v1/*")]
    [InlineData("https://rates.example.com/v1/../v1/rates", "https://rates.example.com/v1/*")]
    [InlineData("https://rates.example.com/v1/./rates", "https://rates.example.com/v1/*")]
    [InlineData("https://rates.example.com/v1/a%2Fb", "https://rates.example.com/v1/*")]
    [InlineData("https://rates.example.com/%76%31/rates", "https://rates.example.com/v1/*")]
    [InlineData("https://files.example.com/v1", "https://files.example.com/v1*")]
    [InlineData("https://files.example.com/v1-beta/x", "https://files.example.com/v1*")]
    [InlineData("https://files.example.com/v1?x=1", "https://files.example.com/v1*")]
    // Exact patterns: same path and query; the fragment is never sent and not compared.
    [InlineData("https://exact.example.com/v1/rates", "https://exact.example.com/v1/rates")]
    [InlineData("https://exact.example.com/v1/rates#top", "https://exact.example.com/v1/rates")]
    [InlineData("https://exact.example.com/v2/list?page=1", "https://exact.example.com/v2/list?page=1")]
    // Query prefix.
    [InlineData("https://search.example.com/find?q=cats", "https://search.example.com/find?q=*")]
    [InlineData("https://search.example.com/find?q=", "https://search.example.com/find?q=*")]
    public void Allowed_urls_name_the_first_matching_pattern(string url, string pattern)
    {
        UrlMatch match = Allowlist.Match(url);
        Assert.True(match.IsAllowed, match.Reason);
        Assert.Equal(pattern, match.Pattern.Text);
        Assert.True(match.Url.IsAbsoluteUri);
        Assert.Null(match.Reason);
    }

    [Theory]
    // Host tricks.
    [InlineData("https://api.example.com.evil.com/", "no pattern matches host api.example.com.evil.com")]
    [InlineData("https://evil.com/https://api.example.com/", "no pattern matches host evil.com")]
    [InlineData("https://evilapi.example.com/", "no pattern matches host evilapi.example.com")]
    [InlineData("https://ex\u0430mple.com/", "no pattern matches host xn--exmple-4nf.com")]
    [InlineData("https://[::1]/", "no pattern matches host ::1")]
    [InlineData("https://api.example.com@evil.com/", "URLs with user information are refused")]
    [InlineData("https://user:pw@api.example.com/", "URLs with user information are refused")]
    [InlineData("https://api.example.com%40evil.com/", "not a valid absolute")]
    [InlineData("https://api.example.com./x", "ends with a dot")]
    [InlineData("https://api.example.com\u3002/x", "ends with a dot")]
    // Scheme and port.
    [InlineData("http://api.example.com/", "scheme http is not allowed for host api.example.com; its patterns use https")]
    [InlineData("https://api.example.com:8443/", "port 8443 is not allowed for https://api.example.com; its patterns use port 443")]
    [InlineData("https://api.example.com:80/", "port 80 is not allowed")]
    [InlineData("http://127.0.0.1/rates", "port 80 is not allowed")]
    [InlineData("ftp://api.example.com/", "scheme ftp is not allowed")]
    [InlineData("file:///etc/passwd", "scheme file is not allowed")]
    [InlineData("javascript:alert(1)", "scheme javascript is not allowed")]
    [InlineData("/v1/rates", "not absolute")]
    [InlineData("api.example.com/x", "not absolute")]
    [InlineData("https:api.example.com/x", "expected '//'")]
    [InlineData("", "empty")]
    // Path escapes: resolved by System.Uri, or refused when a server might resolve them differently.
    [InlineData("https://rates.example.com/v1/../admin", "no pattern matches the path /admin on https://rates.example.com")]
    [InlineData("https://rates.example.com/v1/%2e%2e/admin", "no pattern matches the path /admin")]
    [InlineData("https://rates.example.com/v1/%2E%2E/admin", "no pattern matches the path /admin")]
    [InlineData("https://rates.example.com/v1/.%2e/admin", "no pattern matches the path /admin")]
    [InlineData("https://rates.example.com/v1/..%2fadmin", "encoded dot segment")]
    [InlineData("https://rates.example.com/v1/%2e%2e%2fadmin", "encoded dot segment")]
    [InlineData("https://rates.example.com/v1/x%5c..%5cadmin", "encoded dot segment")]
    [InlineData("https://rates.example.com/v1/..;/admin", "encoded dot segment")]
    [InlineData("https://files.example.com/v1%2f..%2fadmin", "encoded dot segment")]
    [InlineData("https://rates.example.com/v1", "no pattern matches the path /v1 on https://rates.example.com")]
    [InlineData("https://rates.example.com/V1/rates", "no pattern matches the path /V1/rates")]
    [InlineData("https://rates.example.com\\v1\\rates", "backslash")]
    [InlineData("https://rates.example.com/v1/x\\..\\..\\admin", "backslash")]
    // Whitespace and control characters, which System.Uri would trim or encode.
    [InlineData(" https://api.example.com/", "whitespace or a control character")]
    [InlineData("https://api.example.com/ ", "whitespace or a control character")]
    [InlineData("https://api.example.com/a b", "whitespace or a control character")]
    [InlineData("https://api.example.com/\tx", "whitespace or a control character")]
    [InlineData("https://api.example.com/x\0", "whitespace or a control character")]
    [InlineData("https://api.example.com/x\u202E", "whitespace or a control character")]
    // Exact patterns: no more and no less.
    [InlineData("https://exact.example.com/v1/rates?x=1", "no pattern matches the path /v1/rates?x=1")]
    [InlineData("https://exact.example.com/v1/rates/", "no pattern matches the path /v1/rates/")]
    [InlineData("https://exact.example.com/v1/rates/../admin", "no pattern matches the path /v1/admin")]
    [InlineData("https://exact.example.com/v2/list?page=2", "no pattern matches the path /v2/list?page=2")]
    [InlineData("https://exact.example.com/v2/list", "no pattern matches the path /v2/list on https://exact.example.com; the patterns for it are https://exact.example.com/v1/rates, https://exact.example.com/v2/list?page=1")]
    [InlineData("https://search.example.com/find", "no pattern matches the path /find")]
    [InlineData("https://search.example.com/find/x?q=1", "no pattern matches the path /find/x?q=1")]
    public void Refused_urls_say_why(string url, string reason)
    {
        UrlMatch match = Allowlist.Match(url);
        Assert.False(match.IsAllowed);
        Assert.Null(match.Pattern);
        Assert.Contains(reason, match.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_matching_pattern_wins()
    {
        var allowlist = new UrlAllowlist(["https://api.example.com/v1/rates", "https://api.example.com/*", "https://api.example.com/v1/*"]);
        Assert.Equal("https://api.example.com/v1/rates", allowlist.Match("https://api.example.com/v1/rates").Pattern?.Text);
        Assert.Equal("https://api.example.com/*", allowlist.Match("https://api.example.com/v1/other").Pattern?.Text);
    }

    [Fact]
    public void The_match_carries_the_normalised_url_to_request()
    {
        UrlMatch match = Allowlist.Match("HTTPS://API.example.com:443/v1/./x/../rates?a=1");
        Assert.True(match.IsAllowed);
        Assert.Equal("https://api.example.com/v1/rates?a=1", match.Url.AbsoluteUri);
    }

    [Fact]
    public void Uri_overload_checks_the_original_text()
    {
        Assert.True(Allowlist.Match(new Uri("https://api.example.com/x")).IsAllowed);
        Assert.Contains("whitespace", Allowlist.Match(new Uri(" https://api.example.com/x")).Reason, StringComparison.Ordinal);
        Assert.Contains("not absolute", Allowlist.Match(new Uri("/x", UriKind.Relative)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_allowlist_refuses_everything()
    {
        UrlMatch match = UrlAllowlist.Empty.Match("https://api.example.com/");
        Assert.False(match.IsAllowed);
        Assert.Contains("allowlist is empty", match.Reason, StringComparison.Ordinal);
        Assert.True(UrlAllowlist.Empty.IsEmpty);
        Assert.Empty(UrlAllowlist.Empty.Patterns);
    }

    [Theory]
    [InlineData("https://rates.example.com/v1/a", "/v1/b", true, "https://rates.example.com/v1/b")]
    [InlineData("https://rates.example.com/v1/a", "b?x=1", true, "https://rates.example.com/v1/b?x=1")]
    [InlineData("https://rates.example.com/v1/a", "https://api.example.com/elsewhere", true, "https://api.example.com/elsewhere")]
    [InlineData("https://rates.example.com/v1/a", "../admin", false, "redirect refused: no pattern matches the path /admin")]
    [InlineData("https://rates.example.com/v1/a", "/admin", false, "redirect refused: no pattern matches the path /admin")]
    [InlineData("https://rates.example.com/v1/a", "//evil.com/v1/a", false, "redirect refused: no pattern matches host evil.com")]
    [InlineData("https://rates.example.com/v1/a", "http://rates.example.com/v1/a", false, "redirect refused: scheme http is not allowed")]
    [InlineData("https://rates.example.com/v1/a", "https://rates.example.com@evil.com/", false, "redirect refused: the URL has user information")]
    [InlineData("https://rates.example.com/v1/a", "\\\\evil.com\\x", false, "redirect refused: the redirect target contains a backslash")]
    [InlineData("https://rates.example.com/v1/a", "/v1/b c", false, "redirect refused: the redirect target contains whitespace")]
    [InlineData("https://rates.example.com/v1/a", "file:///etc/passwd", false, "redirect refused: scheme file is not allowed")]
    public void Redirect_targets_are_resolved_and_checked_like_requests(string from, string location, bool allowed, string expected)
    {
        UrlMatch match = Allowlist.MatchRedirect(new Uri(from), location);
        Assert.Equal(allowed, match.IsAllowed);
        if (allowed)
        {
            Assert.Equal(expected, match.Url!.AbsoluteUri);
        }
        else
        {
            Assert.Contains(expected, match.Reason, StringComparison.Ordinal);
        }

        // The Uri overload (what HttpResponseMessage.Headers.Location holds) agrees.
        if (Uri.TryCreate(location, UriKind.RelativeOrAbsolute, out Uri? locationUri))
        {
            Assert.Equal(allowed, Allowlist.MatchRedirect(new Uri(from), locationUri).IsAllowed);
        }
    }

    [Theory]
    [InlineData("https://api.example.com/*", "https", "api.example.com", 443, "/", true)]
    [InlineData("https://api.example.com/v1/*", "https", "api.example.com", 443, "/v1/", true)]
    [InlineData("https://api.example.com/v1*", "https", "api.example.com", 443, "/v1", true)]
    [InlineData("https://api.example.com/find?q=*", "https", "api.example.com", 443, "/find?q=", true)]
    [InlineData("https://api.example.com", "https", "api.example.com", 443, "/", false)]
    [InlineData("https://api.example.com/v1/rates?x=1", "https", "api.example.com", 443, "/v1/rates?x=1", false)]
    [InlineData("HTTPS://API.Example.COM:443/v1", "https", "api.example.com", 443, "/v1", false)]
    [InlineData("http://127.0.0.1:5000/*", "http", "127.0.0.1", 5000, "/", true)]
    [InlineData("https://bücher.example/*", "https", "xn--bcher-kva.example", 443, "/", true)]
    [InlineData("https://api.example.com/a%2fb", "https", "api.example.com", 443, "/a%2Fb", false)]
    [InlineData("https://api.example.com/caf\u00e9/*", "https", "api.example.com", 443, "/caf%C3%A9/", true)]
    public void Valid_patterns_are_normalised(string text, string scheme, string host, int port, string pathAndQuery, bool isPrefix)
    {
        Assert.True(UrlAllowlist.TryParsePattern(text, out UrlPattern? pattern, out string? problem), problem);
        Assert.Equal(text, pattern.Text);
        Assert.Equal(scheme, pattern.Scheme);
        Assert.Equal(host, pattern.Host);
        Assert.Equal(port, pattern.Port);
        Assert.Equal(pathAndQuery, pattern.PathAndQuery);
        Assert.Equal(isPrefix, pattern.IsPrefix);
        Assert.Equal(text, pattern.ToString());
    }

    [Theory]
    [InlineData("", "the pattern is empty")]
    [InlineData("https://api.example.com*", "'*' is not allowed in the host or port")]
    [InlineData("https://*.example.com/", "'*' is not allowed in the host or port")]
    [InlineData("https://api.example.com:*/", "'*' is not allowed in the host or port")]
    [InlineData("https://api.example.com/*/x", "'*' is only allowed once, as the last character")]
    [InlineData("https://api.example.com/v1/**", "'*' is only allowed once, as the last character")]
    [InlineData("https://api.example.com/v1/*.json", "'*' is only allowed once, as the last character")]
    [InlineData("https://api.example.com?q=*", "'*' must be in the path")]
    [InlineData("^https://api.example.com/", "not regular expressions")]
    [InlineData("https://api.example.com/v1/$", "not regular expressions")]
    [InlineData("https://api.example.com/(v1|v2)/", "contains '|'")]
    [InlineData("https://api.example.com/v[0-9]/", "contains '['")]
    [InlineData("https://api.example.com/v1/.*", "dot segments")]
    [InlineData("https://api.example.com/v1/../admin/*", "dot segments")]
    [InlineData("https://api.example.com/v1/%2e%2e/*", "dot segments")]
    [InlineData("https://api.example.com/v1/..*", "dot segments")]
    [InlineData("https://api.example.com/v1%2*", "'%' that is not followed by two hexadecimal digits")]
    [InlineData("ftp://api.example.com/*", "scheme ftp is not allowed")]
    [InlineData("api.example.com/*", "not an absolute URL")]
    [InlineData("/v1/*", "not an absolute URL")]
    [InlineData("https:api.example.com/*", "expected '//' after 'https:'")]
    [InlineData("https://user@api.example.com/*", "user information")]
    [InlineData("https://user:pw@api.example.com/*", "user information")]
    [InlineData("https://api.example.com/#top", "fragments")]
    [InlineData("https://api.example.com./*", "ends with a dot")]
    [InlineData("https://api.example.com/ x", "whitespace")]
    [InlineData("https://api.example.com\\v1", "backslash")]
    [InlineData("https://api.example.com:99999/", "not a valid absolute")]
    [InlineData("https:///v1", "not a valid absolute")]
    public void Invalid_patterns_say_why(string text, string problem)
    {
        Assert.False(UrlPattern.TryParse(text, out UrlPattern? pattern, out string? actual));
        Assert.Null(pattern);
        Assert.Contains(problem, actual, StringComparison.Ordinal);
    }

    [Fact]
    public void The_constructor_refuses_a_bad_pattern_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => new UrlAllowlist(["https://api.example.com/*", "https://*.example.com/"]));
        Assert.Contains("\"https://*.example.com/\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("not allowed in the host", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => UrlPattern.Parse("https://api.example.com*"));
    }

    [Fact]
    public void Patterns_that_match_the_same_urls_are_equal()
    {
        Assert.Equal(UrlPattern.Parse("https://API.example.com:443/v1/*"), UrlPattern.Parse("https://api.example.com/v1/*"));
        Assert.Equal(UrlPattern.Parse("https://xn--bcher-kva.example/"), UrlPattern.Parse("https://bücher.example"));
        Assert.NotEqual(UrlPattern.Parse("https://api.example.com/v1/*"), UrlPattern.Parse("https://api.example.com/v1/"));
        Assert.NotEqual(UrlPattern.Parse("https://api.example.com/v1/*"), UrlPattern.Parse("http://api.example.com/v1/*"));
    }
}
