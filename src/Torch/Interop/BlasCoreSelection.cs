using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace TorchZoo.Torch.Interop;

/// <summary>
/// Chooses OpenBLAS's kernels from the instruction sets the CPU reports, before the shim (and with it libtorch and
/// OpenBLAS) is loaded.
/// </summary>
/// <remarks>
/// OpenBLAS built for many CPUs picks its kernels from the CPU's family and model numbers when it loads, and falls back
/// to its SSE3 kernels ("Prescott") for a model it does not know, as under hypervisors that report a generic
/// "Intel Xeon Processor". On such a VM with AVX-512 every matrix product ran at a quarter of the speed the same
/// library reaches with its AVX-512 kernels (a chirp-ViT training step 200 ms against 58 ms). The instruction sets
/// are what the kernels need, so they are what this reads; a user's own <c>OPENBLAS_CORETYPE</c> is left alone.
/// </remarks>
internal static class BlasCoreSelection
{
    /// <summary>The variable OpenBLAS reads at load time to force a kernel set.</summary>
    internal const string Variable = "OPENBLAS_CORETYPE";

    /// <summary>The kernel set this process asked OpenBLAS for, or null when it asked for none.</summary>
    internal static string? Requested { get; private set; }

    /// <summary>
    /// The OpenBLAS kernel set for this CPU's instruction sets: SkylakeX with AVX-512 (F, CD, BW, DQ, VL), Zen for
    /// AMD's AVX2 cores, Haswell for other AVX2 + FMA cores; null where that cannot be told (not x86-64, or no AVX2).
    /// </summary>
    internal static string? ForThisCpu()
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        if (Avx512F.IsSupported && Avx512CD.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && Avx512F.VL.IsSupported)
            return "SkylakeX";
        if (!(Avx2.IsSupported && Fma.IsSupported)) return null;
        return Vendor() == "AuthenticAMD" ? "Zen" : "Haswell";
    }

    /// <summary>
    /// Sets <see cref="Variable"/> in the process environment to <see cref="ForThisCpu"/> unless the user has set it.
    /// Must run before OpenBLAS loads; later it changes nothing.
    /// </summary>
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        string? core = ForThisCpu();
        if (core is not null && SetNativeVariable(Variable, core)) Requested = core;
    }

    private static string Vendor()
    {
        (int _, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        Span<byte> name = stackalloc byte[12];
        BitConverter.TryWriteBytes(name[..4], ebx);
        BitConverter.TryWriteBytes(name[4..8], edx);
        BitConverter.TryWriteBytes(name[8..], ecx);
        return Encoding.ASCII.GetString(name);
    }

    // .NET's Environment.SetEnvironmentVariable keeps its own copy on Unix; native code reads the C library's.
    private static unsafe bool SetNativeVariable(string name, string value)
    {
        IntPtr setenv = CLibrary.Export("setenv");
        if (setenv == IntPtr.Zero) return false;
        byte[] n = Encoding.UTF8.GetBytes(name + "\0"), v = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* pn = n, pv = v)
            return ((delegate* unmanaged<byte*, byte*, int, int>)setenv)(pn, pv, 0) == 0;
    }
}
