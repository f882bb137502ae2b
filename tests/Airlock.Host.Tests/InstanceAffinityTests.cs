namespace Airlock.Host.Tests;

/// <summary>A plugin whose instances count their own calls.</summary>
[WasmPlugin(Imports = [typeof(IAffinityHost)])]
public partial interface IAffinityProbe
{
    /// <summary>Calls the host's <c>pause</c> with <paramref name="hold"/>, then answers how many calls this instance has served.</summary>
    /// <param name="hold">Whether the host holds the call until released.</param>
    [WasmExport("next")]
    int Next(int hold);
}

/// <summary>A host function that can hold a call, so that two calls run at once.</summary>
[WasmHost("affinity")]
public partial interface IAffinityHost
{
    /// <summary>Returns at once for 0; for 1, signals that a call is inside and waits to be released.</summary>
    /// <param name="hold">Whether to hold.</param>
    [WasmImport("pause")]
    int Pause(int hold);
}

/// <summary>Which instance a caller gets from the pool: the one it gave back.</summary>
public sealed class InstanceAffinityTests
{
    private const string Module = """
        (module
          (import "affinity" "pause" (func $pause (param i32) (result i32)))
          (memory (export "memory") 1)
          (global $calls (mut i32) (i32.const 0))
          (func (export "alloc") (param i32) (result i32) (i32.const 1024))
          (func (export "dealloc") (param i32 i32))
          (func (export "next") (param $hold i32) (result i32)
            (drop (call $pause (local.get $hold)))
            (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
            (global.get $calls)))
        """;

    [Fact]
    public async Task Two_callers_each_take_back_the_instance_they_gave_back()
    {
        var pause = new HoldingHost();
        await using var host = new PluginHost();
        await using IAffinityProbe plugin = await host.LoadModuleAsync<IAffinityProbe>(
            "affinity",
            ProbeModules.Compile(Module),
            new PluginLoadOptions { Limits = PluginLimits.Default with { MaxInstances = 2 } }.AddImports<IAffinityHost>(pause));

        using var first = new Caller(plugin);
        using var second = new Caller(plugin);

        // Both pool instances in use at once: the first caller's call is held inside the host function
        // while the second caller's call needs another instance.
        Task<int> held = first.CallAsync(hold: 1);
        Assert.True(pause.Inside.Wait(TimeSpan.FromSeconds(30)), "the held call never reached the host function");
        Assert.Equal(1, await second.CallAsync(hold: 0));
        pause.Release.Set();
        int firstCount = await held;

        // From here on the two callers take turns, never at once: each gets its own instance back every
        // time, so each sees its own instance's count go up by one per call.
        int secondCount = 1;
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(++firstCount, await first.CallAsync(hold: 0));
            Assert.Equal(++secondCount, await second.CallAsync(hold: 0));
        }
    }

    // A thread of its own that makes the calls it is given, one at a time.
    private sealed class Caller : IDisposable
    {
        private readonly System.Collections.Concurrent.BlockingCollection<(int Hold, TaskCompletionSource<int> Done)> _calls = [];
        private readonly Thread _thread;

        public Caller(IAffinityProbe plugin)
        {
            _thread = new Thread(() =>
            {
                foreach ((int hold, TaskCompletionSource<int> done) in _calls.GetConsumingEnumerable())
                {
                    try
                    {
                        done.SetResult(plugin.Next(hold));
                    }
                    catch (Exception exception)
                    {
                        done.SetException(exception);
                    }
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public Task<int> CallAsync(int hold)
        {
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _calls.Add((hold, done));
            return done.Task;
        }

        public void Dispose()
        {
            _calls.CompleteAdding();
            _thread.Join();
            _calls.Dispose();
        }
    }

    private sealed class HoldingHost : IAffinityHost
    {
        public ManualResetEventSlim Inside { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public int Pause(int hold)
        {
            if (hold == 1)
            {
                Inside.Set();
                Release.Wait(TimeSpan.FromSeconds(30));
            }

            return 0;
        }
    }
}
