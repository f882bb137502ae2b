using System.Text.Json;
using Airlock.Abi;
using Airlock.Contracts.SocialScale;
using Airlock.Security;
using Airlock.SocialScale;
using static Airlock.EndToEnd.Tests.Security.HostileWorld;

namespace Airlock.EndToEnd.Tests.Security;

/// <summary>
/// A plugin written to the SocialScale documents alone ("returns ptr+len") reads 0 as "nothing" and
/// unpacks anything else as a buffer. On the default plain encoding every SocialScale host function
/// answers such a guest with a value it can use, or ends its call with a typed error; it never hands
/// it a negative number to unpack.
/// </summary>
public sealed class SeedStyleHostResultsTests(HostileWorld world) : IClassFixture<HostileWorld>
{
    private static readonly byte[] None = [];

    private Task<IHostileProbe> LoadAsync(PluginPermissions permissions, JsonElement? configuration = null)
        => world.LoadAsync(permissions, hostResults: HostResultEncoding.Plain, configuration: configuration);

    private static (uint Pointer, uint Length) Unpack(long packed)
    {
        Assert.True(packed >= 0, $"a plain-encoding guest received {packed}, which it would unpack as pointer {(ulong)packed >> 32:x} and length {(ulong)packed & 0xFFFFFFFF:x}.");
        return ((uint)((ulong)packed >> 32), (uint)packed);
    }

    [Fact]
    public async Task host_store_get_answers_0_for_a_missing_key_and_the_value_once_stored()
    {
        IHostileProbe probe = await LoadAsync(Everything);
        Assert.Equal(0, probe.Invoke(HostileAction.StoreGet, Bytes("never-written"), None));
        Assert.Equal(0, probe.Invoke(HostileAction.StoreGet, Bytes(AcknowledgedKey), None));   // another plugin's key is not this one's
        probe.Invoke(HostileAction.StoreSet, Bytes("greeting"), Bytes("hello"));
        (uint pointer, uint length) = Unpack(probe.Invoke(HostileAction.StoreGet, Bytes("greeting"), None));
        Assert.Equal(5u, length);
        Assert.True(pointer >= 4096, "the value lives in a buffer the guest's alloc returned");
    }

    [Fact]
    public async Task host_store_get_without_permission_ends_the_call_with_a_typed_error()
    {
        IHostileProbe probe = await LoadAsync(PluginPermissions.None);
        var error = Assert.Throws<HostFunctionException>(() => probe.Invoke(HostileAction.StoreGet, Bytes("key"), None));
        Assert.Contains("host_store_get", error.Message, StringComparison.Ordinal);
        Assert.Contains("storage_access", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, probe.Invoke(HostileAction.Log, Bytes("the plugin still serves its next call"), None));
    }

    [Fact]
    public async Task A_key_over_the_limit_ends_the_call_instead_of_answering_a_code()
    {
        IHostileProbe probe = await LoadAsync(Everything);
        var error = Assert.Throws<HostFunctionException>(() => probe.Invoke(HostileAction.StoreGet, Bytes(new string('k', 10_000)), None));
        Assert.Contains("TooLarge", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task host_http_request_answers_a_refusal_with_an_http_error_response()
    {
        IHostileProbe probe = await LoadAsync(Everything);
        (_, uint length) = Unpack(probe.Invoke(HostileAction.Http, Bytes(HttpRequestJson("https://evil.example/steal")), None));
        Assert.True(length > 0);
        (_, uint ok) = Unpack(probe.Invoke(HostileAction.Http, Bytes(HttpRequestJson("https://api.chirp.example/api/data")), None));
        Assert.True(ok > 0);
    }

    [Fact]
    public async Task host_credential_get_answers_0_without_a_credential_and_a_buffer_with_one()
    {
        IHostileProbe probe = await LoadAsync(Everything with { CredentialPlatform = "platform-without-tokens" });
        Assert.Equal(0, probe.Invoke(HostileAction.Credential, None, None));
        IHostileProbe approved = await LoadAsync(Everything);
        (_, uint length) = Unpack(approved.Invoke(HostileAction.Credential, None, None));
        Assert.True(length > 0);
    }

    [Fact]
    public async Task host_config_get_answers_0_without_configuration_and_the_json_with_it()
    {
        IHostileProbe probe = await LoadAsync(Everything);
        Assert.Equal(0, probe.Invoke(HostileAction.Config, None, None));
        using JsonDocument configuration = JsonDocument.Parse("""{"api_key":"k-123"}""");
        IHostileProbe configured = await LoadAsync(Everything, configuration.RootElement);
        (_, uint length) = Unpack(configured.Invoke(HostileAction.Config, None, None));
        Assert.Equal((uint)"""{"api_key":"k-123"}""".Length, length);
    }

    [Fact]
    public async Task The_void_host_functions_work_as_the_seed_describes()
    {
        IHostileProbe probe = await LoadAsync(Everything);
        Assert.Equal(0, probe.Invoke(HostileAction.Log, Bytes("hello from a seed-style guest"), None));
        Assert.Equal(0, probe.Invoke(HostileAction.StoreSet, Bytes("k"), Bytes("v")));
        Assert.Equal(0, probe.Invoke(HostileAction.Emit, Bytes("""{"type":"seed.style"}"""), None));
    }

    [Theory]
    [InlineData("https://evil.example/steal", 403, "permission_denied", false)]
    [InlineData("https://api.chirp.example@evil.example/", 400, "invalid_argument", false)]
    public void A_refused_request_is_an_http_error_response_the_guest_can_read(string url, int status, string code, bool retryable)
    {
        var services = new SocialScaleHostServices("seed-style", "1.0.0", Everything, world.Services);
        HostHttpResponse response = services.HttpRequest(new PlainGuest(), new HostHttpRequest(url));
        Assert.Equal(status, response.Status);
        Assert.Equal(code, response.Headers!["x-airlock-error"]);
        using JsonDocument body = JsonDocument.Parse(response.Body!);
        Assert.Equal("error", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(code, body.RootElement.GetProperty("code").GetString());
        Assert.Equal(retryable, body.RootElement.GetProperty("retryable").GetBoolean());
    }

    [Fact]
    public void A_rate_limited_request_is_a_429_with_retry_after()
    {
        string id = "seed-style-limited-" + Guid.NewGuid().ToString("N");
        world.RateLimiter.SetLimit(id, 1, TimeSpan.FromHours(1));
        var services = new SocialScaleHostServices(id, "1.0.0", Everything, world.Services);
        var request = new HostHttpRequest("https://api.chirp.example/api/data");
        Assert.Equal(200, services.HttpRequest(new PlainGuest(), request).Status);
        HostHttpResponse limited = services.HttpRequest(new PlainGuest(), request);
        Assert.Equal(429, limited.Status);
        Assert.Equal("rate_limit_exceeded", limited.Headers!["x-airlock-error"]);
        Assert.True(int.Parse(limited.Headers["retry-after"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        using JsonDocument body = JsonDocument.Parse(limited.Body!);
        Assert.True(body.RootElement.GetProperty("retryable").GetBoolean());
    }

    /// <summary>A calling instance on the plain encoding, for calling the host functions directly.</summary>
    private sealed class PlainGuest() : GuestContext(new WasmPluginInfo("seed-style", "1.0.0", "ISocialScalePlugin", "00", PluginLimits.Default))
    {
        public override string Export => "plugin_handle_request";

        public override CancellationToken CancellationToken => CancellationToken.None;

        public override TimeSpan RemainingTime => TimeSpan.FromSeconds(10);
    }
}
