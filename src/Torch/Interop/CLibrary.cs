using System.Runtime.InteropServices;

namespace TorchZoo.Torch.Interop;

/// <summary>
/// Functions of the process's C library (glibc's libc.so.6) that TorchZoo calls before the shim loads; absent (false)
/// where that library is not there, e.g. on musl.
/// </summary>
internal static class CLibrary
{
    private static readonly IntPtr Handle = NativeLibrary.TryLoad("libc.so.6", out IntPtr h) ? h : IntPtr.Zero;

    /// <summary>The address of <paramref name="name"/> in the C library, or zero.</summary>
    internal static IntPtr Export(string name) =>
        Handle != IntPtr.Zero && NativeLibrary.TryGetExport(Handle, name, out IntPtr f) ? f : IntPtr.Zero;
}
