namespace TorchZoo.Torch.Tests;

/// <summary>
/// <see cref="Linalg.Gram"/>: a·aᵀ through BLAS syrk (one triangle, mirrored) where it can, at::mm elsewhere. Checked
/// against the product computed in float64 by the general GEMM, for every memory layout the Newton–Schulz iterations
/// pass it (row-major, a transposed view, a strided slice), and for the cases that must fall back.
/// </summary>
public class GramTests
{
    private static void ShouldBeTheProduct(Tensor a, Tensor gram, double tolerance)
    {
        using var scope = DisposeScope.Enter();
        Tensor expected = a.To(ScalarType.Float64).Matmul(a.To(ScalarType.Float64).MT);
        gram.Shape.Should().Equal(a.Size(0), a.Size(0));
        gram.Dtype.Should().Be(a.Dtype);
        double error = gram.To(ScalarType.Float64).Sub(expected).Abs().Max().Item();
        error.Should().BeLessThan(tolerance * expected.Abs().Max().Item());
        gram.Equal(gram.MT).Should().BeTrue("the result is exactly symmetric");
    }

    [TestCase(1L, 1L)]
    [TestCase(5L, 9L)]
    [TestCase(9L, 5L)]
    [TestCase(70L, 130L)]
    [TestCase(130L, 70L)]
    [TestCase(200L, 3L)]
    public void Gram_of_a_row_major_matrix_and_of_a_transposed_view_is_the_product(long rows, long cols)
    {
        using var scope = DisposeScope.Enter();
        TorchRuntime.ManualSeed(7);
        foreach (ScalarType dtype in new[] { ScalarType.Float32, ScalarType.Float64 })
        {
            double tolerance = dtype == ScalarType.Float32 ? 1e-5 : 1e-12;
            Tensor a = Tensor.Randn(rows, cols).To(dtype);
            ShouldBeTheProduct(a, Linalg.Gram(a), tolerance);
            // aᵀ as a view (strides (1, cols)): the Trans form of syrk, no copy.
            Tensor b = Tensor.Randn(cols, rows).To(dtype).MT;
            ShouldBeTheProduct(b, Linalg.Gram(b), tolerance);
            // Every other column of a wider matrix (row stride 2·cols, column stride 2): copied, then syrk.
            Tensor c = Tensor.Randn(rows, 2 * cols).To(dtype).Slice(1, 0, 2 * cols, 2);
            ShouldBeTheProduct(c, Linalg.Gram(c), tolerance);
            // Rows of a wider matrix: leading dimension larger than the row.
            Tensor d = Tensor.Randn(rows, cols + 3).To(dtype).Narrow(1, 1, cols);
            ShouldBeTheProduct(d, Linalg.Gram(d), tolerance);
        }
    }

    [Test]
    public void Gram_agrees_with_the_general_product_to_float32_rounding()
    {
        using var scope = DisposeScope.Enter();
        TorchRuntime.ManualSeed(11);
        // The Newton–Schulz shape of a ViT-B MLP layer, scaled down: a wide matrix after Frobenius normalization.
        Tensor x = Tensor.Randn(96, 384);
        x.Div_(x.Norm());
        Tensor gram = Linalg.Gram(x), product = x.Matmul(x.MT);
        gram.AllClose(product, rtol: 1e-5, atol: 1e-7).Should().BeTrue();
    }

    [Test]
    public void Gram_under_autograd_and_of_integers_falls_back_to_the_general_product()
    {
        using var scope = DisposeScope.Enter();
        TorchRuntime.ManualSeed(5);
        Tensor a = Tensor.Randn(6, 4).RequiresGrad_();
        Tensor gram = Linalg.Gram(a);
        gram.Sum().Backward();
        // d(Σ a·aᵀ)/da = 2·(Σ of each column) broadcast over rows.
        Tensor expected = a.Detach().Sum(0, keepDim: true).Mul(2).Add(Tensor.Zeros(6, 4));
        a.Grad!.AllClose(expected, rtol: 1e-5, atol: 1e-6).Should().BeTrue();

        Tensor ints = Tensor.FromArray(new long[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        Linalg.Gram(ints).ToArray<long>().Should().Equal(14, 32, 32, 77);
    }

    [Test]
    public void Gram_of_a_vector_names_the_problem()
    {
        using var scope = DisposeScope.Enter();
        Action act = () => Linalg.Gram(Tensor.Randn(5));
        act.Should().Throw<TorchException>().WithMessage("*gram needs a matrix*1 dimension*");
    }
}
