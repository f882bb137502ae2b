using Airlock.Services;
using Microsoft.Extensions.Time.Testing;

namespace Airlock.Host.Tests.Services;

/// <summary>The per-plugin log limiter: burst, steady rate and suppressed-line counts, on a fake clock.</summary>
public sealed class LogRateLimiterTests
{
    [Fact]
    public void A_burst_of_50_passes_then_lines_are_suppressed_and_counted()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(timeProvider: time);
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(new LogRateDecision(true, 0), limiter.TryAcquire("p"));
        }

        for (int i = 1; i <= 1234; i++)
        {
            Assert.Equal(new LogRateDecision(false, i), limiter.TryAcquire("p"));
        }

        time.Advance(TimeSpan.FromMilliseconds(100)); // 10/s: one line's worth
        Assert.Equal(new LogRateDecision(true, 1234), limiter.TryAcquire("p"));
        Assert.Equal(new LogRateDecision(false, 1), limiter.TryAcquire("p"));
    }

    [Fact]
    public void The_steady_rate_is_10_lines_a_second()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(timeProvider: time);
        Drain(limiter, "p");
        for (int second = 0; second < 5; second++)
        {
            int passed = 0;
            for (int tick = 0; tick < 100; tick++)
            {
                time.Advance(TimeSpan.FromMilliseconds(10));
                for (int line = 0; line < 5; line++)
                {
                    passed += limiter.TryAcquire("p").Allowed ? 1 : 0;
                }
            }

            Assert.Equal(10, passed);
        }
    }

    [Fact]
    public void A_quiet_plugin_refills_only_up_to_the_burst()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(new LogRateLimiterOptions { LinesPerSecond = 2, Burst = 3 }, time);
        Drain(limiter, "p");
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, Drain(limiter, "p"));
        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(limiter.TryAcquire("p").Allowed);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(limiter.TryAcquire("p").Allowed);
    }

    [Fact]
    public void Plugins_are_limited_separately_and_Forget_reports_unreported_suppression()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(timeProvider: time);
        Drain(limiter, "noisy");
        for (int i = 0; i < 7; i++)
        {
            limiter.TryAcquire("noisy");
        }

        Assert.True(limiter.TryAcquire("quiet").Allowed);
        Assert.Equal(8, limiter.Forget("noisy")); // 7, plus the one that ended Drain
        Assert.Equal(0, limiter.Forget("noisy"));
        Assert.Equal(new LogRateDecision(true, 0), limiter.TryAcquire("noisy")); // a fresh bucket
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogRateLimiter(new LogRateLimiterOptions { Burst = 0 }));
    }

    /// <summary>Takes lines until one is refused; returns how many passed.</summary>
    private static int Drain(LogRateLimiter limiter, string pluginId)
    {
        int passed = 0;
        while (limiter.TryAcquire(pluginId).Allowed)
        {
            passed++;
        }

        return passed;
    }
}
