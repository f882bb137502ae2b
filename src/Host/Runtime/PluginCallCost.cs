namespace Airlock.Runtime;

/// <summary>What one call of a plugin cost, as its instance saw when the call ended.</summary>
/// <param name="Export">The export called (<c>instantiation</c> for the call that set the instance up).</param>
/// <param name="FuelConsumed">The fuel the call consumed, or <see langword="null"/> when fuel is not metered.</param>
/// <param name="MemoryBytes">The size of the instance's linear memory after the call.</param>
internal readonly record struct PluginCallCost(string Export, ulong? FuelConsumed, long MemoryBytes);
