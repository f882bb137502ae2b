using System.Diagnostics;
using System.Text.Json;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using static Airlock.EndToEnd.Tests.Security.HostileAction;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// The hostile suite's cases about plugin HTTP servers that misbehave mid-response, for both plugin systems and their one
/// executor: a body that stalls after the headers, a call cancelled while it waits, a body that ends early.
/// </summary>
internal static class HostileHttpCases
{
    /// <summary>
    /// How late past its bound an HTTP call may end, measured from outside the call (writing the input and renting an
    /// instance included) on a loaded machine: the slack docs/security.md documents.
    /// </summary>
    public static readonly TimeSpan Slack = WasiHostileCases.DeadlineSlack;

    /// <summary>The deadline of the calls that meet a stalled body (the plugin's next call, which must still serve, has it too).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(1);

    /// <summary>When the calls that are cancelled mid-body are cancelled.</summary>
    public static readonly TimeSpan CancelAfter = TimeSpan.FromMilliseconds(300);

    private const string StallUrl = "https://api.chirp.example/api/stall";
    private const string TruncatedUrl = "https://api.chirp.example/api/truncated";

    private static PluginLimits ShortDeadline => PluginLimits.Default with { Timeout = Deadline, MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 };

    public static async Task<IHostileProbe?> StalledBodyAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, ShortDeadline);
        var stopwatch = Stopwatch.StartNew();

        // host_http_request answers -6 (timeout) at the deadline; the guest, past its deadline, is interrupted as soon as
        // it runs again (here in dealloc, which the host calls to free the request).
        PluginTimeoutException timeout = Assert.Throws<PluginTimeoutException>(() => probe.Invoke(Http, Bytes(HttpRequestJson(StallUrl)), []));
        AssertEndedBy(stopwatch, Deadline);
        Assert.Equal(Deadline, timeout.Timeout);
        AssertAudited(world, probe.Info.Id, "network.host_http_request", allowed: true, "(timeout)");
        return probe;
    }

    public static async Task<IHostileProbe?> CancelledMidBodyAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything);
        using var cancel = new TimedCancellation(CancelAfter);
        var stopwatch = Stopwatch.StartNew();
        OperationCanceledException cancelled = Assert.ThrowsAny<OperationCanceledException>(() => probe.Invoke(Http, Bytes(HttpRequestJson(StallUrl)), [], cancel.Token));
        AssertEndedBy(stopwatch, CancelAfter);
        Assert.Equal(cancel.Token, cancelled.CancellationToken);
        AssertAudited(world, probe.Info.Id, "network.host_http_request", allowed: true, "cancelled");
        return probe;
    }

    public static async Task<IHostileProbe?> TruncatedBodyAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything);
        Assert.Equal((long)HostCallStatus.Unavailable, probe.Invoke(Http, Bytes(HttpRequestJson(TruncatedUrl)), []));
        AssertAudited(world, probe.Info.Id, "network.host_http_request", allowed: true, "(network_error)");
        return probe;
    }

    public static async Task<IHostileProbe?> LesstructStalledBodyAsync(HostileWorld world)
    {
        ILesstructPlugin plugin = await world.LoadLesstructAsync("/api/stall", ShortDeadline);
        var stopwatch = Stopwatch.StartNew();
        PluginTimeoutException timeout = await Assert.ThrowsAsync<PluginTimeoutException>(() => plugin.BeforeSaveAsync(new ContentItem { Title = "t" }).AsTask());
        AssertEndedBy(stopwatch, Deadline);
        Assert.Equal("hook_before_save", timeout.Export);
        AssertAudited(world, plugin.Info.Id, "lesstruct.http_get", allowed: true, "timeout: ");
        await AssertLesstructServesAsync(world, plugin);
        return null;
    }

    public static async Task<IHostileProbe?> LesstructCancelledMidBodyAsync(HostileWorld world)
    {
        ILesstructPlugin plugin = await world.LoadLesstructAsync("/api/stall");
        using var cancel = new TimedCancellation(CancelAfter);
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => plugin.BeforeSaveAsync(new ContentItem { Title = "t" }, cancel.Token).AsTask());
        AssertEndedBy(stopwatch, CancelAfter);
        AssertAudited(world, plugin.Info.Id, "lesstruct.http_get", allowed: true, "cancelled: ");
        await AssertLesstructServesAsync(world, plugin);
        return null;
    }

    public static async Task<IHostileProbe?> LesstructTruncatedBodyAsync(HostileWorld world)
    {
        ILesstructPlugin plugin = await world.LoadLesstructAsync("/api/truncated");
        JsonElement answer = HttpAnswer(await plugin.BeforeSaveAsync(new ContentItem { Title = "t" }));
        Assert.False(answer.GetProperty("ok").GetBoolean());
        Assert.Equal("http_error", answer.GetProperty("error").GetProperty("code").GetString());
        AssertAudited(world, plugin.Info.Id, "lesstruct.http_get", allowed: true, "http_error: ");
        await AssertLesstructServesAsync(world, plugin);
        return null;
    }

    private static void AssertEndedBy(Stopwatch stopwatch, TimeSpan bound)
    {
        stopwatch.Stop();
        Assert.True(stopwatch.Elapsed >= bound - TimeSpan.FromMilliseconds(50), $"ended after {stopwatch.ElapsedMilliseconds} ms, before its {bound.TotalMilliseconds} ms bound");
        Assert.True(stopwatch.Elapsed <= bound + Slack, $"ended after {stopwatch.ElapsedMilliseconds} ms, past its {bound.TotalMilliseconds} ms bound plus the {Slack.TotalMilliseconds} ms slack");
    }

    private static void AssertAudited(HostileWorld world, string pluginId, string action, bool allowed, string detail)
    {
        AuditEntry entry = Assert.Single(world.Audit.Query(pluginId), e => e.Action == action && e.Detail!.Contains(detail, StringComparison.Ordinal));
        Assert.Equal(allowed, entry.Allowed);
    }

    // The plugin's next hook, and a bystander Lesstruct plugin on the same executor, reach the server.
    private static async Task AssertLesstructServesAsync(HostileWorld world, ILesstructPlugin plugin)
    {
        JsonElement next = HttpAnswer(await plugin.AfterCreateAsync(new ContentItem { Title = "t" }));
        Assert.Equal(200, next.GetProperty("data").GetProperty("status").GetInt32());
        ILesstructPlugin bystander = await world.LesstructBystanderAsync();
        JsonElement answer = HttpAnswer(await bystander.BeforeSaveAsync(new ContentItem { Title = "t" }));
        Assert.Equal(200, answer.GetProperty("data").GetProperty("status").GetInt32());
    }
}
