using System.Runtime.InteropServices;
using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>A failure reported by libtorch, carrying libtorch's own message (without its C++ backtrace).</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    internal static TorchException FromNative()
    {
        string? message = Marshal.PtrToStringUTF8(NativeMethods.tz_last_error());
        return new TorchException(string.IsNullOrEmpty(message) ? "libtorch reported an error without a message" : message.Trim());
    }

    /// <summary>Throws when a shim call that returns a status reported failure.</summary>
    internal static void Check(int status)
    {
        if (status < 0) throw FromNative();
    }

    /// <summary>Throws when a shim call that returns a handle reported failure; otherwise returns the handle.</summary>
    internal static IntPtr Check(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw FromNative();
        return handle;
    }
}
