using Airlock.Abi;
using Airlock.Wasm;
using Wasmtime;

namespace Airlock.Runtime;

/// <summary>
/// The capability level of Airlock's WASI (<see cref="WasiPolicy.WithCapabilities"/>): Wasmtime's own
/// WASI, configured per instance with only the granted environment variables and mounts, no arguments,
/// an empty stdin and stdout and stderr into the instance's <see cref="WasiOutput"/>; with Airlock's
/// bounded functions (<see cref="AirlockWasi.DefineBounded"/>: <c>poll_oneoff</c>, <c>proc_exit</c>,
/// the clocks, <c>random_get</c>, <c>sched_yield</c>) shadowing Wasmtime's, so that nothing the guest
/// calls waits past the call's deadline or through its cancellation (file I/O aside: see
/// <c>docs/security.md</c>), and <c>path_symlink</c> refused.
/// </summary>
internal sealed class CapabilityWasi : WasiPolicy
{
    // EPERM of wasi_snapshot_preview1, what Wasmtime answers for every change in a read-only mount.
    private const int NotPermitted = 63;

    private readonly WasiCapabilities _capabilities;

    public CapabilityWasi(WasiCapabilities capabilities)
    {
        _capabilities = capabilities;
    }

    public override string Name => $"Airlock's WASI with capabilities ({_capabilities})";

    internal override HostModuleShape Functions => CapabilityWasiSurface.Shape;

    internal override void Define(Linker linker)
    {
        linker.DefineWasi();
        linker.AllowShadowing = true;
        try
        {
            AirlockWasi.DefineBounded(linker, DescriptorTable.Wasmtime);

            // Wasmtime lets a guest create, in a writable mount, a symbolic link whose target lies
            // outside it. It never follows such a link for the guest, but host software reading the
            // directory might: a guest plants no links at all.
            linker.DefineFunction(AirlockWasiSurface.Module, "path_symlink", (Func<int, int, int, int, int, int>)((_, _, _, _, _) => NotPermitted));
        }
        finally
        {
            // Nothing defined after WASI (a load's host functions) may replace anything by accident.
            linker.AllowShadowing = false;
        }
    }

    internal override void Configure(Store store, IWasiCall call)
    {
        string pluginId = ((GuestContext)call).Plugin.Id;
        WasiOutput output = call.Output;
        var configuration = new WasiConfiguration()
            .WithEnvironmentVariables(_capabilities.EnvironmentVariables.Select(v => (v.Key, v.Value)))
            .WithStandardOutputCallback(output.StandardOutput)
            .WithStandardErrorCallback(output.StandardError);
        foreach (WasiMount mount in _capabilities.Mounts)
        {
            // The directory may have gone since the grant: say so by name rather than in Wasmtime's words.
            WasiCapabilities.CheckHostDirectory(mount.GuestPath, mount.HostDirectory, pluginId);
            configuration.WithPreopenedDirectory(mount.HostDirectory, mount.GuestPath, mount.Access == WasiMountAccess.Writable);
        }

        try
        {
            store.SetWasiConfiguration(configuration);
        }
        catch (Exception exception) when (exception is WasmtimeException or InvalidOperationException or IOException)
        {
            string mounts = string.Join(", ", _capabilities.Mounts);
            throw new WasiCapabilityException(WasiCapabilityProblem.HostDirectoryUnavailable, $"Plugin '{pluginId}' could not be given its WASI capabilities: a mounted host directory could not be opened ({mounts}): {exception.Message}", pluginId, exception);
        }
    }
}
