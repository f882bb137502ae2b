using Airlock;
using Airlock.Security;
using static Airlock.EndToEnd.Tests.Security.HostileAction;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>One hostile behaviour: what the plugin does, what must happen, and the check.</summary>
/// <param name="Id">A stable id, also the test case name.</param>
/// <param name="Behaviour">What the plugin does.</param>
/// <param name="Outcome">What the host does about it.</param>
/// <param name="Module">The kind of module that does it.</param>
/// <param name="Run">Runs the behaviour and checks the outcome; returns the plugin that misbehaved, for the checks every case shares.</param>
public sealed record HostileCase(string Id, string Behaviour, string Outcome, string Module, Func<HostileWorld, Task<IHostileProbe?>> Run)
{
    public override string ToString() => Id;
}

/// <summary>The table of hostile behaviours. <c>docs/security.md</c> is generated from it.</summary>
public static partial class HostileCases
{
    private const string Wat = "WAT";
    private const string C = "C (chirp-c)";
    private const string LesstructWat = "WAT (Lesstruct)";
    private static readonly PluginPermissions Nothing = PluginPermissions.None;

    public static IReadOnlyList<HostileCase> All { get; } =
    [
        Status("http-without-permission", "calls host_http_request without network_access", "the guest gets -2 (permission denied); the check is audited as denied; no request leaves the host", Nothing, Http, HttpTo("https://api.chirp.example/api/data"), -2, noRequest: true),
        Status("store-get-without-permission", "calls host_store_get without storage_access", "the guest gets -2; the check is audited as denied", Nothing, StoreGet, "key", -2),
        Fault<HostFunctionException>("store-set-without-permission", "calls host_store_set without storage_access", "the call ends with HostFunctionException (storage_access not approved); nothing is stored", Nothing, StoreSet, "key", "value", "storage_access"),
        Fault<HostFunctionException>("emit-without-permission", "calls host_emit_event without event_emit", "the call ends with HostFunctionException (event_emit not approved); nothing is published", Nothing, Emit, "{\"type\":\"x\"}", "", "event_emit"),
        Status("credential-without-permission", "calls host_credential_get without credential_access", "the guest gets -2; the check is audited as denied; no token is read", Nothing, Credential, "", -2),
        Status("undeclared-domain", "requests a domain it did not declare", "the guest gets -2 (domain_not_allowed); audited as denied; no request is sent", Everything, Http, HttpTo("https://evil.example/steal"), -2, noRequest: true),
        Status("redirect-to-undeclared-domain", "follows a redirect from its domain to an undeclared one", "the redirect is not followed: the guest gets -2 (redirect_not_allowed); only the first hop reached a server", Everything, Http, HttpTo("https://api.chirp.example/api/redirect-away"), -2),
        Status("userinfo-url", "requests https://api.chirp.example@evil.example/", "refused before sending: the guest gets -4 (invalid request: URLs with user information)", Everything, Http, HttpTo("https://api.chirp.example@evil.example/"), -4, noRequest: true),
        Status("look-alike-host", "requests api.chirp.example.evil.example", "the guest gets -2 (domain_not_allowed): hosts match exactly", Everything, Http, HttpTo("https://api.chirp.example.evil.example/"), -2, noRequest: true),
        Status("ip-literal", "requests https://127.0.0.1/", "the guest gets -2 (ip_literal): IP literals are refused", Everything, Http, HttpTo("https://127.0.0.1/api/data"), -2, noRequest: true),
        new("rate-limit-exhaustion", "makes more outbound requests than its limit (2 per hour here)", "the third request gets -3 (rate_limit_exceeded, retryable); audited", Wat, RateLimitAsync),
        Status("another-plugins-keys", "reads the key another plugin stored", "the guest gets -1 (not found): each plugin sees only its own namespace", Everything, StoreGet, AcknowledgedKey, -1),
        Status("huge-key", "reads a 10 KB key", "the guest gets -5 (too large)", Everything, StoreGet, new string('k', 10_000), -5),
        Fault<HostFunctionException>("huge-value", "stores a 100 KB value (limit 64 KiB)", "the call ends with HostFunctionException (value_too_large); nothing is stored", Everything, StoreSet, "big", new string('v', 100_000), "value_too_large"),
        new("event-flood", "emits 1,000 events in one call", "the first 20 are published, then HostFunctionException (rate_limited); the rest never reach the bus", Wat, EventFloodAsync),
        new("log-flood", "writes 100,000 log lines in one call", "the call succeeds; at most the burst (20 lines) reaches the log", Wat, LogFloodAsync),
        Limit<PluginMemoryLimitException>("memory-growth", "grows its memory until growth fails", "PluginMemoryLimitException at the 8 MiB limit; the instance is discarded", GrowMemoryForever, PluginLimits.Default with { MemoryBytes = 8L * 1024 * 1024, MaxInstances = 2 }),
        Limit<PluginFuelExhaustedException>("fuel-exhaustion", "spins with a small fuel budget", "PluginFuelExhaustedException", LoopForever, PluginLimits.Default with { FuelPerCall = 1_000_000, MaxInstances = 2 }),
        Limit<PluginTimeoutException>("endless-loop", "spins with ample fuel", "PluginTimeoutException at the 300 ms deadline (epoch interruption)", LoopForever, PluginLimits.Default with { Timeout = TimeSpan.FromMilliseconds(300), MaxInstances = 2 }),
        new("deep-recursion", "recurses without end", "PluginTrapException with trap code StackOverflow", Wat, RecursionAsync),
        new("re-entrant-host-call", "calls host_log from inside alloc while the host allocates a host_store_get result", "HostFunctionException: host functions are not re-entrant", Wat, ReentryAsync),
        new("trap-mid-write", "stores a value, then traps in the same call", "PluginTrapException; the value the host acknowledged is still there for the next call", Wat, TrapAfterWriteAsync),
        Fault<GuestMemoryAccessException>("log-pointer-out-of-bounds", "passes host_log a pointer past the end of memory", "GuestMemoryAccessException naming the argument", Everything, Log + PointerOutOfBounds, "x", "", "message of env.host_log"),
        Fault<GuestMemoryAccessException>("http-pointer-out-of-bounds", "passes host_http_request a pointer past the end of memory", "GuestMemoryAccessException; no request is sent", Everything, Http + PointerOutOfBounds, "x", "", "request of env.host_http_request"),
        Fault<GuestMemoryAccessException>("store-get-pointer-out-of-bounds", "passes host_store_get a pointer past the end of memory", "GuestMemoryAccessException; nothing is read", Everything, StoreGet + PointerOutOfBounds, "x", "", "key of env.host_store_get"),
        Fault<GuestMemoryAccessException>("store-set-pointer-out-of-bounds", "passes host_store_set a key pointer past the end of memory", "GuestMemoryAccessException; nothing is stored", Everything, StoreSet + PointerOutOfBounds, "x", "v", "key of env.host_store_set"),
        Fault<GuestMemoryAccessException>("emit-pointer-out-of-bounds", "passes host_emit_event a pointer past the end of memory", "GuestMemoryAccessException; nothing is published", Everything, Emit + PointerOutOfBounds, "x", "", "event of env.host_emit_event"),
        Fault<GuestMemoryAccessException>("length-wraps", "passes host_store_get a length of 4 GiB - 1", "GuestMemoryAccessException: bounds are checked in 64-bit arithmetic", Everything, StoreGet + LengthWraps, "x", "", "key of env.host_store_get"),
        Fault<MalformedResponseException>("log-invalid-utf8", "logs bytes that are not UTF-8", "MalformedResponseException with the byte offset", Everything, Log, Invalid, "", "not valid UTF-8"),
        StatusBytes("http-malformed-json", "sends host_http_request malformed JSON", "the guest gets -4 (invalid argument)", Everything, Http, "{\"url\":"u8.ToArray(), -4),
        StatusBytes("store-get-invalid-utf8", "reads a key that is not UTF-8", "the guest gets -4 (invalid argument)", Everything, StoreGet, [0xC3, 0x28], -4),
        Fault<MalformedResponseException>("store-set-invalid-utf8", "stores under a key that is not UTF-8", "MalformedResponseException; nothing is stored", Everything, StoreSet, Invalid, "v", "not valid UTF-8"),
        Fault<MalformedResponseException>("emit-malformed-json", "emits malformed JSON", "MalformedResponseException; nothing is published", Everything, Emit, "{\"type\":", "", "event of env.host_emit_event"),
        Fault<HostFunctionException>("emit-not-an-object", "emits a JSON array", "HostFunctionException (not_an_object); nothing is published", Everything, Emit, "[1,2]", "", "not_an_object"),
        new("credential-secrecy", "reads its platform's OAuth tokens (approved)", "the guest gets the tokens; neither the audit log nor the logs contain them", Wat, CredentialSecrecyAsync),
        new("c-undeclared-runtime-domain", "declares no network_access in its manifest but asks for api.chirp.example in plugin_capabilities", "not loaded: PluginLoadException naming the domain; a new approval is needed", C, UndeclaredRuntimeDomainAsync),
        new("c-rate-limit", "publishes more often than its limit (1 per hour here)", "the connector answers rate_limit_exceeded (retryable), which the app sees as PluginErrorException", C, ConnectorRateLimitAsync),
        .. HostileAuditCases.All,
        new("http-stalled-body", "requests a server that sends the headers, then stalls the body, under a 1 s deadline", "the exchange is cut at the deadline and its connection closed, not drained; the request is audited as timeout and the call ends with PluginTimeoutException within the deadline plus the slack", Wat, HostileHttpCases.StalledBodyAsync),
        new("http-cancelled-mid-body", "waits on a stalled body when the application cancels the call (at 300 ms)", "OperationCanceledException (not HostFunctionException) within 300 ms plus the slack; the request is audited as cancelled", Wat, HostileHttpCases.CancelledMidBodyAsync),
        new("http-truncated-body", "requests a server that declares 1,000 bytes, sends 11 and closes", "the guest gets -6 (network_error); the hop is audited; the call completes", Wat, HostileHttpCases.TruncatedBodyAsync),
        new("lesstruct-stalled-body", "calls http_get on a server that stalls the body, in a hook with a 1 s deadline", "the shared executor cuts http_get at the deadline (audited as timeout) and the hook ends with PluginTimeoutException within the deadline plus the slack; the plugin's next hook and a bystander Lesstruct plugin reach the server", LesstructWat, HostileHttpCases.LesstructStalledBodyAsync),
        new("lesstruct-cancelled-mid-body", "waits in http_get on a stalled body when the application cancels the hook (at 300 ms)", "OperationCanceledException within 300 ms plus the slack; the request is audited as cancelled; the plugin and a bystander serve", LesstructWat, HostileHttpCases.LesstructCancelledMidBodyAsync),
        new("lesstruct-truncated-body", "calls http_get on a server that declares 1,000 bytes, sends 11 and closes", "http_get answers {\"ok\":false} with http_error (no untyped exception); the hook completes; audited; the plugin and a bystander serve", LesstructWat, HostileHttpCases.LesstructTruncatedBodyAsync),

        // Files are read as untrusted input; an approval covers exactly one module (HostileCases.Files.cs).
        new("file-link-to-dev-zero", "is a plugins/*.wasm that is a symbolic link to /dev/zero, beside a good plugin", $"refused within {FileSlackSeconds} s, unread: PluginFileException (a character device, not a regular file) naming the file; the good plugin beside it loads and serves", Wat, LinkToDevZeroAsync),
        new("file-fifo", "is a plugins/*.wasm that is a FIFO nobody writes to, beside a good plugin", $"the directory opens within {FileSlackSeconds} s without waiting for a writer: PluginFileException (a FIFO); the good plugin beside it loads and serves", Wat, FifoAsync),
        new("file-sparse-manifest", "ships a 256 MiB (sparse) plugin.json", "PluginManifestException caused by PluginFileException (TooLarge, limit 1 MiB), refused by its length with under 256 KiB allocated", C, SparseManifestAsync),
        new("file-wasm-path-dot-dot", "names its module ../<another folder>/chirp.wasm in wasm_path", "PluginManifestException naming the manifest, wasm_path and its line; the file outside is never read and no approval is asked", C, WasmPathDotDotAsync),
        new("file-wasm-path-absolute", "names its module by an absolute path outside its folder", "PluginManifestException naming the manifest, wasm_path and its line; no approval is asked", C, WasmPathAbsoluteAsync),
        new("file-wasm-path-symlink", "names a module in its folder that is a symbolic link to a file outside it", "PluginManifestException: the module leads through a symbolic link outside the manifest's directory; no approval is asked", C, WasmPathSymlinkAsync),
        new("file-refused-modules-not-retained", "loads 12 distinct modules that do not fit the contract", "PluginContractException for each; none stays compiled in the host's memory (CompiledModuleCount as before)", Wat, RefusedModulesAsync),
        new("approval-swapped-module", "replaces an approved plugin's module with other bytes under the same id, version and permissions", "a new decision: PluginApprovalException naming both SHA-256s when the policy refuses; the old approval does not load the new bytes (refused before compiling); audited as denied", C, SwappedModuleAsync),
        new("approval-carry-over", "replaces its module, and the policy carries the earlier approval over", "loads and serves; the approval names the new SHA-256 and the one carried over from, and the audit records the carry-over with both", C, CarryOverAsync),

        // WASI, deadlines whatever the guest calls, the allocator inside host calls, compile limits (issue 14).
        new("wasi-sleep-past-deadline", "sleeps 4 s in WASI poll_oneoff under a 300 ms deadline", "PluginTimeoutException by the deadline plus the documented slack (1 s)", Wat, WasiHostileCases.SleepPastDeadlineAsync),
        new("wasi-sleep-forever", "sleeps 2^64 - 1 ns in poll_oneoff under a 300 ms deadline", "PluginTimeoutException by the deadline plus the slack", Wat, WasiHostileCases.SleepForeverAsync),
        new("wasi-sleep-until", "sleeps in poll_oneoff until an absolute time (realtime clock) an hour ahead", "PluginTimeoutException by the deadline plus the slack; an absolute time already past answers at once with its event", Wat, WasiHostileCases.SleepUntilAsync),
        new("wasi-sleep-cancelled", "sleeps 10 s in poll_oneoff and the caller cancels after 200 ms", "OperationCanceledException with the caller's token within the slack of the cancel", Wat, WasiHostileCases.SleepCancelledAsync),
        new("wasi-stdout-flood", "writes 100,000 lines to WASI stdout in one call", "the call succeeds; the burst (20 lines) reaches the log, and the next line allowed reports the 99,980 suppressed", Wat, WasiHostileCases.StdoutFloodAsync),
        new("wasi-forged-line", "writes \"ok\\n[Error] Host: forged...\\r\\n\" and an unfinished line with CR and ESC to stdout", "one log entry per line, each prefixed with the plugin's id and stream; no entry holds CR or LF; the unfinished line is logged when the call ends", Wat, WasiHostileCases.ForgedLineAsync),
        new("wasi-proc-exit", "calls WASI proc_exit with codes 0 and 3", "PluginExitException carrying the code (0 is an error too: the call has no result); the instance is discarded", Wat, WasiHostileCases.ExitAsync),
        new("wasi-unsupported-import", "imports WASI path_open and sock_accept", "not loaded: PluginContractException naming each function and what Airlock's WASI provides (no level gives sockets)", Wat, WasiHostileCases.UnsupportedImportAsync),
        new("wasi-off", "imports WASI under a load with WasiPolicy.None", "not loaded: PluginContractException for every WASI import", Wat, WasiHostileCases.WasiOffAsync),
        new("lesstruct-manifestless-wasi", "a Lesstruct plugin without a manifest imports WASI fd_write", "not loaded: no manifest means no imports at all, WASI included", Wat, WasiHostileCases.ManifestlessLesstructWasiAsync),
        new("alloc-traps-in-host-call", "traps in alloc while the host allocates a host_store_get result", "PluginTrapException (Unreachable), not Wasmtime's TrapException", Wat, WasiHostileCases.AllocTrapsInHostCallAsync),
        new("alloc-out-of-fuel-in-host-call", "spins in alloc under a small fuel budget while the host allocates a host_store_get result", "PluginFuelExhaustedException", Wat, WasiHostileCases.AllocOutOfFuelInHostCallAsync),
        new("alloc-past-deadline-in-host-call", "spins in alloc with ample fuel while the host allocates a host_store_get result", "PluginTimeoutException by the deadline plus the slack", Wat, WasiHostileCases.AllocRunsPastDeadlineInHostCallAsync),
        new("oversized-module", "a module with a 1 MiB + function body, and one with 100,001 functions", "not compiled: PluginModuleLimitException naming the limit (MaxFunctionBodyBytes, MaxModuleFunctions) and the module's value", "generated", WasiHostileCases.OversizedModuleAsync),
        new("cancelled-load", "a module that takes seconds to compile, its load cancelled after 20 ms", "OperationCanceledException within 1 s; the compilation finishes in the background into the module cache (the next load of the same bytes compiles nothing)", "generated", WasiHostileCases.CancelledLoadAsync),

        // The wasm-bindgen ABI of Driftless plugins (HostileCases.WasmBindgen.cs).
        .. WasmBindgenCases,

        // WASI with capabilities: mounts, escapes and deadlines under Wasmtime's WASI (HostileCases.WasiCapabilities.cs).
        .. WasiCapabilityCases,

        // Install-time attacks, through the airlock command (HostileCases.Install.cs).
        .. InstallCases,
    ];

