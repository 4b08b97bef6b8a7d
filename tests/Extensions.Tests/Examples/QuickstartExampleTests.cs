using TorchZoo.Torch;

namespace TorchZoo.Extensions.Tests.Examples;

/// <summary>
/// The Quickstart example as its own process: it trains (its exit code says the loss fell tenfold) and reports the
/// OpenBLAS kernels in use, which TorchZoo picks from the CPU unless the user's OPENBLAS_CORETYPE says otherwise.
/// </summary>
public class QuickstartExampleTests
{
    [Test]
    public void TrainsAndRunsTheKernelsTorchZooChoseForTheCpu()
    {
        var (code, stdout, stderr) = ExamplePrograms.Run("Quickstart", Array.Empty<string>(),
            new Dictionary<string, string?> { ["OPENBLAS_CORETYPE"] = null });
        code.Should().Be(0, stderr);
        string? core = TorchRuntime.BlasCore; // this process chose the same way
        if (core is null) Assert.Ignore("libtorch's BLAS here is not OpenBLAS");
        if (Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is null) stdout.Should().Contain($"OpenBLAS kernels {core}");
    }

    [Test]
    public void TheUsersOwnKernelChoiceIsLeftAlone()
    {
        if (TorchRuntime.BlasCore is null) Assert.Ignore("libtorch's BLAS here is not OpenBLAS");
        // Prescott (SSE3) runs on every x86-64 CPU, and is never what TorchZoo would choose on one with AVX2.
        var (code, stdout, stderr) = ExamplePrograms.Run("Quickstart", Array.Empty<string>(),
            new Dictionary<string, string?> { ["OPENBLAS_CORETYPE"] = "Prescott" });
        code.Should().Be(0, stderr);
        stdout.Should().Contain("OpenBLAS kernels Prescott");
    }
}
