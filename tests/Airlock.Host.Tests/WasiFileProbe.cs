namespace Airlock.Host.Tests;

/// <summary>A contract for modules that use WASI's files and environment: <c>invoke(action, a, b)</c>.</summary>
[WasmPlugin]
public partial interface IWasiFileProbe
{
    /// <summary>Runs one of the actions of <c>WasiFileAction</c>; answers as the action says, or <c>-errno</c>.</summary>
    [WasmExport("invoke")]
    long Invoke(int action, byte[] a, byte[] b, CancellationToken cancellationToken = default);
}
