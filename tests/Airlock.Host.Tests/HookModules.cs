namespace Airlock.Host.Tests;

/// <summary>WAT modules for <see cref="IHookProbe"/>.</summary>
internal static class HookModules
{
    // transform: echo in place (the result is the input, as long as the input).
    public const string EchoTransform = """(func (export "transform") (param $p i32) (param $n i32) (result i32) (global.set $rlen (local.get $n)) (local.get $p))""";

    // doc: answers the JSON in a data segment at 0x30000, above the input window: the window ends at the
    // first guest data above it.
    public static string DocAnswering(string json)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(json);
        string escaped = string.Concat(bytes.Select(b => "\\" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        return $$"""
            (data (i32.const 196608) "{{escaped}}")
            (func (export "doc") (param i32 i32) (result i32) (global.set $rlen (i32.const {{bytes.Length}})) (i32.const 196608))
            """;
    }

    // transform: asks probe.fetch for its input as the key and answers the host's result in place.
    public const string FetchingTransform = """
        (global $last (mut i32) (i32.const 0))
        (func (export "transform") (param $p i32) (param $n i32) (result i32)
          (global.set $last (call $fetch (local.get $p) (local.get $n)))
          (if (i32.lt_s (global.get $last) (i32.const 1)) (then (return (i32.const 0))))
          (global.set $rlen (i32.load (global.get $last)))
          ;; the frame ends with a 0 byte: answer 0 if it is missing
          (if (i32.ne (i32.load8_u (i32.add (i32.add (global.get $last) (i32.const 4)) (global.get $rlen))) (i32.const 0))
            (then (return (i32.const 0))))
          (i32.add (global.get $last) (i32.const 4)))
        (func (export "last") (result i32) (global.get $last))
        """;

    public const string NoDoc = """(func (export "doc") (param i32 i32) (result i32) (i32.const 0))""";

    public const string Last = """(func (export "last") (result i32) (i32.const 0))""";

    /// <summary>
    /// Builds a module: memory, the given parts, defaults for the rest. Exports set <c>$rlen</c> to
    /// their result's length, which <c>__hook_result_len</c> reports unless <paramref name="resultLength"/> is false.
    /// </summary>
    public static string Module(string transform = EchoTransform, string? doc = null, string memory = "(memory (export \"memory\") 4)", string extra = "", string imports = "", bool withLast = true, bool resultLength = true)
        => $"""
            (module
              {imports}
              {memory}
              {(resultLength ? "(func (export \"__hook_result_len\") (param i32) (result i32) (global.get $rlen))" : string.Empty)}
              {transform}
              {doc ?? DocAnswering("{\"value\":\"fine\"}")}
              {(withLast ? Last : string.Empty)}
              {extra}
              (global $rlen (mut i32) (i32.const 0))
            )
            """;

    public const string FetchImport = """(import "probe" "fetch" (func $fetch (param i32 i32) (result i32)))""";
}
