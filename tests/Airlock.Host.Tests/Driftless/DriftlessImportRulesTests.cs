using Airlock.Driftless;
using Wasmtime;

namespace Airlock.Host.Tests.Driftless;

/// <summary>The Driftless import rules: the seed's forbidden families by name, WASI by allow_wasi, and wasm-bindgen's glue.</summary>
public sealed class DriftlessImportRulesTests
{
    private static readonly DriftlessSecurity NoWasi = DriftlessSecurity.Default;
    private static readonly DriftlessSecurity WithWasi = DriftlessSecurity.Default with { AllowWasi = true };

    [Theory]
    [InlineData("syscall", "env.syscall*", "system calls are forbidden")]
    [InlineData("syscall3", "env.syscall*", "system calls are forbidden")]
    [InlineData("syscall_open", "env.syscall*", "system calls are forbidden")]
    [InlineData("system", "env.system*", "system calls are forbidden")]
    [InlineData("system_exec", "env.system*", "system calls are forbidden")]
    [InlineData("fd_write", "env.fd_*", "filesystem access is forbidden")]
    [InlineData("fd_", "env.fd_*", "filesystem access is forbidden")]
    [InlineData("path_open", "env.path_*", "filesystem access is forbidden")]
    [InlineData("sock_send", "env.sock*", "network access is forbidden")]
    [InlineData("socket", "env.sock*", "network access is forbidden")]
    [InlineData("sock", "env.sock*", "network access is forbidden")]
    [InlineData("net_connect", "env.net*", "network access is forbidden")]
    [InlineData("network", "env.net*", "network access is forbidden")]
    public void The_seeds_forbidden_env_families_are_refused_by_name_with_their_rule(string name, string rule, string reason)
    {
        foreach (DriftlessSecurity security in new[] { NoWasi, WithWasi })
        {
            DriftlessImportVerdict verdict = Assert.Single(DriftlessImportRules.Check([("env", name)], security));
            Assert.Equal(DriftlessImportKind.Refused, verdict.Kind);
            Assert.Equal("env", verdict.Module);
            Assert.Equal(name, verdict.Name);
            Assert.Equal("env." + name, verdict.Import);
            Assert.Equal(rule, verdict.Rule);
            Assert.Equal(reason, verdict.Reason);
            Assert.Equal($"the import env.{name} is refused by the rule {rule}: {reason}.", verdict.Message);
        }
    }

    [Theory]
    // The seed's patterns are prefixes, taken literally: fd_* needs the underscore, path_* too.
    [InlineData("env", "fdx")]
    [InlineData("env", "fd")]
    [InlineData("env", "pathfinder")]
    [InlineData("env", "path")]
    [InlineData("env", "sys")]
    [InlineData("env", "sycall")]
    [InlineData("env", "my_syscall")]
    [InlineData("env", "get_network")]
    [InlineData("env", "abort")]
    [InlineData("env", "memory")]
    // Case matters, as it does to wasm; such an import is still refused by the contract check unless the host provides it.
    [InlineData("env", "FD_write")]
    [InlineData("env", "Syscall")]
    // The families are env's; other modules are the contract check's business.
    [InlineData("host", "fd_write")]
    [InlineData("wasi", "sock_send")]
    [InlineData("ENV", "syscall")]
    [InlineData("", "net_open")]
    public void Names_outside_the_families_are_left_to_the_contract_check(string module, string name)
    {
        Assert.Empty(DriftlessImportRules.Check([(module, name)], NoWasi));
        DriftlessImportVerdict verdict = DriftlessImportRules.Classify(module, name, allowWasi: false);
        Assert.Equal(DriftlessImportKind.Unlisted, verdict.Kind);
        Assert.Null(verdict.Rule);
    }

    [Theory]
    [InlineData("host_log")]
    [InlineData("host_get_timestamp")]
    public void The_driftless_host_imports_are_allowed(string name)
    {
        DriftlessImportVerdict verdict = DriftlessImportRules.Classify("env", name, allowWasi: false);
        Assert.Equal(DriftlessImportKind.HostImport, verdict.Kind);
        Assert.Empty(DriftlessImportRules.Check([("env", name)], NoWasi));
    }

    [Theory]
    [InlineData("fd_write")]
    [InlineData("environ_get")]
    [InlineData("proc_exit")]
    [InlineData("random_get")]
    [InlineData("sock_accept")]
    public void Wasi_is_refused_when_it_is_off_and_allowed_when_it_is_on(string name)
    {
        DriftlessImportVerdict refused = Assert.Single(DriftlessImportRules.Check([("wasi_snapshot_preview1", name)], NoWasi));
        Assert.Equal("wasi_snapshot_preview1.*", refused.Rule);
        Assert.Contains("WASI is disabled (allow_wasi = false in plugins.toml)", refused.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"the import wasi_snapshot_preview1.{name} is refused by the rule wasi_snapshot_preview1.*: ", refused.Message, StringComparison.Ordinal);

        Assert.Empty(DriftlessImportRules.Check([("wasi_snapshot_preview1", name)], WithWasi));
        Assert.Equal(DriftlessImportKind.Wasi, DriftlessImportRules.Classify("wasi_snapshot_preview1", name, allowWasi: true).Kind);
    }

