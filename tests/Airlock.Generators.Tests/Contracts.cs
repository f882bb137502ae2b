namespace Airlock.Generators.Tests;

/// <summary>Contract sources the tests generate from.</summary>
internal static class Contracts
{
    public const string Greeter = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;

        namespace Sample.Greeting;

        /// <summary>Scalars, text, bytes and every result shape.</summary>
        [WasmPlugin]
        public partial interface IGreeter
        {
            /// <summary>Adds.</summary>
            [WasmExport("add")]
            int Add(int a, int b);

            /// <summary>Flags.</summary>
            [WasmExport("flag")]
            bool Flag(bool on, uint mask);

            /// <summary>Greets.</summary>
            [WasmExport("greet")]
            ValueTask<string> GreetAsync(string name, CancellationToken cancellationToken = default);

            /// <summary>Hashes.</summary>
            [WasmExport("hash")]
            Task<byte[]> HashAsync(ReadOnlyMemory<byte> data);

            /// <summary>Resets.</summary>
            [WasmExport("reset")]
            ValueTask ResetAsync();
        }
        """;

    public const string Connector = """
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;
        using Airlock.Contracts.SocialScale;

        namespace Sample.Connectors;

        /// <summary>An application's own contract over the SocialScale request union.</summary>
        [WasmPlugin(JsonContext = typeof(SocialScaleJsonContext))]
        public partial interface IConnector
        {
            /// <summary>Handles a request.</summary>
            [WasmExport("plugin_handle_request", Envelope = WasmResponseEnvelope.Status)]
            ValueTask<PluginResponse> HandleAsync(PluginRequest request, CancellationToken cancellationToken = default);
        }
        """;

    /// <summary>A Samuel-convention contract: the packed ABI with a named allocator, an error-member result, the Samuel host functions.</summary>
    public const string Samuel = """
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;
        using Airlock.Contracts.Samuel;

        namespace Sample.Samuel;

        /// <summary>A Samuel plugin kind of an application's own.</summary>
        [WasmPlugin(AllocExport = "malloc", FreeExport = "free", JsonContext = typeof(SamuelJsonContext), Imports = [typeof(ISamuelHost)])]
        public partial interface IFormatter
        {
            /// <summary>Formats the files of a request.</summary>
            [WasmExport("format", Envelope = WasmResponseEnvelope.ErrorMember)]
            ValueTask<JsonElement> FormatAsync(JsonElement request, CancellationToken cancellationToken = default);

            /// <summary>The plugin's report, when it has one.</summary>
            [WasmExport("report", Envelope = WasmResponseEnvelope.ErrorMember)]
            ValueTask<SamuelLintReport?> ReportAsync(SamuelLintRequest request, CancellationToken cancellationToken = default);
        }
        """;

    /// <summary>A wasm-bindgen contract: exports inherited from a base interface, a string result through the return slot, the Driftless success word.</summary>
    public const string Bindgen = """
        using System.Text.Json;
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;
        using Airlock.Contracts.Driftless;

        namespace Sample.Bindgen;

        /// <summary>Exports two contracts share.</summary>
        public interface ITemplating
        {
            /// <summary>Renders a template.</summary>
            [WasmExport("render")]
            ValueTask<string> RenderAsync(string template, JsonElement values, CancellationToken cancellationToken = default);
        }

        /// <summary>A Rust plugin built with #[wasm_bindgen].</summary>
        [WasmPlugin(Abi = WasmAbi.WasmBindgen, JsonContext = typeof(DriftlessJsonContext), SuccessStatus = "success", ErrorCodeRequired = false)]
        public partial interface IBindgenPlugin : ITemplating
        {
            /// <summary>Runs a task.</summary>
            [WasmExport("execute_task", Envelope = WasmResponseEnvelope.Status)]
            ValueTask<DriftlessTaskResult> ExecuteTaskAsync(string name, JsonElement config, CancellationToken cancellationToken = default);

            /// <summary>The plugin's version number.</summary>
            [WasmExport("version_number", WhenMissing = WasmMissingExport.Skip)]
            int VersionNumber();
        }
        """;

    public const string Host = """
        using Airlock;
        using Airlock.Abi;
        using Airlock.Contracts.SocialScale;

        namespace Sample.Hosting;

        /// <summary>Host functions of every result kind.</summary>
        [WasmHost("env", JsonContext = typeof(SocialScaleJsonContext))]
        public partial interface IAppHost
        {
            /// <summary>Logs.</summary>
            [WasmImport("log")]
            void Log(GuestContext guest, PluginLogLevel level, string message);

            /// <summary>Fetches.</summary>
            [WasmImport("http")]
            HostHttpResponse Http(GuestContext guest, HostHttpRequest request);

