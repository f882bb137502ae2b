using Airlock.Services;

namespace Airlock.Host.Tests.Services;

/// <summary>Credentials never show their secrets, and the in-memory store keeps one per platform.</summary>
public sealed class PluginCredentialTests
{
    private const string Access = "ya29.SECRET-ACCESS";
    private const string Refresh = "1//SECRET-REFRESH";

    [Fact]
    public void ToString_and_interpolation_never_show_the_tokens()
    {
        var expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var credential = new PluginCredential(Access, Refresh, expires, ["read", "write"]);
        foreach (string text in new[] { credential.ToString(), $"{credential}", string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", credential), "x" + credential })
        {
            Assert.DoesNotContain("SECRET", text, StringComparison.Ordinal);
            Assert.Contains("access token ***", text, StringComparison.Ordinal);
            Assert.Contains("refresh token ***", text, StringComparison.Ordinal);
            Assert.Contains("2030-01-02T03:04:05", text, StringComparison.Ordinal);
            Assert.Contains("read write", text, StringComparison.Ordinal);
        }

        Assert.Equal("PluginCredential(access token ***, no refresh token, expires unknown)", new PluginCredential(Access).ToString());
        Assert.Equal(Access, credential.AccessToken);
        Assert.Equal(Refresh, credential.RefreshToken);
    }

    [Fact]
    public void The_debugger_shows_the_redacted_text_and_hides_the_token_properties()
    {
        var display = (System.Diagnostics.DebuggerDisplayAttribute)Attribute.GetCustomAttribute(typeof(PluginCredential), typeof(System.Diagnostics.DebuggerDisplayAttribute))!;
        Assert.Equal("{ToString(),nq}", display.Value);
        foreach (string property in new[] { nameof(PluginCredential.AccessToken), nameof(PluginCredential.RefreshToken) })
        {
            var browsable = (System.Diagnostics.DebuggerBrowsableAttribute?)Attribute.GetCustomAttribute(typeof(PluginCredential).GetProperty(property)!, typeof(System.Diagnostics.DebuggerBrowsableAttribute));
            Assert.Equal(System.Diagnostics.DebuggerBrowsableState.Never, browsable?.State);
        }

        Assert.NotNull(Attribute.GetCustomAttribute(typeof(PluginCredential), typeof(System.Diagnostics.DebuggerTypeProxyAttribute)));
    }

    [Fact]
    public void Expiry_is_checked_against_a_given_time()
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.False(new PluginCredential(Access, expiresAt: now.AddSeconds(1)).IsExpiredAt(now));
        Assert.True(new PluginCredential(Access, expiresAt: now).IsExpiredAt(now));
        Assert.False(new PluginCredential(Access).IsExpiredAt(now));
        Assert.Throws<ArgumentException>(() => new PluginCredential(string.Empty));
    }

    [Fact]
    public void The_store_gets_sets_replaces_and_removes_per_platform()
    {
        var store = new InMemoryCredentialStore();
        Assert.Null(store.Get("x"));
        var first = new PluginCredential("one");
        var second = new PluginCredential("two");
        store.Set("x", first);
        store.Set("y", second);
        Assert.Same(first, store.Get("x"));
        Assert.Null(store.Get("X"));
        store.Set("x", second);
        Assert.Same(second, store.Get("x"));
        Assert.True(store.Remove("x"));
        Assert.False(store.Remove("x"));
        Assert.Null(store.Get("x"));
        Assert.Same(second, store.Get("y"));
    }

    [Fact]
    public void The_store_is_safe_under_concurrent_use()
    {
        var store = new InMemoryCredentialStore();
        Parallel.For(0, 1000, i =>
        {
            string platform = "p" + (i % 10);
            store.Set(platform, new PluginCredential("t" + i));
            Assert.NotNull(store.Get(platform));
        });
        for (int i = 0; i < 10; i++)
        {
            Assert.True(store.Remove("p" + i));
        }
    }
}
