using System.Collections.Immutable;
using Airlock.Wasm;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Airlock.Generators.Tests;

/// <summary>
/// A plugin module tied to a contract (an AdditionalFiles .wasm) is checked at build time with the
/// host's own checks: each mismatch is an AIR1xx error with the host's sentence and a location.
/// </summary>
public sealed class ModuleCheckTests : IDisposable
{
    private static readonly string ChirpC = Airlock.Tests.Checkout.PathOf("samples", "plugins", "chirp-c", "chirp.wasm");
    private static readonly string ChirpRust = Airlock.Tests.Checkout.PathOf("samples", "plugins", "chirp-rust", "chirp.wasm");
    private static readonly string Redact = Airlock.Tests.Checkout.PathOf("samples", "plugins", "lesstruct-redact-c", "plugin.wasm");

    // The contracts Airlock.Contracts ships, which the tests reference as an assembly (metadata), as a package user does.
    private const string Lesstruct = "Airlock.Contracts.Lesstruct.ILesstructPlugin";
    private const string SocialScale = "Airlock.Contracts.SocialScale.ISocialScalePlugin";

    private const string Usings = "using System.Threading;\nusing System.Threading.Tasks;\nusing Airlock;\nusing Airlock.Contracts.SocialScale;\nnamespace N;\n";

    // A fixed-offset contract at Lesstruct's offsets with Lesstruct's host functions.
    private const string LesstructHooks = "using Airlock;\nusing Airlock.Contracts.Lesstruct;\nnamespace N;\n" + """
        [WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536, Imports = [typeof(ILesstructHost)], Module = "lesstruct.wasm")]
        public partial interface IHooks
        {
            [WasmExport("hook_before_save")] int BeforeSave(int offset, int length);
        }
        """;