            /// <summary>Reads.</summary>
            [WasmImport("get")]
            byte[]? Get(GuestContext guest, string key);

            /// <summary>Tells the time.</summary>
            [WasmImport("now")]
            long Now();
        }
        """;

    public const string Hooks = """
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;
        using Airlock.Abi;
        using Airlock.Contracts.Lesstruct;

        namespace Sample.Hooks;

        /// <summary>Fixed-offset hooks: required, skipped and throwing when missing, text and JSON.</summary>
        [WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536, JsonContext = typeof(LesstructJsonContext), Imports = [typeof(IHookHost)])]
        public partial interface IHooks
        {
            /// <summary>Required.</summary>
            [WasmExport("hook_before_save", Envelope = WasmResponseEnvelope.ErrorMember)]
            ValueTask<ContentHookResult?> BeforeSaveAsync(ContentItem item, CancellationToken cancellationToken = default);

            /// <summary>Skipped when missing.</summary>
            [WasmExport("hook_rename", WhenMissing = WasmMissingExport.Skip)]
            string? Rename(string title);

            /// <summary>Throws when missing; ignores the result offset.</summary>
            [WasmExport("hook_notify", WhenMissing = WasmMissingExport.Throw)]
            Task NotifyAsync(ContentItem item);

            /// <summary>A scalar export passes straight through.</summary>
            [WasmExport("version")]
            int Version();
        }

        /// <summary>Host functions writing at 4096.</summary>
        [WasmHost("hooks", Abi = WasmAbi.FixedOffset, ResultOffset = 4096, JsonContext = typeof(LesstructJsonContext))]
        public partial interface IHookHost
        {
            /// <summary>Text.</summary>
            [WasmImport("lookup")]
            string? Lookup(GuestContext guest, string key);

            /// <summary>JSON with an optional argument.</summary>
            [WasmImport("query")]
            HostResult<DbExecData> Query(string sql, System.Text.Json.Nodes.JsonNode? parameters);

            /// <summary>Bytes.</summary>
            [WasmImport("blob")]
            byte[]? Blob(int id);
        }
        """;

    /// <summary>
    /// A request union declared in the same compilation: a case whose properties hold its arguments (a null
    /// list made empty) is written from the per-case method's arguments; a case with a computed member is
    /// built and written from the object.
    /// </summary>
    public const string Orders = """
        using System;
        using System.Collections.Generic;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Text.Json.Serialization.Metadata;
        using System.Threading;
        using System.Threading.Tasks;
        using Airlock;

        namespace Sample.Orders;

        [JsonPolymorphic(TypeDiscriminatorPropertyName = "op")]
        [JsonDerivedType(typeof(PlaceOrder), "place")]
        [JsonDerivedType(typeof(CancelOrder), "cancel")]
        public abstract record OrderRequest;

        /// <summary>Places an order.</summary>
        /// <param name="Sku">The item.</param>
        /// <param name="Quantity">How many.</param>
        /// <param name="Notes">Notes; sent as an empty array when absent.</param>
        public sealed record PlaceOrder(string Sku, int Quantity, IReadOnlyList<string>? Notes = null) : OrderRequest
        {
            /// <summary>Notes.</summary>
            public IReadOnlyList<string> Notes { get; init; } = Notes ?? [];
        }

        /// <summary>Cancels an order.</summary>
        /// <param name="OrderId">The order.</param>
        public sealed record CancelOrder(string OrderId) : OrderRequest
        {
            /// <summary>Computed from the id: the case object is built to read it.</summary>
            public string Reason => "cancelled: " + OrderId;
        }

        /// <summary>The answer.</summary>
        /// <param name="Id">The order's id.</param>
        public sealed record OrderResult(string Id);

        /// <summary>Stands in for the System.Text.Json source generator's output, which this test does not run.</summary>
        [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
        [JsonSerializable(typeof(OrderRequest))]
        [JsonSerializable(typeof(OrderResult))]
        public sealed class OrdersJsonContext : JsonSerializerContext
        {
            public OrdersJsonContext()
                : base(null)
            {
            }

            public static OrdersJsonContext Default { get; } = new();

            protected override JsonSerializerOptions? GeneratedSerializerOptions => null;

            public override JsonTypeInfo? GetTypeInfo(Type type) => null;
        }

        /// <summary>An order desk.</summary>
        [WasmPlugin(JsonContext = typeof(OrdersJsonContext))]
        public partial interface IOrders
        {
            /// <summary>Handles a request.</summary>
            [WasmExport("handle", Envelope = WasmResponseEnvelope.Status)]
            ValueTask<OrderResult> HandleAsync(OrderRequest request, CancellationToken cancellationToken = default);
        }
        """;
}
