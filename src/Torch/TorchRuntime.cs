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

    /// <summary>
    /// Threads that the binding's own parallel loops (fused optimizer steps, packed attention) run on at the current
    /// <see cref="NumThreads"/>: equal to it when the native shim was built with OpenMP, as libtorch's parallel loops
    /// need, and 1 when it was not (they would then silently run serially).
    /// </summary>
    public static int NativeLoopThreads => NativeMethods.tz_shim_parallel_threads();

    /// <summary>
    /// Lets glibc's malloc keep freed activation-sized blocks for reuse instead of returning them to the system.
    /// By default glibc maps large blocks fresh for each allocation (above a threshold that only adapts in some
    /// arenas) and trims freed heap memory early, so every training step page-faults its activations in again:
    /// ~40,000 faults (≈160 MB of zeroed pages) per ViT-Micro step at batch 64. After this call blocks below
    /// <paramref name="mmapThresholdBytes"/> come from the heap and up to <paramref name="trimThresholdBytes"/> of freed
    /// memory stays mapped: the process holds on to that much more memory in exchange. TorchZoo already sets 32 MB and
    /// 256 MB when it loads (unless <c>GLIBC_TUNABLES</c> sets malloc options), so this call only matters for other
    /// values. Process-wide; the
    /// same as <c>GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…:glibc.malloc.trim_threshold=…</c>. Returns false where
    /// the C library is not glibc or rejects the values (the mmap threshold can be at most 32 MB).
    /// </summary>
    public static bool KeepFreedMemory(long mmapThresholdBytes = 32L << 20, long trimThresholdBytes = 256L << 20) =>
        NativeMethods.tz_keep_freed_memory(mmapThresholdBytes, trimThresholdBytes) == 0;

    /// <summary>
    /// The kernel set of the OpenBLAS that libtorch's matrix products run on (e.g. "SkylakeX", "Haswell"; "Prescott"
    /// is OpenBLAS's SSE3 fallback for CPU models it does not recognise), or null when the BLAS is not OpenBLAS.
    /// Unless <c>OPENBLAS_CORETYPE</c> is set, TorchZoo asks OpenBLAS, before it loads, for the kernels that the CPU's
    /// instruction sets allow (AVX-512: SkylakeX; AVX2 and FMA: Haswell, or Zen on AMD), because OpenBLAS's own choice
    /// goes by the CPU model and falls back to SSE3 on models it does not know, e.g. under many hypervisors. Set
    /// <c>OPENBLAS_CORETYPE</c> yourself to choose another set.
    /// </summary>
    public static string? BlasCore => Marshal.PtrToStringUTF8(NativeMethods.tz_blas_core());

    /// <summary>Seeds libtorch's default CPU generator (used when no <see cref="Generator"/> is passed).</summary>
    public static void ManualSeed(ulong seed) => NativeMethods.tz_manual_seed(seed);

    /// <summary>True when libtorch was built with CUDA and sees at least one GPU.</summary>
    public static bool CudaIsAvailable => NativeMethods.tz_cuda_is_available() != 0;

    public static int CudaDeviceCount => NativeMethods.tz_cuda_device_count();

    /// <summary>Native tensor handles currently alive in this process (for leak tests).</summary>
    public static long LiveTensorCount => NativeMethods.tz_live_tensors();
}
