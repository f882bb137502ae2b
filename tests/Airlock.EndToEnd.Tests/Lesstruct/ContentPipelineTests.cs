using System.Text.Json;
using Airlock.Auditing;
using Airlock.Contracts.Lesstruct;
using Airlock.Discovery;
using Airlock.Lesstruct;
using Airlock.Services;

namespace Airlock.EndToEnd.Tests.Lesstruct;

/// <summary>
/// The two C hook plugins from a plugins/ directory, run through the content pipeline: enrich
/// (result-length export, HTTP and SQL through its manifest) and redact (a result as long as its
/// input, no host functions).
/// </summary>
public sealed class ContentPipelineTests : IAsyncLifetime
{
    private readonly PluginHost _host = new();

    // The rates service is on loopback, which plugins reach only by the administrator's exception.
    private readonly PluginHttpClient _http = new(new PluginHttpOptions { MaxTimeout = LesstructServicesOptions.DefaultHttpTimeout, PrivateNetworkExceptions = { "127.0.0.1" } });
    private LesstructWorkspace _workspace = null!;

    private TestWebServer Server => _workspace.Server;

    private SqliteAuditLog Audit => _workspace.Audit;

    private string Plugins => Path.Combine(_workspace.Directory, "plugins");

    public async Task InitializeAsync()
    {
        _workspace = await LesstructWorkspace.CreateAsync();
        Directory.CreateDirectory(Plugins);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _http.Dispose();
        await _workspace.DisposeAsync();
    }

    [Fact]
    public async Task Before_save_enriches_and_redacts_the_custom_fields_only()
    {
        Deploy(EnrichManifest());
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        var hooks = new ContentHooks(plugins);
        ContentItem saved = await hooks.BeforeSaveAsync(Draft("""{"price":30,"currency":"USD","note":"well darn it","sku":"SKU-1"}"""));

        Assert.Equal("Spring Sale: 20% off!", saved.Title);
        Assert.Equal(30, saved.CustomFields["price"].GetInt32());
        Assert.Equal("SKU-1", saved.CustomFields["sku"].GetString());
        Assert.Equal("well **** it", saved.CustomFields["note"].GetString());
        Assert.Equal(6, saved.CustomFields["word_count"].GetInt32());
        Assert.Equal("spring-sale-20-off", saved.CustomFields["slug"].GetString());
        Assert.Equal(2, saved.CustomFields["author_post_count"].GetInt32());
        Assert.Equal(15.0, saved.CustomFields["price_eur"].GetDouble());

        IReadOnlyList<AuditEntry> trail = Audit.Query("enrich");
        // Log lines are not audited; every HTTP and SQL call is.
        Assert.Equal(["lesstruct.db_query", "lesstruct.http_get"], trail.Select(e => e.Action));
        Assert.All(trail, e => Assert.True(e.Allowed));
        Assert.Contains("GET /rates", Server.Requests);
    }

    [Fact]
    public async Task Each_plugin_declares_its_hooks_and_result_lengths()
    {
        Deploy(EnrichManifest());
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        using PluginLease<ILesstructPlugin> lease = plugins.Acquire();
        ILesstructPlugin enrich = lease.Plugins.Single(p => p.Info.Id == "enrich");
        ILesstructPlugin redact = lease.Plugins.Single(p => p.Info.Id == "redact");
        Assert.True(enrich.HasBeforeSave && enrich.HasAfterPublish && enrich.HasBeforeDelete && enrich.HasOnPluginLoaded);
        Assert.False(enrich.HasAfterCreate);
        Assert.True(redact.HasBeforeSave && redact.HasAfterCreate);
        Assert.False(redact.HasBeforeDelete);

        // redact has no result-length export: its answer is exactly as long as its input.
        ContentHookResult? masked = await redact.BeforeSaveAsync(Draft("""{"note":"heck"}"""));
        Assert.Equal("****", masked!.CustomFields!["note"].GetString());
        Assert.Null(await redact.BeforeSaveAsync(Draft("""{"note":"clean"}""")));
        Assert.Null(await redact.AfterCreateAsync(Draft("{}")));
    }

