using Airlock.Services;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Host.Tests.Services;

/// <summary>The per-plugin sliding-window limit, driven by a fake clock.</summary>
public sealed class PluginRateLimiterTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void The_default_allows_1000_an_hour_then_refuses_until_the_oldest_segment_leaves()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PluginRateLimiter(timeProvider: time);
        for (int i = 0; i < 1000; i++)
        {
            RateLimitDecision ok = limiter.TryAcquire("p");
            Assert.True(ok.Allowed);
            Assert.Null(ok.RetryAfter);
            Assert.Equal(999 - i, ok.Remaining);
        }

        RateLimitDecision refused = limiter.TryAcquire("p");
        Assert.False(refused.Allowed);
        Assert.Equal(1000, refused.Limit);
        Assert.Equal(TimeSpan.FromHours(1), refused.Window);
        Assert.Equal(0, refused.Remaining);
        // All 1000 were used in the first minute-long segment: they come back when it leaves, 60 segments on.
        Assert.Equal(TimeSpan.FromHours(1), refused.RetryAfter);

        time.Advance(TimeSpan.FromMinutes(59) + TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), limiter.TryAcquire("p").RetryAfter);
        time.Advance(TimeSpan.FromSeconds(30));
        RateLimitDecision back = limiter.TryAcquire("p");
        Assert.True(back.Allowed);
        Assert.Equal(999, back.Remaining);
    }

    [Fact]
    public void Permits_come_back_one_segment_at_a_time()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PluginRateLimiter(new PluginRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(10), SegmentsPerWindow = 10 }, time);
        // 4 permits in segment 0, 6 in segment 2.
        Take(limiter, "p", 4);
        time.Advance(2 * Minute);
        Take(limiter, "p", 6);
        time.Advance(TimeSpan.FromSeconds(20));
        RateLimitDecision refused = limiter.TryAcquire("p");
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromMinutes(7) + TimeSpan.FromSeconds(40), refused.RetryAfter); // segment 0 leaves at 10:00

        time.Advance(TimeSpan.FromMinutes(7) + TimeSpan.FromSeconds(40)); // 10:00: segment 0's 4 come back
        Assert.Equal(4, Take(limiter, "p", 10));
        RateLimitDecision again = limiter.TryAcquire("p");
        Assert.Equal(2 * Minute, again.RetryAfter); // segment 2 leaves at 12:00

        time.Advance(2 * Minute); // 12:00: segment 2's 6 come back
        Assert.Equal(6, Take(limiter, "p", 10));
    }

    [Fact]
    public void The_timer_slides_the_window_without_any_request()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PluginRateLimiter(new PluginRateLimiterOptions { PermitLimit = 2, Window = TimeSpan.FromSeconds(2), SegmentsPerWindow = 2 }, time);
        Take(limiter, "p", 2);
        for (int i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(2, Take(limiter, "p", 5));
    }

    [Fact]
    public void Plugins_are_isolated_and_overrides_apply_per_plugin()
    {
        var time = new FakeTimeProvider();
        using var limiter = new PluginRateLimiter(new PluginRateLimiterOptions { PermitLimit = 5 }, time);
        Assert.Equal(5, Take(limiter, "a", 10));
        Assert.Equal(5, Take(limiter, "b", 10));

        limiter.SetLimit("a", 3, TimeSpan.FromMinutes(6));
        RateLimitDecision first = limiter.TryAcquire("a");
        Assert.Equal(3, first.Limit);
        Assert.Equal(TimeSpan.FromMinutes(6), first.Window);
        Assert.Equal(2, Take(limiter, "a", 10));
        RateLimitDecision refused = limiter.TryAcquire("a");
        Assert.Equal(TimeSpan.FromMinutes(6), refused.RetryAfter); // 60 segments of 6 s; all used in the first
        Assert.False(limiter.TryAcquire("b").Allowed); // b keeps the default and its used window

        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(3, Take(limiter, "a", 10));

        Assert.True(limiter.ClearLimit("a"));
        Assert.False(limiter.ClearLimit("a"));
        Assert.Equal(5, limiter.TryAcquire("a").Limit);
    }

    [Fact]
    public void Invalid_settings_are_refused_and_a_disposed_limiter_refuses_calls()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginRateLimiter(new PluginRateLimiterOptions { PermitLimit = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PluginRateLimiter(new PluginRateLimiterOptions { Window = TimeSpan.Zero }));
        var limiter = new PluginRateLimiter(timeProvider: new FakeTimeProvider());
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.SetLimit("p", 0, TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.SetLimit("p", 1, TimeSpan.FromMilliseconds(10)));
        limiter.TryAcquire("p");
        limiter.Dispose();
        limiter.Dispose();
        Assert.Throws<ObjectDisposedException>(() => limiter.TryAcquire("p"));
    }

    [Fact]
    public void Concurrent_callers_never_get_more_than_the_limit()
    {
        using var limiter = new PluginRateLimiter(new PluginRateLimiterOptions { PermitLimit = 1000 }, new FakeTimeProvider());
        int allowed = 0;
        Parallel.For(0, 5000, _ =>
        {
            if (limiter.TryAcquire("p").Allowed)
            {
                Interlocked.Increment(ref allowed);
            }
        });
        Assert.Equal(1000, allowed);
    }

    private static int Take(PluginRateLimiter limiter, string pluginId, int attempts)
    {
        int allowed = 0;
        for (int i = 0; i < attempts; i++)
        {
            allowed += limiter.TryAcquire(pluginId).Allowed ? 1 : 0;
        }

        return allowed;
    }
}