    private const string Invalid = "\uFFFF-invalid";

    private static string HttpTo(string url) => HttpRequestJson(url);

    private static HostileCase Status(string id, string behaviour, string outcome, PluginPermissions permissions, int action, string argument, long expected, bool noRequest = false)
        => StatusBytes(id, behaviour, outcome, permissions, action, Bytes(argument), expected, noRequest);

    private static HostileCase StatusBytes(string id, string behaviour, string outcome, PluginPermissions permissions, int action, byte[] argument, long expected, bool noRequest = false)
        => new(id, behaviour, outcome, Wat, async world =>
        {
            IHostileProbe probe = await world.LoadAsync(permissions);
            int requests = world.Server.Requests.Count;
            Assert.Equal(expected, probe.Invoke(action, argument, []));
            if (expected == (long)HostCallStatus.PermissionDenied)
            {
                Assert.Contains(world.Audit.Query(probe.Info.Id), e => !e.Allowed);
            }

            if (noRequest)
            {
                Assert.Equal(requests, world.Server.Requests.Count);
            }

            return probe;
        });

    private static HostileCase Fault<TException>(string id, string behaviour, string outcome, PluginPermissions permissions, int action, string a, string b, string message)
        where TException : Exception
        => new(id, behaviour, outcome, Wat, async world =>
        {
            IHostileProbe probe = await world.LoadAsync(permissions);
            byte[] first = a == Invalid ? [0x61, 0xFF, 0x62] : Bytes(a);
            long published = world.Events.PublishedCount;
            int requests = world.Server.Requests.Count;
            var error = Assert.Throws<TException>(() => probe.Invoke(action, first, Bytes(b)));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);

            // A refused call leaves nothing behind: no stored key, no published event, no request sent.
            Assert.Empty(world.Store.Keys(probe.Info.Id));
            Assert.Equal(published, world.Events.PublishedCount);
            Assert.Equal(requests, world.Server.Requests.Count);
            return probe;
        });

    private static HostileCase Limit<TException>(string id, string behaviour, string outcome, int action, PluginLimits limits)
        where TException : Exception
        => new(id, behaviour, outcome, Wat, async world =>
        {
            IHostileProbe probe = await world.LoadAsync(Everything, limits);
            Assert.Throws<TException>(() => probe.Invoke(action, [], []));
            return probe;
        });

    private static async Task<IHostileProbe?> RateLimitAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "rate-limited");
        world.RateLimiter.SetLimit("rate-limited", 2, TimeSpan.FromHours(1));
        byte[] request = Bytes(HttpTo("https://api.chirp.example/api/data"));
        Assert.True(probe.Invoke(Http, request, []) > 0);
        Assert.True(probe.Invoke(Http, request, []) > 0);
        Assert.Equal(-3, probe.Invoke(Http, request, []));
        Assert.Contains(world.Audit.Query("rate-limited"), e => !e.Allowed && e.Detail!.StartsWith("rate_limit_exceeded", StringComparison.Ordinal));
        return probe;
    }

    private static async Task<IHostileProbe?> EventFloodAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything);
        long published = world.Events.PublishedCount;
        var error = Assert.Throws<HostFunctionException>(() => probe.Invoke(Emit + Repeat, new byte[1000], Bytes("{\"type\":\"flood\"}")));
        Assert.Contains("rate_limited", error.Message, StringComparison.Ordinal);
        Assert.Equal(20, world.Events.PublishedCount - published);
        return probe;
    }

    private static async Task<IHostileProbe?> LogFloodAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "chatty");
        int before = world.Logs.Count;
        Assert.Equal(0, probe.Invoke(Log + Repeat, new byte[100_000], Bytes("spam")));
        Assert.InRange(world.Logs.Count - before, 1, 21);
        return probe;
    }

    private static async Task<IHostileProbe?> RecursionAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything);
        var trap = Assert.Throws<PluginTrapException>(() => probe.Invoke(RecurseForever, [], []));
        Assert.Equal(Wasmtime.TrapCode.StackOverflow, trap.TrapCode);
        return probe;
    }

    private static async Task<IHostileProbe?> ReentryAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything);
        probe.Invoke(StoreSet, Bytes("k"), Bytes("value"));
        var error = Assert.Throws<HostFunctionException>(() => probe.Invoke(ReenterFromAlloc, Bytes("k"), []));
        Assert.Contains("not re-entrant", error.Message, StringComparison.Ordinal);
        return probe;
    }

    private static async Task<IHostileProbe?> TrapAfterWriteAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "writer");
        Assert.Throws<PluginTrapException>(() => probe.Invoke(SetThenTrap, Bytes("mine"), Bytes("kept")));
        Assert.Equal("kept", System.Text.Encoding.UTF8.GetString(world.Store.Get("writer", "mine")!));
        Assert.True(probe.Invoke(StoreGet, Bytes("mine"), []) > 0);
        return probe;
    }

    private static async Task<IHostileProbe?> UndeclaredRuntimeDomainAsync(HostileWorld world)
    {
        var error = await Assert.ThrowsAsync<PluginLoadException>(() => world.LoadChirpAsync("\"storage_access\": true"));
        Assert.Contains("not approved for (api.chirp.example)", error.Message, StringComparison.Ordinal);
        return null;
    }

    private static async Task<IHostileProbe?> ConnectorRateLimitAsync(HostileWorld world)
    {
        await using Airlock.Contracts.SocialScale.ISocialScalePlugin chirp = await world.LoadChirpAsync(
            "\"network_access\": {\"domains\": [\"api.chirp.example\"]}, \"storage_access\": true, \"event_emit\": true, \"credential_access\": {\"platform\": \"chirp\"}",
            "\"http_requests_per_hour\": 1");
        await Assert.ThrowsAsync<PluginErrorException>(() => chirp.PublishAsync("first").AsTask());
        var limited = await Assert.ThrowsAsync<PluginErrorException>(() => chirp.PublishAsync("second").AsTask());
        Assert.Equal("rate_limit_exceeded", limited.Code);
        Assert.True(limited.Retryable);
        return null;
    }

    private static async Task<IHostileProbe?> CredentialSecrecyAsync(HostileWorld world)
    {
        IHostileProbe probe = await world.LoadAsync(Everything, id: "reader");
        Assert.True(probe.Invoke(Credential, [], []) > 0);
        Assert.DoesNotContain(world.Audit.Query(), e => (e.Target + e.Detail).Contains("secret", StringComparison.Ordinal));
        Assert.DoesNotContain(world.Logs, m => m.Contains("secret", StringComparison.Ordinal));
        Assert.Contains(world.Audit.Query("reader"), e => e.Action == "credentials.host_credential_get" && e.Allowed);
        return probe;
    }
}
