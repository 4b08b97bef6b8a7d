using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// <see cref="F.PackedSelfAttention"/>: the shim's head-parallel attention over a fused (B, N, 3D) qkv tensor, with its
/// own backward. Checked against finite differences (float64 takes the same BLAS path as float32), against
/// <see cref="F.ScaledDotProductAttention"/> on the head views, and for second derivatives (create_graph).
/// </summary>
public class PackedAttentionTests
{
    private DisposeScope scope = null!;

    [SetUp]
    public void OpenScope() => scope = DisposeScope.Enter();

    [TearDown]
    public void CloseScope() => scope.Dispose();

    /// <summary>The reference: head views of qkv, scaled dot-product attention, heads merged back to (B, N, D).</summary>
    private static Tensor Reference(Tensor qkv, long heads, double? scale = null)
    {
        long[] s = qkv.Shape;
        long b = s[0], n = s[1], d = s[2] / 3;
        Tensor h = qkv.Reshape(b, n, 3, heads, d / heads).Permute(2, 0, 3, 1, 4);
        return F.ScaledDotProductAttention(h.Select(0, 0), h.Select(0, 1), h.Select(0, 2), scale: scale).Transpose(1, 2).Reshape(b, n, d);
    }

    [Test]
    public void GradientsMatchFiniteDifferences()
    {
        Tensor qkv = GradCheck.Input(41, 1.0, 2, 5, 3 * 6);
        GradCheck.Assert(() => F.PackedSelfAttention(qkv, 2), qkv);
        GradCheck.Assert(() => F.PackedSelfAttention(qkv, 3, scale: 0.3), qkv);
        GradCheck.Assert(() => F.PackedSelfAttention(qkv, 1), qkv);
    }

    [Test]
    public void NonContiguousInputGradients()
    {
        // A (B, 3D, N) leaf transposed to (B, N, 3D): the op copies it to rows and still routes the gradient back.
        Tensor leaf = GradCheck.Input(42, 1.0, 2, 3 * 4, 3);
        GradCheck.Assert(() => F.PackedSelfAttention(leaf.Transpose(1, 2), 2), leaf);
    }

    [TestCase(ScalarType.Float64, 1e-12)]
    [TestCase(ScalarType.Float32, 2e-6)]
    public void MatchesScaledDotProductAttentionOnTheHeadViews(ScalarType dtype, double tolerance)
    {
        using var g = new Generator(43);
        Tensor qkv = Tensor.Randn(new long[] { 3, 7, 3 * 12 }, g, dtype).RequiresGrad_();
        Tensor upstream = Tensor.Randn(new long[] { 3, 7, 12 }, g, dtype);
        foreach (double? scale in new double?[] { null, 0.3 })
        {
            Tensor got = F.PackedSelfAttention(qkv, 3, scale), want = Reference(qkv, 3, scale);
            Tensor gotGrad = Autograd.Grad(new[] { got }, new[] { qkv }, new[] { upstream })[0]!;
            Tensor wantGrad = Autograd.Grad(new[] { want }, new[] { qkv }, new[] { upstream })[0]!;
            got.Shape.Should().Equal(3, 7, 12);
            MaxAbsDiff(got, want).Should().BeLessThan(tolerance);
            MaxAbsDiff(gotGrad, wantGrad).Should().BeLessThan(tolerance * 10);
        }
    }

    [Test]
    public void SecondDerivativesMatchFiniteDifferences()
    {
        // The gradient taken with create_graph is itself differentiable: check d(∂L/∂qkv · R)/d(qkv) numerically.
        Tensor qkv = GradCheck.Input(44, 1.0, 2, 4, 3 * 4);
        Tensor r = GradCheck.Input(45, 1.0, 2, 4, 4).Detach();
        GradCheck.Assert(() =>
        {
            using var grad = Autograd.EnableGrad();
            Tensor loss = F.PackedSelfAttention(qkv, 2).Mul(r).Sum();
            return Autograd.Grad(new[] { loss }, new[] { qkv }, createGraph: true)[0]!;
        }, qkv);
    }

    [Test]
    public void TheCreateGraphGradientEqualsTheFastOne()
    {
        Tensor qkv = GradCheck.Input(46, 1.0, 2, 6, 3 * 8);
        Tensor r = GradCheck.Input(47, 1.0, 2, 6, 8).Detach();
        Tensor fast = Autograd.Grad(new[] { F.PackedSelfAttention(qkv, 2).Mul(r).Sum() }, new[] { qkv })[0]!;
        Tensor graph = Autograd.Grad(new[] { F.PackedSelfAttention(qkv, 2).Mul(r).Sum() }, new[] { qkv }, createGraph: true)[0]!;
        graph.RequiresGrad.Should().BeTrue();
        MaxAbsDiff(fast, graph.Detach()).Should().BeLessThan(1e-12);
    }

    [Test]
    public void ForwardAndBackwardLeaveNoTensorsBehind()
    {
        using var g = new Generator(48);
        Tensor qkv = Tensor.Randn(new long[] { 4, 9, 3 * 6 }, g).RequiresGrad_();
        void Step()
        {
            using var inner = DisposeScope.Enter();
            F.PackedSelfAttention(qkv, 3).Sum().Backward();
        }
        LiveTensors.ShouldStayConstant(Step);
    }

    [Test]
    public void BadShapesAndArgumentsAreExplained()
    {
        Tensor x = Tensor.Zeros(2, 3, 10);
        ((Action)(() => F.PackedSelfAttention(x, 2))).Should().Throw<TorchException>().WithMessage("*3 × width*2 heads*");
        ((Action)(() => F.PackedSelfAttention(x.Reshape(6, 10), 1))).Should().Throw<TorchException>().WithMessage("*(batch, tokens, 3·width)*");
        ((Action)(() => F.PackedSelfAttention(Tensor.Zeros(2, 3, 12), 0))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => F.PackedSelfAttention(Tensor.Zeros(2, 3, 12), 2, scale: -1))).Should().Throw<ArgumentOutOfRangeException>();
    }

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var noGrad = Autograd.NoGrad();
        using var scope = DisposeScope.Enter();
        return a.Sub(b).Abs().Max().Item();
    }
}
