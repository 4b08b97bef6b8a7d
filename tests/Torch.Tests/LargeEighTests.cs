namespace TorchZoo.Torch.Tests;

/// <summary>
/// float32 eigh of matrices whose LAPACK workspace (1 + 6n + 2n² floats) passes 2^24: ssyevd reports that size as a
/// float, it rounds down, and OpenBLAS rejects it. SOAP's preconditioner for a 3072-wide ViT-B layer hit it. The shim
/// decomposes such matrices in double; these tests pin that the answer is right and stays float32.
/// </summary>
public class LargeEighTests
{
    [Test]
    public void Float32EighPastTheWorkspaceLimitDecomposesTheMatrixAndDifferentiates()
    {
        using var scope = DisposeScope.Enter();
        const long n = 2900; // 1 + 6n + 2n² = 16,837,401 > 2^24 = 16,777,216
        TorchRuntime.ManualSeed(3);
        Tensor g = Tensor.Randn(new[] { n, 64L });
        Tensor a = g.Matmul(g.MT).Add(Tensor.Eye(n), 0.5).RequiresGrad_();

        var (values, vectors) = Linalg.Eigh(a);

        values.Dtype.Should().Be(ScalarType.Float32);
        vectors.Dtype.Should().Be(ScalarType.Float32);
        values.Shape.Should().Equal(n);
        vectors.Shape.Should().Equal(n, n);
        // Rank 64 plus 0.5·I: the top 64 eigenvalues are large, the rest are 0.5.
        float[] lambda = values.ToArray<float>();
        lambda.Should().BeInAscendingOrder();
        lambda[0].Should().BeApproximately(0.5f, 1e-3f);
        lambda[n - 65].Should().BeApproximately(0.5f, 1e-3f);
        lambda[n - 64].Should().BeGreaterThan(100f);
        // A·q = λ·q for the leading eigenpairs.
        Tensor top = vectors.Narrow(1, n - 8, 8);
        Tensor residual = a.Matmul(top).Sub(top.Mul(values.Narrow(0, n - 8, 8)));
        double relative = residual.Norm().Item() / values.Narrow(0, n - 8, 8).Norm().Item();
        relative.Should().BeLessThan(1e-5);
        // Differentiable through the conversions: d(Σλ)/dA = Q·Qᵀ = I.
        values.Sum().Backward();
        a.Grad!.Dtype.Should().Be(ScalarType.Float32);
        a.Grad!.Sub(Tensor.Eye(n)).Abs().Max().Item().Should().BeLessThan(1e-4);
    }
}
