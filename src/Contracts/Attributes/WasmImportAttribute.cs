namespace Airlock;

/// <summary>
/// Binds a method of a <see cref="WasmHostAttribute"/> interface to a function plugins import.
/// </summary>
/// <remarks>
/// String, byte and JSON parameters arrive from the guest as <c>(ptr, len)</c> pairs. A string, byte
/// or JSON result is written into memory the host obtains from the guest's <c>alloc</c> export and
/// returned packed as <c>(ptr &lt;&lt; 32) | len</c>; a <see langword="null"/> result, or a
/// <see cref="HostCallException"/> thrown by the implementation, returns a negative
/// <see cref="HostCallStatus"/> code instead. A method may take a first parameter of type
/// <see cref="Abi.GuestContext"/> to learn which plugin is calling and how much time its call has left.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class WasmImportAttribute : Attribute
{
    /// <summary>Creates the attribute for the import called <paramref name="name"/>.</summary>
    /// <param name="name">The function's name within the import module, for example <c>host_log</c>.</param>
    public WasmImportAttribute(string name) => Name = name;

    /// <summary>The function's name within the import module.</summary>
    public string Name { get; }
}
