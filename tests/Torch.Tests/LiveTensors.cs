namespace TorchZoo.Torch.Tests;

/// <summary>Leak checks against the native live-tensor count.</summary>
public static class LiveTensors
{
    /// <summary>
    /// Runs <paramref name="step"/> once to warm up, then <paramref name="repeats"/> more times, and asserts that the
    /// native live-tensor count (after finalizers) ends where it started.
    /// </summary>
    public static void ShouldStayConstant(Action step, int repeats = 5)
    {
        step();
        long before = Settled();
        for (int i = 0; i < repeats; i++) step();
        Settled().Should().Be(before);
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return TorchRuntime.LiveTensorCount;
    }
}
