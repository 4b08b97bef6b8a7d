namespace TorchZoo.Torch.Interop;

/// <summary>
/// Gives glibc's malloc, once and before the shim loads, a 32 MB mmap threshold (the one its own dynamic rule reaches in
/// a Python process) and keeps up to 256 MB of freed heap.
/// </summary>
/// <remarks>
/// glibc serves large blocks with fresh mappings and raises that threshold to the size of the first such block freed
/// (up to 32 MB), after which tensors of a few MB are reused from the heap; PyTorch's process reaches that state after
/// its first step. In a .NET process the rule was measured not to take effect: every 9.4 MB tensor of a ViT-B optimizer
/// step was mapped and page-faulted in again, 4,580 faults per `x * 2 + x` against 0 in Python after warm-up, and the
/// generic optimizer paths ran at half speed (bench/OptimizerStep). The trim threshold is 256 MB rather than the 64 MB
/// that rule would pair with 32: a DisposeScope frees an update's temporaries together (EXAdam's are eight 9.4 MB
/// tensors for one ViT-B matrix), and trimming them at 64 MB left EXAdam at 1.22× PyTorch's step. Threads that malloc
/// from another arena than the main one keep glibc's 64 MB heaps, which it unmaps when they empty, so a tensor that
/// lands in a fresh heap can still fault in there (seen in the test process). A user's own
/// <c>GLIBC_TUNABLES</c> malloc settings are left alone; <see cref="TorchRuntime.KeepFreedMemory"/> sets other values.
/// </remarks>
internal static class AllocatorDefaults
{
    internal const long MmapThreshold = 32L << 20;
    internal const long TrimThreshold = 256L << 20;
    private const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /// <summary>True once the thresholds were set by <see cref="Apply"/>.</summary>
    internal static bool Applied { get; private set; }

    internal static unsafe void Apply()
    {
        if (!OperatingSystem.IsLinux() || Applied) return;
        string? tunables = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        if (tunables is not null && tunables.Contains("glibc.malloc.", StringComparison.Ordinal)) return;
        IntPtr mallopt = CLibrary.Export("mallopt");
        if (mallopt == IntPtr.Zero) return;
        var set = (delegate* unmanaged<int, int, int>)mallopt;
        Applied = set(M_MMAP_THRESHOLD, (int)MmapThreshold) == 1 & set(M_TRIM_THRESHOLD, (int)TrimThreshold) == 1;
    }
}
