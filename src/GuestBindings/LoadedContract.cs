// Compiled into both the guest-bindings generator (net10.0) and the source generator (netstandard2.0), which computes
// the same wire hash for the contracts it binds: no BCL API newer than netstandard2.0.
using System;
using System.Collections.Generic;
using Airlock.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Airlock.GuestBindings;

/// <summary>A contract could not be read from its assembly; the message says what and where.</summary>
public sealed class GuestBindingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong, as one or more sentences.</param>
    public GuestBindingsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GuestBindingsException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was wrong.</param>
    /// <param name="innerException">The cause.</param>
    public GuestBindingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A <c>[WasmPlugin]</c> contract read from a compiled assembly, with the compilation that resolves its types.</summary>
internal sealed record LoadedContract(ContractSpec Spec, IReadOnlyList<HostSpec> Hosts, INamedTypeSymbol Symbol, Compilation Compilation, string AssemblyName, string AssemblyVersion)
{
    /// <summary>The metadata name of a type the parser spelled fully qualified (<c>global::A.B</c>).</summary>
    public static string MetadataName(string display)
        => display.StartsWith("global::", StringComparison.Ordinal) ? display.Substring("global::".Length) : display;

    /// <summary>The type the parser spelled <paramref name="display"/>, from the contract's compilation.</summary>
    public INamedTypeSymbol? TypeOf(string display) => Compilation.GetTypeByMetadataName(MetadataName(display));
}
