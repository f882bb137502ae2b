using System.Security.Cryptography;
using Airlock.Wasm;

namespace Airlock.Cli.Plugins;

/// <summary>A module read from disk as untrusted input, with what the shared reader found in it.</summary>
internal sealed class ModuleFile
{
    private ModuleFile(string path, byte[] bytes, WasmModuleInfo info)
    {
        Path = path;
        Bytes = bytes;
        Info = info;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    public string Path { get; }

    public byte[] Bytes { get; }

    public WasmModuleInfo Info { get; }

    public string Sha256 { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>Reads and parses <paramref name="path"/> (a regular file, at most the host's module size limit).</summary>
    /// <exception cref="ModuleUnreadableException">The file cannot be read or is not a WebAssembly module.</exception>
    public static ModuleFile Read(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = Files.UntrustedFile.ReadAllBytes(full, PluginHostOptions.DefaultMaxModuleBytes, "a module");
        }
        catch (PluginFileException exception)
        {
            throw new ModuleUnreadableException(full, exception.Problem, exception);
        }

        return Parse(full, bytes);
    }

    /// <summary>Parses bytes already read.</summary>
    /// <exception cref="ModuleUnreadableException">They are not a WebAssembly module.</exception>
    public static ModuleFile Parse(string path, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw new ModuleUnreadableException(path, "the file is empty");
        }

        try
        {
            return new ModuleFile(path, bytes, WasmModuleReader.Read(bytes));
        }
        catch (WasmFormatException exception)
        {
            throw new ModuleUnreadableException(path, "it is not a valid WebAssembly module: " + exception.Message, exception);
        }
    }
}

/// <summary>A module that cannot be read or parsed: the reason, in the words of AIR101.</summary>
internal sealed class ModuleUnreadableException : Exception
{
    public ModuleUnreadableException(string path, string reason, Exception? innerException = null)
        : base($"Module '{System.IO.Path.GetFileName(path)}' cannot be read: {reason}", innerException)
    {
        ModulePath = path;
        Reason = reason;
    }

    public ModuleUnreadableException()
        : this(string.Empty, "unknown")
    {
    }

    public ModuleUnreadableException(string message)
        : this(string.Empty, message)
    {
    }

    public ModuleUnreadableException(string message, Exception innerException)
        : this(string.Empty, message, innerException)
    {
    }

    public string ModulePath { get; }

    public string Reason { get; }
}
