using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Airlock.Abi;

/// <summary>Resolves the JSON metadata of a contract's payload types when a client is created.</summary>
public static class WasmJson
{
    /// <summary>
    /// Returns the source-generated metadata of <typeparamref name="T"/> from <paramref name="context"/>.
    /// </summary>
    /// <typeparam name="T">The payload type.</typeparam>
    /// <param name="context">The contract's JSON context.</param>
    /// <param name="contract">The contract's name, for the error message.</param>
    /// <exception cref="PluginContractException">The context has no metadata for <typeparamref name="T"/>.</exception>
    public static JsonTypeInfo<T> GetTypeInfo<T>(JsonSerializerContext context, string contract)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new PluginContractException(null, contract, [$"{context.GetType().Name} has no JSON metadata for {typeof(T)}; add [JsonSerializable(typeof({typeof(T).Name}))] to it."]);
    }
}
