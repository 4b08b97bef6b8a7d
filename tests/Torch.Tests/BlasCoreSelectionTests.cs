using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// OpenBLAS runs the kernels the CPU's instruction sets allow, not its SSE3 fallback for CPU models it does not know.
/// </summary>
public class BlasCoreSelectionTests
{
    private static HashSet<string> CpuFlags() =>
        File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("flags", StringComparison.Ordinal))
            .SelectMany(l => l[(l.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();

    [Test]
    public void TheChoiceFollowsTheInstructionSetsTheKernelSetsNeed()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) Assert.Ignore("needs /proc/cpuinfo");
        var flags = CpuFlags();
        string? expected = new[] { "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl" }.All(flags.Contains) ? "SkylakeX"
            : flags.Contains("avx2") && flags.Contains("fma") ? (File.ReadLines("/proc/cpuinfo").Any(l => l.Contains("AuthenticAMD")) ? "Zen" : "Haswell")
            : null;
        BlasCoreSelection.ForThisCpu().Should().Be(expected);
    }

    [Test]
    public void OpenBlasRunsTheRequestedKernels()
    {
        _ = TorchRuntime.NumThreads; // loads the shim, and with it OpenBLAS, if no test has yet
        string? core = TorchRuntime.BlasCore;
        if (core is null) Assert.Ignore("libtorch's BLAS here is not OpenBLAS");
        if (Environment.GetEnvironmentVariable(BlasCoreSelection.Variable) is not null)
        {
            BlasCoreSelection.Requested.Should().BeNull("the user's OPENBLAS_CORETYPE is left alone");
            return;
        }
        if (BlasCoreSelection.ForThisCpu() is null) Assert.Ignore("no AVX2 here: OpenBLAS's own choice stands");
        BlasCoreSelection.Requested.Should().Be(BlasCoreSelection.ForThisCpu());
        core.Should().BeEquivalentTo(BlasCoreSelection.Requested, "OpenBLAS must have read the variable set before it loaded");
    }
}
