using System.Text.Json.Serialization;

namespace Airlock.Host.Tests;

/// <summary>A fixed-offset contract exercising every result path of the ABI.</summary>
[WasmPlugin(Abi = WasmAbi.FixedOffset, InputOffset = 65536, JsonContext = typeof(HookProbeJsonContext), Imports = [typeof(IHookProbeHost)])]
public partial interface IHookProbe
{
    /// <summary>Transforms text.</summary>
    [WasmExport("transform")]
    string? Transform(string input);

    /// <summary>Transforms a document; <c>{"error":...}</c> is an error.</summary>
    [WasmExport("doc", Envelope = WasmResponseEnvelope.ErrorMember)]
    ValueTask<HookDoc?> DocAsync(HookDoc input, CancellationToken cancellationToken = default);

    /// <summary>Optional: missing means nothing happens.</summary>
    [WasmExport("maybe", WhenMissing = WasmMissingExport.Skip)]
    string? Maybe(string input);

    /// <summary>Optional: missing means an error when called.</summary>
    [WasmExport("must", WhenMissing = WasmMissingExport.Throw)]
    Task<string?> MustAsync(string input);

    /// <summary>The status of the last host call the guest made.</summary>
    [WasmExport("last")]
    int Last();
}

/// <summary>A host function over fixed-offset results.</summary>
[WasmHost("probe", ResultOffset = 4096)]
public partial interface IHookProbeHost
{
    /// <summary>Answers text for a key, nothing for <c>none</c>, too much for <c>huge</c>.</summary>
    [WasmImport("fetch")]
    string? Fetch(string key);

    /// <summary>A scalar: returned as the call's value, never written at the result offset.</summary>
    [WasmImport("twice")]
    int Twice(int value);
}

/// <summary>A document.</summary>
public sealed record HookDoc(string Value);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(HookDoc))]
internal sealed partial class HookProbeJsonContext : JsonSerializerContext;

/// <summary>The host side of <see cref="IHookProbeHost"/>.</summary>
internal sealed class HookProbeHost : IHookProbeHost
{
    public string? Fetch(string key) => key switch
    {
        "none" => null,
        "huge" => new string('x', 70_000),
        "declined" => throw new HostCallException(HostCallStatus.PermissionDenied, "not for you"),
        _ when key.StartsWith("len:", StringComparison.Ordinal) => new string('x', int.Parse(key[4..], System.Globalization.CultureInfo.InvariantCulture)),
        _ => "value-of-" + key,
    };

    public int Twice(int value) => value * 2;
}
