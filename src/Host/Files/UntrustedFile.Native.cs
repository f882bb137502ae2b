using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Airlock.Files;

/// <summary>Opening only regular files, per operating system; .NET has no portable API for a file's type.</summary>
internal static partial class UntrustedFile
{
    private const int TypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    private static SafeFileHandle OpenRegular(string path, string kind, string? pluginId)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            return OpenRegularUnix(path, kind, pluginId);
        }

        if (Directory.Exists(path))
        {
            throw NotRegular(path, "a directory", kind, pluginId);
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(path, "it cannot be read", pluginId, exception);
        }

        if (OperatingSystem.IsWindows() && Windows.GetFileType(handle) != Windows.FileTypeDisk)
        {
            handle.Dispose();
            throw NotRegular(path, "a device or a pipe", kind, pluginId);
        }

        return handle;
    }

    private static SafeFileHandle OpenRegularUnix(string path, string kind, string? pluginId)
    {
        // On the path first, so that a device or a FIFO is refused without being opened at all.
        if (Unix.TypeOf(path) is { } declared && declared != RegularFile)
        {
            throw NotRegular(path, Describe(declared), kind, pluginId);
        }

        // Non-blocking: a FIFO swapped in after the check opens at once instead of waiting for a writer.
        int descriptor = Unix.Open(path);
        if (descriptor < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            var cause = new IOException(Marshal.GetPInvokeErrorMessage(errno));
            throw errno == Unix.NoDeviceOrAddress
                ? NotRegular(path, "a socket or a device", kind, pluginId)
                : Unreadable(path, "it cannot be read", pluginId, cause);
        }

        var handle = new SafeFileHandle(descriptor, ownsHandle: true);
        int? opened = Unix.TypeOf(handle);
        if (opened is { } type && type != RegularFile)
        {
            handle.Dispose();
            throw NotRegular(path, Describe(type), kind, pluginId);
        }

        return handle;
    }

    private static string Describe(int type) => type switch
    {
        0x4000 => "a directory",
        0x2000 => "a character device",
        0x6000 => "a block device",
        0x1000 => "a FIFO",
        0xC000 => "a socket",
        _ => "not a regular file",
    };

    private static partial class Unix
    {
        public const int NoDeviceOrAddress = 6;

        private const int CurrentDirectory = -100;
        private const int EmptyPath = 0x1000;
        private const uint TypeField = 0x1;

        // O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC: Linux's values (every architecture .NET runs on), then macOS's.
        private const int LinuxFlags = 0x800 | 0x100 | 0x80000;
        private const int MacFlags = 0x4 | 0x20000 | 0x1000000;

        public static int Open(string path)
        {
            int descriptor;
            do
            {
                descriptor = OperatingSystem.IsLinux() ? OpenFile(path, LinuxFlags) : OpenFile(path, MacFlags);
            }
            while (descriptor < 0 && Marshal.GetLastPInvokeError() == 4); // EINTR
            return descriptor;
        }

        // The file type bits of the path's target, or null when it cannot be told (the open reports why).
        public static int? TypeOf(string path)
        {
            try
            {
                if (OperatingSystem.IsLinux())
                {
                    var status = default(LinuxStatx);
                    return StatX(CurrentDirectory, path, 0, TypeField, ref status) == 0 ? status.Mode & TypeMask : null;
                }

                var darwin = default(DarwinStat);
                int result = RuntimeInformation.OSArchitecture == Architecture.X64 ? StatX64(path, ref darwin) : StatArm64(path, ref darwin);
                return result == 0 ? darwin.Mode & TypeMask : null;
            }
            catch (EntryPointNotFoundException)
            {
                // A C library without statx (glibc before 2.28): the handle's check and the bounded read still apply.
                return null;
            }
        }

        public static int? TypeOf(SafeFileHandle handle)
        {
            try
            {
                if (OperatingSystem.IsLinux())
                {
                    var status = default(LinuxStatx);
                    return StatX(handle, string.Empty, EmptyPath, TypeField, ref status) == 0 ? status.Mode & TypeMask : null;
                }

                var darwin = default(DarwinStat);
                int result = RuntimeInformation.OSArchitecture == Architecture.X64 ? FStatX64(handle, ref darwin) : FStatArm64(handle, ref darwin);
                return result == 0 ? darwin.Mode & TypeMask : null;
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int OpenFile(string path, int flags);

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int StatX(int directory, string path, int flags, uint mask, ref LinuxStatx status);

        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int StatX(SafeFileHandle directory, string path, int flags, uint mask, ref LinuxStatx status);

        [LibraryImport("libc", EntryPoint = "stat$INODE64", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int StatX64(string path, ref DarwinStat status);

        [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        private static partial int StatArm64(string path, ref DarwinStat status);

        [LibraryImport("libc", EntryPoint = "fstat$INODE64", SetLastError = true)]
        private static partial int FStatX64(SafeFileHandle handle, ref DarwinStat status);

        [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
        private static partial int FStatArm64(SafeFileHandle handle, ref DarwinStat status);

        // struct statx (linux/stat.h): the same layout on every architecture; stx_mode is at offset 28.
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        private struct LinuxStatx
        {
            public uint Mask;
            public uint BlockSize;
            public ulong Attributes;
            public uint Links;
            public uint User;
            public uint Group;
            public ushort Mode;
        }

        // struct stat with 64-bit inodes (sys/stat.h): dev_t st_dev (4 bytes), then mode_t st_mode.
        [StructLayout(LayoutKind.Sequential, Size = 144)]
        private struct DarwinStat
        {
            public int Device;
            public ushort Mode;
        }
    }

    private static partial class Windows
    {
        public const uint FileTypeDisk = 1;

        [LibraryImport("kernel32.dll", SetLastError = true)]
        public static partial uint GetFileType(SafeFileHandle handle);
    }
}
