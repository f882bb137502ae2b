using Airlock.Wasm;

namespace Airlock.Generators.Tests;

/// <summary>Hand-assembles WebAssembly binaries, byte by byte, for tests that cannot compile WAT.</summary>
internal static class WasmBinary
{
    public static byte[] Module(params byte[][] sections) => [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, .. sections.SelectMany(s => s)];

    public static byte[] Section(byte id, byte[] payload) => [id, .. Leb(checked((uint)payload.Length)), .. payload];

    public static byte[] Custom(string name) => Section(0, [.. Name(name), 0xDE, 0xAD]);

    public static byte[] Vec(params byte[][] items) => [.. Leb(checked((uint)items.Length)), .. items.SelectMany(i => i)];

    public static byte[] Name(string name)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(name);
        return [.. Leb(checked((uint)bytes.Length)), .. bytes];
    }

    public static byte[] FunctionType(WasmType[] parameters, WasmType[] results)
        => [0x60, .. Leb((uint)parameters.Length), .. parameters.Select(Code), .. Leb((uint)results.Length), .. results.Select(Code)];

    public static byte Code(WasmType type) => type switch
    {
        WasmType.I32 => 0x7F,
        WasmType.I64 => 0x7E,
        WasmType.F32 => 0x7D,
        WasmType.F64 => 0x7C,
        WasmType.V128 => 0x7B,
        WasmType.FuncRef => 0x70,
        _ => 0x6F,
    };

    public static byte[] Leb(uint value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
