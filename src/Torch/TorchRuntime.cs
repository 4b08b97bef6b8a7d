using System.Runtime.InteropServices;
using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>Process-wide libtorch settings and facts: threads, seeds, CUDA, the live tensor count.</summary>
public static class TorchRuntime
{
    /// <summary>libtorch's version, e.g. "1.13.1".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.tz_version()) ?? "unknown";

    /// <summary>Threads libtorch uses for intra-op parallelism.</summary>
    public static int NumThreads
    {
        get => NativeMethods.tz_get_num_threads();
        set
        {
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "The thread count must be positive.");
            NativeMethods.tz_set_num_threads(value);
        }
    }

    /// <summary>Seeds libtorch's default CPU generator (used when no <see cref="Generator"/> is passed).</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.tz_manual_seed(seed);

    /// <summary>True when libtorch was built with CUDA and sees at least one GPU.</summary>
    public static bool CudaIsAvailable => NativeMethods.tz_cuda_is_available() != 0;

    public static int CudaDeviceCount => NativeMethods.tz_cuda_device_count();

    /// <summary>Native tensor handles currently alive in this process (for leak tests).</summary>
    public static long LiveTensorCount => NativeMethods.tz_live_tensors();
}