    private readonly string _scratch = Directory.CreateTempSubdirectory("airlock-modules-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void A_real_module_that_fits_a_referenced_contract_builds_clean()
    {
        // ISocialScalePlugin lives in Airlock.Contracts (a referenced assembly): resolved by metadata name.
        GeneratorDriverRunResult result = Run([Usings], (ChirpC, SocialScale));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void A_SocialScale_module_tied_to_the_shipped_Lesstruct_contract_gets_the_hosts_errors()
    {
        // ILesstructPlugin comes from Airlock.Contracts as metadata, with the Has… properties the
        // generator added to it; they are Airlock's, so the contract binds and the module is checked.
        string[] expected =
        [
            "AIR107: Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Lesstruct.ILesstructPlugin': the input offset 0x10000 (65536) lies inside the guest's stack [0x18e4, 0x11ae0), so writing there would corrupt the plugin; link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).",
            .. new[] { "host_log' (i32, i32, i32) -> ()", "host_http_request' (i32, i32) -> i64", "host_store_get' (i32, i32) -> i64", "host_store_set' (i32, i32, i32, i32) -> ()", "host_emit_event' (i32, i32) -> ()", "host_credential_get' () -> i64" }
                .Select(import => $"AIR105: Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Lesstruct.ILesstructPlugin': the module imports 'env.{import}, and no host module 'env' is provided."),
            // chirp-c is built on the SocialScale contract's generated bindings, and says so in its stamp.
            $"AIR110: Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Lesstruct.ILesstructPlugin': its bindings were generated from contract '{SocialScale}' with wire hash {ContractOf<Airlock.Contracts.SocialScale.ISocialScalePlugin>().BindingsHash}, not from '{Lesstruct}' (wire hash {ContractOf<Airlock.Contracts.Lesstruct.ILesstructPlugin>().BindingsHash}), whose JSON differs; generate them from '{Lesstruct}' (airlock bindings --contract {Lesstruct} ...) and rebuild.",
        ];
        Diagnostic[] diagnostics = [.. Run([Usings], (ChirpC, Lesstruct)).Diagnostics];
        Assert.Equal(expected, diagnostics.Select(Describe));
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.All(diagnostics, d => Assert.Equal(ChirpC, d.Location.GetLineSpan().Path));
    }

    [Fact]
    public void A_Lesstruct_module_tied_to_both_shipped_contracts_gets_the_hosts_errors_for_SocialScale_only()
    {
        string[] expected =
        [
            .. new[] { "alloc' of type (i32) -> i32", "dealloc' of type (i32, i32) -> () or (i32) -> ()" }
                .Select(export => $"AIR104: Module 'plugin.wasm' does not fit contract '{SocialScale}': the module has no export '{export}, which the packed ptr+len ABI needs."),
            .. new[] { "plugin_init' of type () -> i64", "plugin_capabilities' of type () -> i64", "plugin_handle_request' of type (i32, i32) -> i64" }
                .Select(export => $"AIR102: Module 'plugin.wasm' does not fit contract '{SocialScale}': the module has no export '{export}, which the contract {SocialScale} needs."),
        ];
        Diagnostic[] diagnostics = [.. Run([Usings], (Redact, Lesstruct + ";" + SocialScale)).Diagnostics];
        Assert.Equal(expected, diagnostics.Select(Describe));
        Assert.All(diagnostics, d => Assert.Equal(Redact, d.Location.GetLineSpan().Path));
    }

    [Theory]
    [InlineData("lesstruct-redact-c")]
    [InlineData("lesstruct-enrich-c")]
    public void A_Lesstruct_module_tied_to_the_shipped_Lesstruct_contract_builds_clean(string plugin)
    {
        string module = Airlock.Tests.Checkout.PathOf("samples", "plugins", plugin, "plugin.wasm");
        Assert.Empty(Run([Usings], (module, Lesstruct)).Diagnostics);
    }

    [Fact]
    public void The_Samuel_lint_module_fits_the_shipped_Samuel_contract_with_its_file_functions()
    {
        // samuel-lint exports malloc and free(ptr) and imports path_open, fd_readdir...: a Samuel contract's module is
        // checked against the WASI capability surface Samuel loads get.
        string module = Airlock.Tests.Checkout.PathOf("samples", "plugins", "samuel-lint-rust", "samuel-lint.wasm");
        Assert.Empty(Run([Usings], (module, "Airlock.Contracts.Samuel.ISamuelLinter")).Diagnostics);
    }

    [Fact]
    public void A_module_without_the_named_allocator_is_AIR104()
    {
        // chirp exports alloc and dealloc, not the malloc and free a Samuel contract names.
        Diagnostic[] diagnostics = [.. Run([Usings], (ChirpC, "Airlock.Contracts.Samuel.ISamuelLinter")).Diagnostics.Where(d => d.Id == "AIR104")];
        Assert.Equal(
            [
                "Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Samuel.ISamuelLinter': the module has no export 'malloc' of type (i32) -> i32, which the packed ptr+len ABI needs.",
                "Module 'chirp.wasm' does not fit contract 'Airlock.Contracts.Samuel.ISamuelLinter': the module has no export 'free' of type (i32, i32) -> () or (i32) -> (), which the packed ptr+len ABI needs.",
            ],
            diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData(nameof(Contracts.Greeter), "Sample.Greeting.IGreeter")]
    [InlineData(nameof(Contracts.Connector), "Sample.Connectors.IConnector")]
    [InlineData(nameof(Contracts.Hooks), "Sample.Hooks.IHooks")]
    public void A_bound_contract_binds_the_same_from_a_referenced_assembly(string contract, string name)
    {
        // Everything the generator adds to the interface (Has… properties, per-case union methods, the
        // static factory) is in the assembly too, and none of it is taken for a member to bind.
        CSharpCompilation source = GeneratorHarness.Compile((string)typeof(Contracts).GetField(contract)!.GetValue(null)!);
        CSharpCompilation consumer = GeneratorHarness.Compile(Usings).AddReferences(Assembly(source, generate: true));
        (Model.ContractCheckSpec? fromSource, _) = Parsing.PluginModelParser.Resolve(source, name, CancellationToken.None);
        (Model.ContractCheckSpec? fromMetadata, string? error) = Parsing.PluginModelParser.Resolve(consumer, name, CancellationToken.None);
        Assert.Null(error);
        Assert.Null(fromMetadata!.Unbound);
        Assert.Equal(fromSource!.Exports.Select(e => e with { Location = null }), fromMetadata.Exports);
        Assert.Equal(fromSource with { Location = null, Exports = fromMetadata.Exports }, fromMetadata with { Location = null });
    }

    [Fact]
    public void A_referenced_contract_that_cannot_be_bound_is_AIR109_on_the_module()
    {
        // As a contract assembly built by an older generator, whose Has… properties were not marked.
        CSharpCompilation contract = GeneratorHarness.Compile("""
            using System.Threading;
            using System.Threading.Tasks;
            using Airlock;
            namespace Old;
            [WasmPlugin]
            public partial interface IOld
            {
                [WasmExport("plugin_init")] ValueTask<string> InitAsync(CancellationToken cancellationToken = default);
                bool HasPublish { get; }
                bool HasDelete { get; }
            }
            """);
        CSharpCompilation consumer = GeneratorHarness.Compile(Usings).AddReferences(Assembly(contract, generate: false));
        Diagnostic diagnostic = Assert.Single(Run(consumer, (ChirpC, "Old.IOld")).Diagnostics);
        Assert.Equal("AIR109: Module 'chirp.wasm' tied to contract 'Old.IOld' is not fully checked: the contract cannot be bound (AIR006: 'HasPublish' is an abstract member of 'IOld' without [WasmExport]; every abstract member of a contract must bind a wasm export, and 1 more problem), so nothing is checked", Describe(diagnostic));
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(ChirpC, diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void A_source_contract_that_cannot_be_bound_is_AIR109_on_the_module_it_names()
    {
        string source = Usings + """
            [WasmPlugin(Module = "chirp-c/chirp.wasm")]
            public interface IChirp
            {
                [WasmExport("plugin_init")] ValueTask<string> InitAsync(CancellationToken cancellationToken = default);
            }
            """;
        Diagnostic diagnostic = Assert.Single(Run([source], (ChirpC, null)).Diagnostics);
        Assert.Equal("AIR109: Module 'chirp.wasm' tied to contract 'N.IChirp' is not fully checked: the contract cannot be bound (AIR001: Interface 'IChirp' has [WasmPlugin] but is not partial; Airlock cannot add its bindings), so nothing is checked", Describe(diagnostic));
        Assert.Equal(ChirpC, diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void A_host_interface_that_cannot_be_bound_is_AIR109_and_the_rest_is_checked()
    {
        string source = Usings + """
            [WasmHost("env")]
            public partial interface IMiniHost
            {
                [WasmImport("host_log")] void Log(int level);
                void Unbound();
            }

            [WasmPlugin(Imports = [typeof(IMiniHost)], Module = "chirp.wasm")]
            public partial interface IMini
            {
                [WasmExport("plugin_init")] int Init(int version);
            }
            """;
        Diagnostic[] diagnostics = [.. Run([source], (ChirpC, null)).Diagnostics];
        Assert.Equal(
        [
            "AIR109: Module 'chirp.wasm' tied to contract 'N.IMini' is not fully checked: host interface 'N.IMiniHost' cannot be bound (AIR006: 'Unbound' is an abstract member of 'IMiniHost' without [WasmImport]; every abstract member of a contract must bind a wasm import), so imports from host module 'env' are not checked",
            "AIR103: Module 'chirp.wasm' does not fit contract 'N.IMini': the module's export 'plugin_init' has type () -> i64; the contract N.IMini needs (i32) -> i32.",
        ], diagnostics.Select(Describe));
    }

    [Fact]
    public void A_missing_export_is_AIR102_at_the_method()
    {
        string source = Usings + """
            [WasmPlugin(Imports = [typeof(ISocialScaleHost)], Module = "chirp-c/chirp.wasm")]
            public partial interface IChirp
            {
                [WasmExport("plugin_init")] ValueTask<string> InitAsync(CancellationToken cancellationToken = default);
                [WasmExport("plugin_publish_v2")] ValueTask<string> PublishAsync(string request, CancellationToken cancellationToken = default);
            }
            """;
        Diagnostic diagnostic = Assert.Single(WithoutStamp(Run([source], (ChirpC, null)).Diagnostics));
        AssertDiagnostic(diagnostic, source, "AIR102", "Module 'chirp.wasm' does not fit contract 'N.IChirp': the module has no export 'plugin_publish_v2' of type (i32, i32) -> i64, which the contract N.IChirp needs.", "PublishAsync");
    }

    [Fact]
    public void A_wrong_signature_is_AIR103_at_the_method()
    {
        string source = Usings + """
            [WasmPlugin(Imports = [typeof(ISocialScaleHost)], Module = "chirp.wasm")]
            public partial interface IChirp
            {
                [WasmExport("plugin_init")] int Init(int version);
            }
            """;
        Diagnostic diagnostic = Assert.Single(WithoutStamp(Run([source], (ChirpC, null)).Diagnostics));
        AssertDiagnostic(diagnostic, source, "AIR103", "Module 'chirp.wasm' does not fit contract 'N.IChirp': the module's export 'plugin_init' has type () -> i64; the contract N.IChirp needs (i32) -> i32.", "Init");
    }

    [Fact]
    public void A_module_without_alloc_and_dealloc_is_AIR104_on_the_module()
    {
        // The Lesstruct redact plugin speaks the fixed-offset ABI: it has no allocator to export. A contract that passes
        // a buffer needs one; a contract of scalars only does not.
        string source = Usings + """
            [WasmPlugin(Module = "plugin.wasm")]
            public partial interface IPacked
            {
                [WasmExport("hook_before_save")] int Save(int ptr, int len);
                [WasmExport("describe")] string Describe(string value);
            }
            """;
        string scalarsOnly = source.Replace("[WasmExport(\"describe\")] string Describe(string value);", string.Empty, StringComparison.Ordinal);
        Assert.Empty(Run([scalarsOnly], (Redact, null)).Diagnostics.Where(d => d.Id == "AIR104"));
        Diagnostic[] diagnostics = [.. Run([source], (Redact, null)).Diagnostics.Where(d => d.Id == "AIR104")];
        Assert.Equal(2, diagnostics.Length);
        Assert.Equal("Module 'plugin.wasm' does not fit contract 'N.IPacked': the module has no export 'alloc' of type (i32) -> i32, which the packed ptr+len ABI needs.", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Module 'plugin.wasm' does not fit contract 'N.IPacked': the module has no export 'dealloc' of type (i32, i32) -> () or (i32) -> (), which the packed ptr+len ABI needs.", diagnostics[1].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(diagnostics, d => Assert.Equal(Redact, d.Location.GetLineSpan().Path));
    }

    [Fact]
    public void Imports_no_declared_host_module_provides_are_AIR105()
    {
        string source = Usings + """
            [WasmPlugin(Module = "chirp.wasm")]
            public partial interface IBare
            {
                [WasmExport("plugin_init")] ValueTask<string> InitAsync(CancellationToken cancellationToken = default);
            }
            """;
        Diagnostic[] diagnostics = [.. WithoutStamp(Run([source], (ChirpC, null)).Diagnostics)];
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal("AIR105", d.Id));
        Assert.Equal(6, diagnostics.Length);
        Assert.Equal("Module 'chirp.wasm' does not fit contract 'N.IBare': the module imports 'env.host_log' (i32, i32, i32) -> (), and no host module 'env' is provided.", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(diagnostics, d => Assert.Equal(ChirpC, d.Location.GetLineSpan().Path));
    }

    [Fact]
    public void A_host_function_with_another_type_is_AIR105()
    {
        string source = Usings + """
            [WasmHost("env")]
            public partial interface IMiniHost
            {
                [WasmImport("host_log")] void Log(int level);
            }

            [WasmPlugin(Imports = [typeof(IMiniHost)], Module = "chirp.wasm")]
            public partial interface IMini
            {
                [WasmExport("plugin_init")] ValueTask<string> InitAsync(CancellationToken cancellationToken = default);
            }
            """;
        Diagnostic[] diagnostics = [.. Run([source], (ChirpC, null)).Diagnostics];
        Assert.Contains(diagnostics, d => d.Id == "AIR105" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture) == "Module 'chirp.wasm' does not fit contract 'N.IMini': the module imports 'env.host_log' as (i32, i32, i32) -> (), but the host provides it as (i32) -> ().");
        Assert.Contains(diagnostics, d => d.Id == "AIR105" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("which module 'env' does not have (it has host_log)", StringComparison.Ordinal));
    }

    [Fact]
    public void WASI_in_a_contract_that_forbids_it_is_AIR106()
    {
        string source = Usings + """
            [WasmPlugin(Imports = [typeof(ISocialScaleHost)], AllowWasi = false, Module = "chirp-rust/chirp.wasm")]
            public partial interface IPure
            {
                [WasmExport("plugin_init")] ValueTask<string> InitAsync(CancellationToken cancellationToken = default);
            }
            """;
        Diagnostic[] diagnostics = [.. Run([source], (ChirpRust, null)).Diagnostics];
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal("AIR106", d.Id));
        Assert.Equal(4, diagnostics.Length);
        Assert.Equal("Module 'chirp.wasm' does not fit contract 'N.IPure': the module imports WASI ('wasi_snapshot_preview1.fd_write'), which the contract N.IPure does not allow (AllowWasi = false); build the plugin for a target without WASI (wasm32-unknown-unknown, or C without wasi-libc).", diagnostics[0].GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(diagnostics, d => Assert.Equal(ChirpRust, d.Location.GetLineSpan().Path));
    }

    [Fact]
    public void The_Rust_connectors_WASI_imports_are_all_in_Airlocks_WASI()
    {
        Assert.Empty(Run([Usings], (ChirpRust, SocialScale)).Diagnostics);
    }

    [Fact]
    public void A_WASI_function_Airlock_does_not_provide_is_AIR105()
    {
        string path = Path.Combine(_scratch, "files.wasm");
        WasmType[] open = [WasmType.I32, WasmType.I32, WasmType.I32, WasmType.I32, WasmType.I32, WasmType.I64, WasmType.I64, WasmType.I32, WasmType.I32];
        File.WriteAllBytes(path, WasmBinary.Module(
            WasmBinary.Section(1, WasmBinary.Vec(WasmBinary.FunctionType(open, [WasmType.I32]), WasmBinary.FunctionType([WasmType.I32], [WasmType.I32]))),
            WasmBinary.Section(2, WasmBinary.Vec(
                [.. WasmBinary.Name("wasi_snapshot_preview1"), .. WasmBinary.Name("path_open"), 0x00, 0x00],
                [.. WasmBinary.Name("wasi_snapshot_preview1"), .. WasmBinary.Name("sched_yield"), 0x00, 0x01])),
            WasmBinary.Section(5, WasmBinary.Vec([0x00, 0x01])),
            WasmBinary.Section(7, WasmBinary.Vec([.. WasmBinary.Name("memory"), 0x02, 0x00]))));
        string source = Usings + """
            [WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536, Module = "files.wasm")]
            public partial interface IFiles
            {
                [WasmExport("run")] int Run(int offset, int length);
            }
            """;
        string[] messages = [.. Run([source], (path, null)).Diagnostics.Where(d => d.Id == "AIR105").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(2, messages.Length);
        Assert.StartsWith("Module 'files.wasm' does not fit contract 'N.IFiles': the module imports the WASI function 'wasi_snapshot_preview1.path_open', which Airlock does not provide. Airlock's WASI is stdout and stderr into the host's log", messages[0], StringComparison.Ordinal);
        Assert.Equal("Module 'files.wasm' does not fit contract 'N.IFiles': the module imports 'wasi_snapshot_preview1.sched_yield' as (i32) -> i32, but Airlock's WASI provides it as () -> i32.", messages[1]);
    }

    [Fact]
    public void A_fixed_offset_input_inside_the_guest_stack_is_AIR107()
    {
        // chirp-c has wasm-ld's default layout: data from 1024 (0x400), then the stack.
        string source = Usings + """
            [WasmPlugin(InputOffset = 1024, Imports = [typeof(ISocialScaleHost)], Module = "chirp.wasm")]
            public partial interface IHooks
            {
                [WasmExport("plugin_tick")] void Tick();
            }
            """;
        Diagnostic[] diagnostics = [.. Run([source], (ChirpC, null)).Diagnostics.Where(d => d.Id == "AIR107")];
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal("Module 'chirp.wasm' does not fit contract 'N.IHooks': the input offset 0x400 (1024) lies inside the guest's data segment 0 [0x400, 0x18d1), so writing there would corrupt the plugin; link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ChirpC, diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void A_Lesstruct_module_without_a_heap_importing_only_log_info_builds_clean()
    {
        // Its __heap_base (9312) is below the input at 65536 and its stack covers 4096, but it has no
        // heap, and log_info never answers at 4096.
        WriteLesstructModule("log_info", [WasmType.I32, WasmType.I32], [], grows: false);
        Assert.Empty(Run([LesstructHooks], (LesstructPath, null)).Diagnostics);
    }

    [Fact]
    public void A_Lesstruct_module_importing_a_function_that_answers_at_4096_is_AIR107_when_4096_is_its_own()
    {
        WriteLesstructModule("http_get", [WasmType.I32, WasmType.I32, WasmType.I32, WasmType.I32], [WasmType.I32], grows: false);
        Diagnostic diagnostic = Assert.Single(Run([LesstructHooks], (LesstructPath, null)).Diagnostics);
        Assert.Equal("AIR107", diagnostic.Id);
        Assert.Equal("Module 'lesstruct.wasm' does not fit contract 'N.IHooks': the result offset of host module 'lesstruct' 0x1000 (4096) lies inside the guest's stack [0xfaa, 0x2460), so writing there would corrupt the plugin; link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_Lesstruct_module_that_grows_memory_from_a_heap_base_below_the_input_is_AIR107()
    {
        WriteLesstructModule("log_info", [WasmType.I32, WasmType.I32], [], grows: true);
        Diagnostic diagnostic = Assert.Single(Run([LesstructHooks], (LesstructPath, null)).Diagnostics);
        Assert.Equal("AIR107", diagnostic.Id);
        Assert.Equal("Module 'lesstruct.wasm' does not fit contract 'N.IHooks': the input offset 0x10000 (65536) lies inside the guest's heap (from __heap_base) [0x2460, 0x100000000), so writing there would corrupt the plugin; link the module to leave that address free (for C: -Wl,--global-base=1114112, see docs/abi/fixed-offset.md).", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0 }, "it is not a valid WebAssembly module: not a WebAssembly binary: bad magic at byte 0 (expected \\0asm)")]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0, 1, 50, 1 }, "it is not a valid WebAssembly module: truncated type section at byte 8: its size is 50 bytes, but only 1 are left (the section runs past the end of the module)")]
    [InlineData(new byte[0], "the file is empty")]
    public void A_file_that_is_not_a_module_is_AIR101(byte[] bytes, string reason)
    {
        string path = Path.Combine(_scratch, "broken.wasm");
        File.WriteAllBytes(path, bytes);
        string source = Usings + """
            [WasmPlugin(Module = "broken.wasm")]
            public partial interface IAny
            {
                [WasmExport("run")] int Run(int x);
            }
            """;
        Diagnostic diagnostic = Assert.Single(Run([source], (path, null)).Diagnostics);
        Assert.Equal("AIR101", diagnostic.Id);
        Assert.Equal("Module 'broken.wasm' tied to contract 'N.IAny' cannot be checked: " + reason, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(path, diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void A_deleted_module_is_AIR101_not_a_crash()
    {
        string path = Path.Combine(_scratch, "gone.wasm");
        GeneratorDriverRunResult result = Run([Usings], (path, SocialScale));
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("AIR101", diagnostic.Id);
        Assert.StartsWith("Module 'gone.wasm' tied to contract 'Airlock.Contracts.SocialScale.ISocialScalePlugin' cannot be checked: the file cannot be read (", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_module_name_matching_two_files_is_AIR108()
    {
        string source = Usings + """
            [WasmPlugin(Module = "chirp.wasm")]
            public partial interface IAny
            {
                [WasmExport("run")] int Run(int x);
            }
            """;
        Diagnostic diagnostic = Assert.Single(Run([source], (ChirpC, null), (ChirpRust, null)).Diagnostics);
        AssertDiagnostic(diagnostic, source, "AIR108", $"Contract 'N.IAny' names module 'chirp.wasm', which matches 2 AdditionalFiles items ({ChirpC}, {ChirpRust}); name it by a longer path", "IAny");
    }

    [Fact]
    public void A_module_name_with_no_additional_file_is_AIR108_at_the_contract()
    {
        string source = Usings + """
            [WasmPlugin(Module = "plugins/missing.wasm")]
            public partial interface IAny
            {
                [WasmExport("run")] int Run(int x);
            }
            """;
        Diagnostic diagnostic = Assert.Single(Run([source], (ChirpC, null)).Diagnostics);
        AssertDiagnostic(diagnostic, source, "AIR108", "Contract 'N.IAny' names module 'plugins/missing.wasm', which is not an AdditionalFiles item of the project; add <AdditionalFiles Include=\"plugins/missing.wasm\" /> to the project file", "IAny");
    }

    [Theory]
    [InlineData("N.INope", "the compilation has no type 'N.INope' (use the namespace-qualified metadata name, such as MyApp.IMyPlugin)")]
    [InlineData("System.IDisposable", "'System.IDisposable' has no [WasmPlugin] attribute")]
    public void Metadata_naming_no_contract_is_AIR108_on_the_module(string contract, string reason)
    {
        Diagnostic diagnostic = Assert.Single(Run([Usings], (ChirpC, contract)).Diagnostics);
        Assert.Equal("AIR108", diagnostic.Id);
        Assert.Equal($"AdditionalFiles item 'chirp.wasm' names contract '{contract}' in its AirlockContract metadata, but {reason}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ChirpC, diagnostic.Location.GetLineSpan().Path);
    }

    [Fact]
    public void An_unrelated_edit_rereads_no_module_and_rechecks_nothing()
    {
        string source = Usings + """
            [WasmPlugin(Imports = [typeof(ISocialScaleHost)], Module = "chirp-c/chirp.wasm")]
            public partial interface IChirp
            {
                [WasmExport("plugin_publish_v2")] ValueTask<string> PublishAsync(string request, CancellationToken cancellationToken = default);
            }
            """;
        CSharpCompilation compilation = GeneratorHarness.Compile(source);
        var contracts = new Dictionary<string, string> { [ChirpRust] = SocialScale };
        GeneratorDriver driver = GeneratorHarness.CreateDriver([new ModuleFile(ChirpC), new ModuleFile(ChirpRust)], contracts).RunGenerators(compilation);

        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public static class Unrelated { public static int Value => 42; }", GeneratorHarness.ParseOptions));
        GeneratorDriverRunResult second = driver.RunGenerators(edited).GetRunResult();
        GeneratorRunResult result = second.Results.Single();

        // The read step did not run: its outputs are cached, so no module was opened again.
        IncrementalGeneratorRunStep[] reads = [.. result.TrackedSteps[TrackingNames.Modules]];
        Assert.Equal(2, reads.Length);
        Assert.All(reads.SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        // The checks produced the same diagnostics, so nothing downstream ran again.
        Assert.All(result.TrackedSteps[TrackingNames.ModuleChecks].SelectMany(r => r.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"module checks were {o.Reason}"));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
        Assert.Equal("AIR102", Assert.Single(WithoutStamp(second.Diagnostics)).Id);
    }

    [Fact]
    public void Module_models_hold_no_symbols_or_syntax()
    {
        string source = Usings + """
            [WasmPlugin(Imports = [typeof(ISocialScaleHost)], Module = "chirp-c/chirp.wasm")]
            public partial interface IChirp
            {
                [WasmExport("plugin_publish_v2")] ValueTask<string> PublishAsync(string request, CancellationToken cancellationToken = default);
            }
            """;
        GeneratorRunResult result = Run([source], (ChirpC, null), (ChirpRust, SocialScale)).Results.Single();
        foreach (string step in new[] { TrackingNames.Contracts, TrackingNames.Modules, TrackingNames.ModuleChecks })
        {
            object?[] models = [.. result.TrackedSteps[step].SelectMany(r => r.Outputs).Select(o => o.Value)];
            Assert.NotEmpty(models);
            foreach (object? model in models)
            {
                IncrementalTests.AssertNoCompilerObjects(model, [], step);
            }
        }
    }

    [Fact]
    public void A_new_version_of_the_module_is_read_again()
    {
        string path = Path.Combine(_scratch, "chirp.wasm");
        File.Copy(ChirpC, path);
        var original = new ModuleFile(path);
        GeneratorDriver driver = GeneratorHarness.CreateDriver([original], new Dictionary<string, string> { [path] = SocialScale });
        CSharpCompilation compilation = GeneratorHarness.Compile(Usings);
        driver = driver.RunGenerators(compilation);
        Assert.Empty(driver.GetRunResult().Diagnostics);

        // The build hands over a new AdditionalText when the file changes.
        File.WriteAllBytes(path, [0x00, 0x61, 0x73, 0x6D]);
        driver = driver.ReplaceAdditionalText(original, new ModuleFile(path));
        GeneratorDriverRunResult result = driver.RunGenerators(compilation).GetRunResult();
        Assert.Equal("AIR101", Assert.Single(result.Diagnostics).Id);
    }

    [Fact]
    public void A_module_built_on_bindings_of_another_version_of_its_contract_is_AIR110()
    {
        // Generated guest bindings stamp the contract and its wire hash into the module; the generator computes the same
        // hash for the contract it binds (here from metadata, as a package user's build does).
        string current = ContractOf<Airlock.Contracts.SocialScale.ISocialScalePlugin>().BindingsHash!;
        Assert.Matches("^[0-9a-f]{16}$", current);
        string Stamped(string name, string stamp)
        {
            string path = Path.Combine(_scratch, name);
            File.WriteAllBytes(path, [.. File.ReadAllBytes(ChirpC), .. WasmBinary.Custom(stamp)]);
            return path;
        }

        Assert.Empty(Run([Usings], (Stamped("fresh.wasm", "airlock.bindings:" + SocialScale + ":" + current), SocialScale)).Diagnostics);
        Assert.Empty(Run([Usings], (Stamped("unrelated.wasm", "airlock.bindings.notes"), SocialScale)).Diagnostics);

        Diagnostic stale = Assert.Single(Run([Usings], (Stamped("stale.wasm", "airlock.bindings:" + SocialScale + ":00000000deadbeef"), SocialScale)).Diagnostics);
        Assert.Equal(
            $"AIR110: Module 'stale.wasm' does not fit contract '{SocialScale}': its bindings were generated from contract '{SocialScale}' with wire hash 00000000deadbeef, but the contract's wire hash is now {current} (a member, export, union case or import changed); regenerate the bindings with airlock bindings and rebuild.",
            Describe(stale));
        Assert.Equal(DiagnosticSeverity.Error, stale.Severity);

        Diagnostic other = Assert.Single(Run([Usings], (Stamped("other.wasm", "airlock.bindings:Shop.IOrderPlugin:00000000deadbeef"), SocialScale)).Diagnostics);
        Assert.Contains($"generated from contract 'Shop.IOrderPlugin' with wire hash 00000000deadbeef, not from '{SocialScale}' (wire hash {current})", Describe(other), StringComparison.Ordinal);
    }

    // chirp-c is built on the SocialScale contract's generated bindings: tied to a stand-in contract with other JSON it is
    // also AIR110 (A_module_built_on_bindings_of_another_version_of_its_contract_is_AIR110); tests of other checks look at the rest.
    private static IEnumerable<Diagnostic> WithoutStamp(IEnumerable<Diagnostic> diagnostics) => diagnostics.Where(d => d.Id != "AIR110");

    private static Airlock.Abi.WasmContract ContractOf<T>()
        where T : class, IWasmPlugin<T> => T.Contract;

    private string LesstructPath => Path.Combine(_scratch, "lesstruct.wasm");

    /*
    (module
      (import "lesstruct" "{import}" (func (type 0)))
      (memory (export "memory") 2)
      (global $sp (mut i32) (i32.const 9312))
      (global (export "__heap_base") i32 (i32.const 9312))
      (func (export "hook_before_save") (param i32 i32) (result i32)
        {grows: (drop (memory.grow (i32.const 1)))}
        (i32.const 0))
      (data (i32.const 4000) "guest data"))
    */
    private void WriteLesstructModule(string import, WasmType[] parameters, WasmType[] results, bool grows)
    {
        byte[] heapBase = [0x41, 0xE0, 0xC8, 0x00, 0x0B];
        byte[] body = [0x00, .. grows ? new byte[] { 0x41, 0x01, 0x40, 0x00, 0x1A } : [], 0x41, 0x00, 0x0B];
        File.WriteAllBytes(LesstructPath, WasmBinary.Module(
            WasmBinary.Section(1, WasmBinary.Vec(WasmBinary.FunctionType(parameters, results), WasmBinary.FunctionType([WasmType.I32, WasmType.I32], [WasmType.I32]))),
            WasmBinary.Section(2, WasmBinary.Vec([.. WasmBinary.Name("lesstruct"), .. WasmBinary.Name(import), 0x00, 0x00])),
            WasmBinary.Section(3, WasmBinary.Vec([0x01])),
            WasmBinary.Section(5, WasmBinary.Vec([0x00, 0x02])),
            WasmBinary.Section(6, WasmBinary.Vec([0x7F, 0x01, .. heapBase], [0x7F, 0x00, .. heapBase])),
            WasmBinary.Section(7, WasmBinary.Vec([.. WasmBinary.Name("memory"), 0x02, 0x00], [.. WasmBinary.Name("__heap_base"), 0x03, 0x01], [.. WasmBinary.Name("hook_before_save"), 0x00, 0x01])),
            WasmBinary.Section(10, WasmBinary.Vec([.. WasmBinary.Leb((uint)body.Length), .. body])),
            WasmBinary.Section(11, WasmBinary.Vec([0x00, 0x41, 0xA0, 0x1F, 0x0B, .. WasmBinary.Name("guest data")]))));
    }

    private static GeneratorDriverRunResult Run(string[] sources, params (string Path, string? Contract)[] modules)
        => Run(GeneratorHarness.Compile(sources), modules);

    private static GeneratorDriverRunResult Run(CSharpCompilation compilation, params (string Path, string? Contract)[] modules)
    {
        var contracts = modules.Where(m => m.Contract is not null).ToDictionary(m => m.Path, m => m.Contract!);
        return GeneratorHarness.CreateDriver(modules.Select(m => (AdditionalText)new ModuleFile(m.Path)), contracts)
            .RunGenerators(compilation)
            .GetRunResult();
    }

    /// <summary>The contract compilation as a referenced assembly, with or without what Airlock's generator adds to it.</summary>
    private static MetadataReference Assembly(CSharpCompilation compilation, bool generate)
    {
        if (generate)
        {
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation generated, out _);
            compilation = (CSharpCompilation)generated;
        }

        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    private static string Describe(Diagnostic diagnostic) => diagnostic.Id + ": " + diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertDiagnostic(Diagnostic diagnostic, string source, string id, string message, string located)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Contract0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(located, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }
}
