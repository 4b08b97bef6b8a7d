using TorchZoo.Torch.NN;
using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>Autograd against central finite differences (float64, eps 1e-6), plus higher-order and accumulated gradients.</summary>
public class GradCheckTests
{
    private DisposeScope scope = null!;

    [SetUp]
    public void OpenScope() => scope = DisposeScope.Enter();

    [TearDown]
    public void CloseScope() => scope.Dispose();

    private static Tensor In(ulong seed, params long[] shape) => GradCheck.Input(seed, 1.0, shape);

    [Test]
    public void TheCheckerCatchesAWrongGradient()
    {
        // x * detach(x): autograd sees d/dx = x, the true derivative is 2x.
        Tensor x = In(1, 3, 4);
        GradCheck.Report report = GradCheck.Compare(() => x.Mul(x.Detach()), new[] { x });
        report.Mismatches.Should().HaveCount(12);
        report.MaxAbsError.Should().BeGreaterThan(0.01);
    }

    [Test]
    public void Linear()
    {
        Tensor x = In(1, 3, 4), w = In(2, 5, 4), b = In(3, 5);
        GradCheck.Assert(() => F.Linear(x, w, b), x, w, b);
        GradCheck.Assert(() => F.Linear(x, w), x, w);
    }

    [Test]
    public void LayerNorm()
    {
        Tensor x = In(1, 3, 2, 6), w = In(2, 2, 6), b = In(3, 2, 6);
        GradCheck.Assert(() => F.LayerNorm(x, new long[] { 2, 6 }, w, b), x, w, b);
        GradCheck.Assert(() => F.LayerNorm(x, new long[] { 6 }, null, null, 1e-3), x);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Gelu(bool tanh)
    {
        Tensor x = GradCheck.Input(4, 2.0, 4, 5);
        GradCheck.Assert(() => F.Gelu(x, tanh), x);
    }

    [Test]
    public void Silu()
    {
        Tensor x = GradCheck.Input(5, 2.0, 4, 5);
        GradCheck.Assert(() => F.Silu(x), x);
    }

    [Test]
    public void SoftmaxAndLogSoftmax()
    {
        Tensor x = GradCheck.Input(6, 2.0, 3, 5);
        GradCheck.Assert(() => F.Softmax(x, 1), x);
        GradCheck.Assert(() => F.Softmax(x, 0), x);
        GradCheck.Assert(() => F.LogSoftmax(x, -1), x);
        GradCheck.Assert(() => F.LogSoftmax(x, 0), x);
    }

    [Test]
    public void Conv2d()
    {
        Tensor x = In(7, 2, 2, 5, 6), w = In(8, 3, 2, 3, 3), b = In(9, 3);
        GradCheck.Assert(() => F.Conv2d(x, w, b, stride: (2, 1), padding: (1, 1)), x, w, b);
        GradCheck.Assert(() => F.Conv2d(x, w, null, dilation: (2, 1)), x, w);

        Tensor wg = In(10, 4, 1, 2, 2);
        GradCheck.Assert(() => F.Conv2d(x, wg, null, groups: 2), x, wg);
    }

    [Test]
    public void EmbeddingWithRespectToWeight()
    {
        Tensor weight = In(11, 6, 3);
        // Index 2 repeats: its gradient row must be the sum of three contributions.
        using Tensor indices = Tensor.FromArray(new long[] { 0, 2, 5, 2, 2, 1 }, 2, 3);
        GradCheck.Assert(() => F.Embedding(indices, weight), weight);
    }

    [Test]
    public void CrossEntropyWithLabelSmoothing()
    {
        Tensor logits = GradCheck.Input(12, 2.0, 4, 5);
        using Tensor target = Tensor.FromArray(new long[] { 1, 0, 4, 2 });
        using Tensor classWeight = Tensor.FromArray(new double[] { 0.5, 1, 2, 1.5, 0.25 });
        GradCheck.Assert(() => F.CrossEntropy(logits, target, labelSmoothing: 0.1), logits);
        GradCheck.Assert(() => F.CrossEntropy(logits, target, reduction: Reduction.Sum, labelSmoothing: 0.3), logits);
        GradCheck.Assert(() => F.CrossEntropy(logits, target, classWeight, labelSmoothing: 0.2), logits);
        GradCheck.Assert(() => F.CrossEntropy(logits, target, reduction: Reduction.None, labelSmoothing: 0.1), logits);
    }

    [TestCase(Reduction.Mean)]
    [TestCase(Reduction.Sum)]
    [TestCase(Reduction.None)]
    public void RegressionLosses(Reduction reduction)
    {
        Tensor input = In(13, 3, 4), target = In(14, 3, 4);
        GradCheck.Assert(() => F.MseLoss(input, target, reduction), input, target);
        GradCheck.Assert(() => F.L1Loss(input, target, reduction), input, target);
        // beta 0.5 puts elements on both the quadratic and the linear side.
        GradCheck.Assert(() => F.SmoothL1Loss(input, target, reduction, beta: 0.5), input, target);
    }

    [Test]
    public void ScaledDotProductAttention()
    {
        Tensor q = In(15, 2, 3, 4), k = In(16, 2, 5, 4), v = In(17, 2, 5, 6);
        GradCheck.Assert(() => F.ScaledDotProductAttention(q, k, v), q, k, v);
        GradCheck.Assert(() => F.ScaledDotProductAttention(q, k, v, scale: 0.3), q, k, v);

        Tensor additive = In(18, 3, 5);
        using Tensor keep = Tensor.FromArray(new[] { true, false, true, true, false, true, true, false, true, true, false, true, true, true, true }, 3, 5);
        GradCheck.Assert(() => F.ScaledDotProductAttention(q, k, v, additive), q, k, v, additive);
        GradCheck.Assert(() => F.ScaledDotProductAttention(q, k, v, keep), q, k, v);

        Tensor kc = In(19, 2, 3, 4), vc = In(20, 2, 3, 6);
        GradCheck.Assert(() => F.ScaledDotProductAttention(q, kc, vc, isCausal: true), q, kc, vc);
    }

    [Test]
    public void AttentionMatchesItsDefinition()
    {
        // The gradient check alone would pass for any smooth function: pin the forward value too.
        Tensor q = In(21, 1, 2, 3), k = In(22, 1, 4, 3), v = In(23, 1, 4, 2);
        using Tensor keep = Tensor.FromArray(new[] { true, true, false, true, false, true, true, true }, 2, 4);
        using var noGrad = Autograd.NoGrad();
        double[] got = F.ScaledDotProductAttention(q, k, v, keep).ToArray<double>();
        double[] Q = q.ToArray<double>(), K = k.ToArray<double>(), V = v.ToArray<double>();
        bool[] mask = keep.ToArray<bool>();
        var want = new double[4];
        for (int i = 0; i < 2; i++)
        {
            var s = new double[4];
            for (int j = 0; j < 4; j++)
            {
                double dot = 0;
                for (int e = 0; e < 3; e++) dot += Q[i * 3 + e] * K[j * 3 + e];
                s[j] = mask[i * 4 + j] ? Math.Exp(dot / Math.Sqrt(3)) : 0;
            }
            double z = s.Sum();
            for (int c = 0; c < 2; c++)
                for (int j = 0; j < 4; j++) want[i * 2 + c] += s[j] / z * V[j * 2 + c];
        }
        got.Should().Equal(want, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Test]
    public void LinearModule()
    {
        using var m = new Linear(4, 3, generator: new Generator(1));
        m.To(ScalarType.Float64);
        Tensor x = In(24, 2, 4);
        GradCheck.Assert(() => m.Forward(x), x, m.Weight, m.Bias!);
    }

    [Test]
    public void LayerNormModule()
    {
        using var m = new LayerNorm(5);
        m.To(ScalarType.Float64);
        using (Autograd.NoGrad())
        {
            // Away from the ones/zeros init so the affine part matters.
            m.Weight!.Copy_(In(25, 5));
            m.Bias!.Copy_(In(26, 5));
        }
        Tensor x = In(27, 3, 5);
        GradCheck.Assert(() => m.Forward(x), x, m.Weight!, m.Bias!);
    }

    [Test]
    public void Conv2dModule()
    {
        using var m = new Conv2d(2, 3, 3, stride: 1, padding: 1, generator: new Generator(2));
        m.To(ScalarType.Float64);
        Tensor x = In(28, 1, 2, 4, 4);
        GradCheck.Assert(() => m.Forward(x), x, m.Weight, m.Bias!);
    }

    [Test]
    public void SequentialModule()
    {
        var g = new Generator(3);
        using var m = new Sequential(new Linear(4, 6, generator: g), new Gelu(), new LayerNorm(6), new Linear(6, 2, generator: g));
        m.To(ScalarType.Float64);
        Tensor x = In(29, 3, 4);
        var wrt = new List<Tensor> { x };
        wrt.AddRange(m.Parameters());
        wrt.Should().HaveCount(7);
        GradCheck.Assert(() => m.Forward(x), wrt.ToArray());
    }

    [Test]
    public void HessianVectorProductOfACubic()
    {
        // f(x) = (xᵀAx)(bᵀx);  H = S(bᵀx) + (Sx)bᵀ + b(Sx)ᵀ with S = A + Aᵀ.
        const int n = 4;
        using var g = new Generator(30);
        double[] a = Tensor.Randn(new long[] { n, n }, g, ScalarType.Float64).ToArray<double>();
        double[] b = Tensor.Randn(new long[] { n }, g, ScalarType.Float64).ToArray<double>();
        double[] x0 = Tensor.Randn(new long[] { n }, g, ScalarType.Float64).ToArray<double>();
        double[] v0 = Tensor.Randn(new long[] { n }, g, ScalarType.Float64).ToArray<double>();

        Tensor A = Tensor.FromArray(a, n, n), B = Tensor.FromArray(b), V = Tensor.FromArray(v0);
        Tensor x = Tensor.FromArray(x0).RequiresGrad_();
        Tensor f = Linalg.Dot(x.Matmul(A), x).Mul(Linalg.Dot(B, x));

        Tensor grad = Autograd.Grad(new[] { f }, new[] { x }, createGraph: true)[0]!;
        grad.RequiresGrad.Should().BeTrue("create_graph records the backward pass");
        Tensor hv = Autograd.Grad(new[] { Linalg.Dot(grad, V) }, new[] { x })[0]!;

        double bx = 0;
        for (int i = 0; i < n; i++) bx += b[i] * x0[i];
        var sx = new double[n];
        var s = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                s[i, j] = a[i * n + j] + a[j * n + i];
                sx[i] += s[i, j] * x0[j];
            }
        var want = new double[n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                want[i] += (s[i, j] * bx + sx[i] * b[j] + b[i] * sx[j]) * v0[j];

        hv.ToArray<double>().Should().Equal(want, (p, q) => Math.Abs(p - q) < 1e-10 * (1 + Math.Abs(q)));
        x.HasGrad.Should().BeFalse("Autograd.Grad must not touch .Grad");
    }

    [Test]
    public void BackwardWithRetainGraphTwiceAccumulates()
    {
        Tensor x = Tensor.FromArray(new double[] { 1, -2, 3 }).RequiresGrad_();
        Tensor c = Tensor.FromArray(new double[] { 0.5, 2, -1 });
        Tensor y = x.Square().Mul(c).Sum();

        y.Backward(retainGraph: true);
        x.Grad!.ToArray<double>().Should().Equal(1, -8, -6);
        y.Backward();
        x.Grad!.ToArray<double>().Should().Equal(2, -16, -12);

        // The graph is gone now: a third pass must fail cleanly.
        Action third = () => y.Backward();
        third.Should().Throw<TorchException>();
    }
}
