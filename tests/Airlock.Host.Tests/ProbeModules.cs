namespace Airlock.Host.Tests;

/// <summary>
/// WAT modules for <see cref="IProbePlugin"/>: a well-behaved default, and variants where one export
/// (or the allocator) misbehaves in a specific way.
/// </summary>
internal static class ProbeModules
{
    public const string GoodPing = """(func (export "ping") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))""";

    // text: echoes its input (the host frees input and result with the no-op dealloc).
    public const string GoodText = """
        (func (export "text") (param $p i32) (param $n i32) (result i64)
          (i64.or (i64.shl (i64.extend_i32_u (local.get $p)) (i64.const 32)) (i64.extend_i32_u (local.get $n))))
        """;

    // doc: answers {"status":"ok","value":"fine"} from a data segment at 256.
    public const string GoodDoc = """
        (data (i32.const 256) "{\"value\":\"fine\",\"status\":\"ok\"}")
        (func (export "doc") (param i32 i32) (result i64) (i64.or (i64.shl (i64.const 256) (i64.const 32)) (i64.const 30)))
        """;

    // A bump allocator from 4096 that grows memory as needed and answers 0 when it cannot.
    public const string BumpAlloc = """
        (global $heap (mut i32) (i32.const 4096))
        (func (export "alloc") (param $n i32) (result i32)
          (local $p i32) (local $end i32)
          (local.set $p (global.get $heap))
          (local.set $end (i32.add (local.get $p) (local.get $n)))
          (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
            (then
              (if (i32.eq (memory.grow (i32.add (i32.div_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 65536)) (i32.const 1))) (i32.const -1))
                (then (return (i32.const 0))))))
          (global.set $heap (local.get $end))
          (local.get $p))
        """;

    public const string NoopDealloc = """(func (export "dealloc") (param i32 i32))""";

    /// <summary>Builds a module from the good parts, replacing any given.</summary>
    public static string Module(string? ping = null, string? text = null, string? doc = null, string? alloc = null, string extra = "", string imports = "")
        => $"""
            (module
              {imports}
              (memory (export "memory") 1)
              {alloc ?? BumpAlloc}
              {NoopDealloc}
              {ping ?? GoodPing}
              {text ?? GoodText}
              {doc ?? GoodDoc}
              {extra}
            )
            """;

    /// <summary>A <c>doc</c> export that answers the given JSON from a data segment.</summary>
    public static string DocAnswering(string json)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(json);
        return DocAnsweringBytes(bytes);
    }

    /// <summary>A <c>doc</c> export that answers the given bytes from a data segment.</summary>
    public static string DocAnsweringBytes(byte[] bytes)
    {
        string escaped = string.Concat(bytes.Select(b => "\\" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        return $$"""
            (data (i32.const 256) "{{escaped}}")
            (func (export "doc") (param i32 i32) (result i64) (i64.or (i64.shl (i64.const 256) (i64.const 32)) (i64.const {{bytes.Length}})))
            """;
    }

    /// <summary>A <c>text</c> export that answers the given bytes from a data segment.</summary>
    public static string TextAnsweringBytes(byte[] bytes)
    {
        string escaped = string.Concat(bytes.Select(b => "\\" + b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        return $$"""
            (data (i32.const 512) "{{escaped}}")
            (func (export "text") (param i32 i32) (result i64) (i64.or (i64.shl (i64.const 512) (i64.const 32)) (i64.const {{bytes.Length}})))
            """;
    }

    /// <summary>A <c>text</c> export that returns a fixed packed value.</summary>
    public static string TextReturningPacked(ulong packed)
        => $$"""(func (export "text") (param i32 i32) (result i64) (i64.const {{unchecked((long)packed)}}))""";

    public static byte[] Compile(string wat) => Wasmtime.Module.ConvertText(wat);
}