    [Fact]
    public void The_older_wasi_module_is_refused_too_when_wasi_is_off()
    {
        Assert.Equal("wasi_unstable.*", Assert.Single(DriftlessImportRules.Check([("wasi_unstable", "fd_write")], NoWasi)).Rule);
        Assert.Equal(DriftlessImportKind.Unlisted, DriftlessImportRules.Classify("wasi_unstable", "fd_write", allowWasi: true).Kind);
    }

    [Theory]
    [InlineData("__wbindgen_placeholder__", "__wbindgen_describe")]
    [InlineData("__wbindgen_externref_xform__", "__wbindgen_externref_table_grow")]
    [InlineData("__wbindgen_externref_xform__", "__wbindgen_externref_table_set_null")]
    public void Wasm_bindgens_describe_and_externref_machinery_is_inert_glue(string module, string name)
    {
        Assert.Empty(DriftlessImportRules.Check([(module, name)], NoWasi));
        DriftlessImportVerdict verdict = DriftlessImportRules.Classify(module, name, allowWasi: false);
        Assert.Equal(DriftlessImportKind.InertGlue, verdict.Kind);
        Assert.Contains("inert stub", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Wasm_bindgens_throw_is_allowed_as_a_trap()
    {
        DriftlessImportVerdict verdict = DriftlessImportRules.Classify("__wbindgen_placeholder__", "__wbindgen_throw", allowWasi: false);
        Assert.Equal(DriftlessImportKind.ThrowGlue, verdict.Kind);
        Assert.Empty(DriftlessImportRules.Check([("__wbindgen_placeholder__", "__wbindgen_throw")], NoWasi));
    }

    [Theory]
    // The hash-named imports rustc 1.63 and wasm-bindgen 0.2.83 produce for #[wasm_bindgen] extern "C" blocks.
    [InlineData("__wbg_log_ad7db26b2958dd58", "log")]
    [InlineData("__wbg_alert_613cbb395870eb9e", "alert")]
    [InlineData("__wbg_now_1c0f10a01bc55ed9", "now")]
    [InlineData("__wbg_getRandomValues_3774744e221a22ad", "getRandomValues")]
    [InlineData("__wbg_set_timeout_0123456789abcdef", "set_timeout")]
    [InlineData("__wbg_log_nothex0123456789", "log_nothex0123456789")]
    [InlineData("console_log", "console_log")]
    public void A_javascript_glue_import_is_refused_with_a_pointer_to_host_log(string name, string function)
    {
        DriftlessImportVerdict verdict = Assert.Single(DriftlessImportRules.Check([("__wbindgen_placeholder__", name)], WithWasi));
        Assert.Equal(DriftlessImportKind.Refused, verdict.Kind);
        Assert.Equal("__wbindgen_placeholder__.__wbg_*", verdict.Rule);
        Assert.Contains($"'{function}' is a JavaScript function declared in a #[wasm_bindgen] extern block", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("log through the Driftless host import host_log(level, message)", verdict.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("__wbindgen_string_new")]
    [InlineData("__wbindgen_describe_closure")]
    [InlineData("__wbindgen_describe_cast")]
    [InlineData("__wbindgen_object_drop_ref")]
    [InlineData("__wbindgen_is_null")]
    [InlineData("__wbindgen_rethrow")]
    [InlineData("__wbindgen_json_parse")]
    public void A_wasm_bindgen_intrinsic_on_javascript_values_is_refused(string name)
    {
        DriftlessImportVerdict verdict = Assert.Single(DriftlessImportRules.Check([("__wbindgen_placeholder__", name)], NoWasi));
        Assert.Equal("__wbindgen_placeholder__.__wbindgen_*", verdict.Rule);
        Assert.Contains($"the wasm-bindgen intrinsic {name} works on JavaScript values (JsValue)", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_externref_glue_is_refused()
    {
        DriftlessImportVerdict verdict = Assert.Single(DriftlessImportRules.Check([("__wbindgen_externref_xform__", "__wbindgen_externref_heap_live_count")], NoWasi));
        Assert.Equal("__wbindgen_externref_xform__.*", verdict.Rule);
    }

    [Fact]
    public void Every_refusal_is_listed_once_in_the_order_of_the_imports()
    {
        IReadOnlyList<DriftlessImportVerdict> refused = DriftlessImportRules.Check(
            [
                ("env", "host_log"),
                ("wasi_snapshot_preview1", "fd_write"),
                ("env", "sock_open"),
                ("__wbindgen_placeholder__", "__wbindgen_describe"),
                ("env", "sock_open"),
                ("__wbindgen_placeholder__", "__wbg_log_ad7db26b2958dd58"),
                ("env", "fd_read"),
            ],
            NoWasi);
        Assert.Equal(["wasi_snapshot_preview1.fd_write", "env.sock_open", "__wbindgen_placeholder__.__wbg_log_ad7db26b2958dd58", "env.fd_read"], refused.Select(r => r.Import));
    }

    [Fact]
    public void A_hostile_import_name_is_sanitised_in_the_message()
    {
        string name = "fd_\u202Eetirw\n" + new string('x', 500);
        DriftlessImportVerdict verdict = Assert.Single(DriftlessImportRules.Check([("env", name)], NoWasi));
        Assert.Equal(name, verdict.Name);
        Assert.DoesNotContain('\n', verdict.Message);
        Assert.DoesNotContain('\u202E', verdict.Message);
        Assert.True(verdict.Message.Length < 400, verdict.Message);
    }

    // The imports of the real Driftless modules: samples/plugins/driftless-rust/confkit.wasm (#[wasm_bindgen] exports,
    // host imports declared as plain extern "C"), the same crate with the seed's console.log block, and
    // samples/plugins/driftless-c/logkit.wasm, with their signatures as wasm-objdump lists them.
    private const string RealImports = """
        (module
          (import "env" "host_log" (func (param i32 i32 i32 i32)))
          (import "env" "host_get_timestamp" (func (result i64)))
          (import "__wbindgen_placeholder__" "__wbindgen_describe" (func (param i32)))
          (import "__wbindgen_placeholder__" "__wbg_log_ad7db26b2958dd58" (func (param i32 i32)))
          (import "__wbindgen_placeholder__" "__wbg_now_1c0f10a01bc55ed9" (func (result f64)))
          (import "__wbindgen_placeholder__" "__wbindgen_is_null" (func (param i32) (result i32)))
          (import "__wbindgen_placeholder__" "__wbindgen_string_new" (func (param i32 i32) (result i32)))
          (import "__wbindgen_placeholder__" "__wbindgen_object_drop_ref" (func (param i32)))
          (import "__wbindgen_externref_xform__" "__wbindgen_externref_table_grow" (func (param i32) (result i32)))
          (import "__wbindgen_externref_xform__" "__wbindgen_externref_table_set_null" (func (param i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (import "env" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1))
        """;

    [Fact]
    public void A_compiled_module_is_checked_import_by_import()
    {
        using var engine = new Engine();
        using var module = Module.FromText(engine, "real-imports", RealImports);
        IReadOnlyList<DriftlessImportVerdict> refused = DriftlessImportRules.Check(module, NoWasi);
        Assert.Equal(
            [
                "__wbindgen_placeholder__.__wbg_log_ad7db26b2958dd58",
                "__wbindgen_placeholder__.__wbg_now_1c0f10a01bc55ed9",
                "__wbindgen_placeholder__.__wbindgen_is_null",
                "__wbindgen_placeholder__.__wbindgen_string_new",
                "__wbindgen_placeholder__.__wbindgen_object_drop_ref",
                "wasi_snapshot_preview1.fd_write",
                "env.fd_write",
            ],
            refused.Select(r => r.Import));
        Assert.Equal(
            [DriftlessImportKind.HostImport, DriftlessImportKind.HostImport, DriftlessImportKind.InertGlue, DriftlessImportKind.InertGlue, DriftlessImportKind.InertGlue],
            module.Imports.Select(i => DriftlessImportRules.Classify(i.ModuleName, i.Name, allowWasi: false)).Where(v => v.Kind != DriftlessImportKind.Refused).Select(v => v.Kind));

        var error = Assert.Throws<PluginContractException>(() => DriftlessImportRules.Enforce(module, NoWasi, "confkit", "IDriftlessPlugin"));
        Assert.Equal("confkit", error.PluginId);
        Assert.Equal(7, error.Problems.Count);
        Assert.Contains("the import env.fd_write is refused by the rule env.fd_*: filesystem access is forbidden.", error.Message, StringComparison.Ordinal);
        Assert.Contains("host_log", error.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_with_only_allowed_imports_passes()
    {
        using var engine = new Engine();
        using var module = Module.FromText(engine, "confkit-imports", """
            (module
              (import "env" "host_log" (func (param i32 i32 i32 i32)))
              (import "env" "host_get_timestamp" (func (result i64)))
              (import "__wbindgen_placeholder__" "__wbindgen_describe" (func (param i32)))
              (import "__wbindgen_externref_xform__" "__wbindgen_externref_table_grow" (func (param i32) (result i32)))
              (import "__wbindgen_externref_xform__" "__wbindgen_externref_table_set_null" (func (param i32))))
            """);
        Assert.Empty(DriftlessImportRules.Check(module, NoWasi));
        DriftlessImportRules.Enforce(module, NoWasi, "confkit", "IDriftlessPlugin");
    }
}
