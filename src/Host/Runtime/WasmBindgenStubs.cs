using Airlock.Abi;
using Airlock.Wasm;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// Links what stands in for wasm-bindgen's JavaScript glue in a module built with <c>#[wasm_bindgen]</c>
/// but without the wasm-bindgen CLI: the describe machinery as a no-op, the externref intrinsics
/// (reachable only from JavaScript glue) as functions that end the call if ever reached, and
/// <c>__wbindgen_throw</c> as the plugin raising an error. Every other glue import was refused by
/// the contract check before linking (<see cref="WasmBindgenGlue.Refusal"/>).
/// </summary>
internal static class WasmBindgenStubs
{
    public static void Define(Linker linker, ModuleShape module)
    {
        foreach (ModuleItem import in module.Imports)
        {
            switch (WasmBindgenGlue.Classify(import.Module, import.Name, import.Signature))
            {
                case WasmBindgenGlueKind.Inert when import.Name == "__wbindgen_describe":
                    linker.DefineFunction(import.Module, import.Name, (int _) => { });
                    break;
                case WasmBindgenGlueKind.Inert when import.Name == "__wbindgen_externref_table_grow":
                    linker.DefineFunction(import.Module, import.Name, (CallerFunc<int, int>)((caller, _) => throw Unreachable(caller, import)));
                    break;
                case WasmBindgenGlueKind.Inert:
                    linker.DefineFunction(import.Module, import.Name, (CallerAction<int>)((caller, _) => throw Unreachable(caller, import)));
                    break;
                case WasmBindgenGlueKind.Throw:
                    linker.DefineFunction(import.Module, import.Name, (CallerAction<int, int>)((caller, pointer, length) => throw Thrown(caller, import, pointer, length)));
                    break;
            }
        }
    }

    private static Exception Unreachable(Caller caller, ModuleItem import)
    {
        GuestContext guest = GuestContext.EnterImport(caller, import.Module, import.Name);
        try
        {
            return guest.ImportFailed(import.Module, import.Name, new InvalidOperationException("the plugin called wasm-bindgen's externref glue, which only JavaScript calls; plugins hosted by Airlock exchange strings, not JavaScript values."));
        }
        finally
        {
            guest.ExitImport();
        }
    }

    private static Exception Thrown(Caller caller, ModuleItem import, int pointer, int length)
    {
        GuestContext guest = GuestContext.EnterImport(caller, import.Module, import.Name);
        try
        {
            string message = Utf8Payload.ReadArgument(guest, pointer, length, "message of " + import.Module + "." + import.Name);
            return guest.ImportFailed(import.Module, import.Name, new InvalidOperationException("the plugin raised an error: " + PluginText.Sanitize(message, 1000)));
        }
        catch (Exception exception) when (exception is AirlockException)
        {
            return guest.ImportFailed(import.Module, import.Name, exception);
        }
        finally
        {
            guest.ExitImport();
        }
    }
}