    [Fact]
    public async Task A_failing_hook_names_the_plugin_and_the_hook()
    {
        Deploy(EnrichManifest());
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        var hooks = new ContentHooks(plugins);
        ContentItem locked = Draft("""{"locked":true}""") with { ContentId = 7 };

        var error = await Assert.ThrowsAsync<ContentHookException>(() => hooks.BeforeDeleteAsync(locked));
        Assert.Equal("enrich", error.PluginId);
        Assert.Equal("hook_before_delete", error.Hook);
        var cause = Assert.IsType<PluginErrorException>(error.InnerException);
        Assert.Equal("locked", cause.Code);
        Assert.Equal("content 7 is locked", cause.ErrorMessage);
        Assert.Contains("the content was not deleted", error.Message, StringComparison.Ordinal);

        await hooks.BeforeDeleteAsync(Draft("""{"locked":false}"""));
        await hooks.AfterPublishAsync(Draft("{}"));
        await hooks.AfterCreateAsync(Draft("{}"));
    }

    [Fact]
    public async Task A_request_the_manifest_does_not_allow_is_denied_audited_and_never_sent()
    {
        // The plugin is configured to call /private, which its http pattern does not cover.
        Deploy(EnrichManifest(configUrl: Server.Url("/private")));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        ContentItem saved = await new ContentHooks(plugins).BeforeSaveAsync(Draft("""{"price":30,"currency":"USD"}"""));

        Assert.False(saved.CustomFields.ContainsKey("price_eur"));
        Assert.True(saved.CustomFields.ContainsKey("word_count"));
        AuditEntry denied = Assert.Single(Audit.Query("enrich"), e => !e.Allowed);
        Assert.Equal("lesstruct.http_get", denied.Action);
        Assert.StartsWith("url_not_allowed", denied.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Server.Requests, r => r.Contains("/private", StringComparison.Ordinal));
        Assert.DoesNotContain(Audit.Query("enrich"), e => e.Action.StartsWith("lesstruct.log", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plugin_that_imports_host_functions_without_a_manifest_does_not_load()
    {
        Deploy(enrichManifest: null);
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        Assert.Equal(["redact"], plugins.Names);
        PluginLoadFailure failure = Assert.Single(plugins.Failures);
        Assert.Contains("imports 'lesstruct.", failure.Error.Message, StringComparison.Ordinal);
        Assert.Contains("has no manifest (enrich.manifest), so it gets no host functions", failure.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_module_linked_with_the_default_layout_is_refused_before_anything_is_written()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "plugins", "chirp-c", "chirp.wasm"), Path.Combine(Plugins, "chirp.wasm"));
        await using PluginDirectory<ILesstructPlugin> plugins = await OpenAsync();
        PluginLoadFailure failure = Assert.Single(plugins.Failures);
        var contract = Assert.IsType<PluginContractException>(failure.Error);
        Assert.Contains(contract.Problems, p => p.StartsWith("the input offset 0x10000 (65536) lies inside the guest's", StringComparison.Ordinal));
    }

    private static ContentItem Draft(string customFields) => new()
    {
        UserId = 42,
        Title = "Spring Sale: 20% off!",
        Content = "Our biggest sale starts today, everyone.",
        Tags = ["sale"],
        CustomFields = JsonSerializer.Deserialize(customFields, LesstructJsonContext.Default.IReadOnlyDictionaryStringJsonElement)!,
    };

    private string EnrichManifest(string? configUrl = null) => $"""
        name = "enrich"
        version = "1.0.0"

        [capabilities]
        http = ["{Server.Url("/rates")}*"]
        database = ["read:content"]

        [config]
        rates_url = "{configUrl ?? Server.Url("/rates")}"
        """;

    private void Deploy(string? enrichManifest)
    {
        string built = Path.Combine(AppContext.BaseDirectory, "plugins");
        File.Copy(Path.Combine(built, "lesstruct-enrich-c", "plugin.wasm"), Path.Combine(Plugins, "enrich.wasm"));
        File.Copy(Path.Combine(built, "lesstruct-redact-c", "plugin.wasm"), Path.Combine(Plugins, "redact.wasm"));
        if (enrichManifest is not null)
        {
            File.WriteAllText(Path.Combine(Plugins, "enrich.manifest"), enrichManifest);
        }
    }

    private Task<PluginDirectory<ILesstructPlugin>> OpenAsync()
    {
        var options = new LesstructPluginOptions { DirectoryPath = Plugins, Services = { Database = _workspace.Database, Audit = Audit, Http = _http } };
        return LesstructPlugins.OpenAsync(_host, options);
    }
}
