namespace TorchZoo.Torch.Tests;

public class SmokeTests
{
    [Test]
    public void AddsTwoTensors()
    {
        using var a = Tensor.FromArray(new float[] { 1, 2, 3 });
        using var b = Tensor.FromArray(new float[] { 10, 20, 30 });
        using var c = a + b;
        c.ToArray<float>().Should().Equal(11, 22, 33);
    }

    [Test]
    public void KeepFreedMemoryAcceptsGlibcsRangeOnly()
    {
        // glibc takes mmap thresholds up to half its 64 MB arena heap; larger ones are refused, not clamped.
        TorchRuntime.KeepFreedMemory(64L << 20).Should().BeFalse();
        TorchRuntime.KeepFreedMemory(0).Should().BeFalse();
        TorchRuntime.KeepFreedMemory().Should().BeTrue();
        using var big = Tensor.Zeros(1024, 1024, 4); // 16 MB, now from the heap: still usable and zeroed
        big.Sum().Item().Should().Be(0);
    }
}
