using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// Tensors of a few MB are reused from the heap instead of being mapped and page-faulted in on every allocation.
/// </summary>
public class AllocatorDefaultsTests
{
    private static long MinorFaults() => long.Parse(File.ReadAllText("/proc/self/stat").Split(' ')[9]);

    [Test]
    public void ActivationSizedTensorsDoNotPageFaultOnEveryAllocation()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/stat")) Assert.Ignore("needs /proc/self/stat");
        _ = TorchRuntime.NumThreads; // loads the shim, which applies the defaults first
        if (Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.") == true)
        {
            AllocatorDefaults.Applied.Should().BeFalse("the user's own malloc tunables are left alone");
            return;
        }
        AllocatorDefaults.Applied.Should().BeTrue();
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Randn(2_359_296); // 9.4 MB, one ViT-B fc1 weight
        void Step()
        {
            using var inner = DisposeScope.Enter();
            x.Mul(2.0).Add(x);
        }
        for (int i = 0; i < 5; i++) Step(); // the heap grows to its working size
        long before = MinorFaults();
        for (int i = 0; i < 20; i++) Step();
        // Mapped afresh, each step's two 9.4 MB results fault ~4,600 pages in, in any arena. Reused from the heap, none on
        // the main arena; a test thread may allocate from another arena, whose 64 MB heaps glibc unmaps when they empty,
        // and there one of the two (~2,300) was seen to land in a fresh heap each step. Fewer than one and a half of
        // them tells the defaults from their absence on either.
        ((MinorFaults() - before) / 20.0).Should().BeLessThan(3_450);
    }
}
