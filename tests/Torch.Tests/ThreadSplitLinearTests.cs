using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// <see cref="F.Linear"/> above 2^18 multiply-adds at two or more threads runs the shim's thread-split products (rows
/// of the forward per thread; input and weight gradients side by side). Checked against the same layer composed from
/// <see cref="Tensor.Matmul"/>, against finite differences, to second order, and for leaks.
/// </summary>
public class ThreadSplitLinearTests
{
    private DisposeScope scope = null!;
    private int threads;

    [SetUp]
    public void SetUp()
    {
        scope = DisposeScope.Enter();
        threads = TorchRuntime.NumThreads;
        TorchRuntime.NumThreads = 2;
    }

    [TearDown]
    public void TearDown()
    {
        TorchRuntime.NumThreads = threads;
        scope.Dispose();
    }

    private static Tensor Composed(Tensor x, Tensor w, Tensor? b)
    {
        Tensor y = x.Matmul(w.Transpose(0, 1));
        return b is null ? y : y.Add(b);
    }

    private static double RelativeError(Tensor got, Tensor want)
    {
        using var noGrad = Autograd.NoGrad();
        using var inner = DisposeScope.Enter();
        return got.Sub(want).Abs().Max().Item() / want.Abs().Max().Item();
    }

    // The chirp ViT's qkv at batch 8 (with bias), its fc2 on flattened rows (without), and a 4-D input.
    [TestCase(new long[] { 8, 65, 192 }, 576L, true, ScalarType.Float32, 2e-6)]
    [TestCase(new long[] { 520, 768 }, 192L, false, ScalarType.Float32, 2e-6)]
    [TestCase(new long[] { 2, 3, 70, 40 }, 96L, true, ScalarType.Float32, 2e-6)]
    [TestCase(new long[] { 8, 65, 192 }, 576L, true, ScalarType.Float64, 1e-14)]
    public void OutputsAndGradientsMatchTheComposedLayer(long[] inputShape, long outputs, bool bias, ScalarType dtype, double tolerance)
    {
        using var g = new Generator(7);
        Tensor x = Tensor.Randn(inputShape, g, dtype).RequiresGrad_();
        Tensor w = Tensor.Randn(new[] { outputs, inputShape[^1] }, g, dtype).Mul(0.05).Detach().RequiresGrad_();
        Tensor? b = bias ? Tensor.Randn(new[] { outputs }, g, dtype).RequiresGrad_() : null;
        long[] outShape = inputShape[..^1].Append(outputs).ToArray();
        Tensor upstream = Tensor.Randn(outShape, g, dtype);
        Tensor[] wrt = b is null ? new[] { x, w } : new[] { x, w, b };

        Tensor got = F.Linear(x, w, b), want = Composed(x, w, b);
        got.Shape.Should().Equal(outShape);
        RelativeError(got, want).Should().BeLessThan(tolerance);
        Tensor?[] gotGrads = Autograd.Grad(new[] { got }, wrt, new[] { upstream });
        Tensor?[] wantGrads = Autograd.Grad(new[] { want }, wrt, new[] { upstream });
        for (int i = 0; i < wrt.Length; i++)
            RelativeError(gotGrads[i]!, wantGrads[i]!).Should().BeLessThan(tolerance, $"gradient {i} of (x, w, b)");
    }

    [Test]
    public void AFrozenWeightOrAConstantInputGetsNoGradient()
    {
        using var g = new Generator(8);
        Tensor x = Tensor.Randn(new long[] { 4, 64, 128 }, g), w = Tensor.Randn(new long[] { 256, 128 }, g), b = Tensor.Randn(new long[] { 256 }, g);
        Tensor upstream = Tensor.Randn(new long[] { 4, 64, 256 }, g);

        x.RequiresGrad = true; // LoRA's base layer: the weight and bias are frozen
        F.Linear(x, w, b).Backward(upstream);
        w.Grad.Should().BeNull();
        b.Grad.Should().BeNull();
        RelativeError(x.Grad!, upstream.Matmul(w)).Should().BeLessThan(2e-6);

        Tensor c = x.Detach(); // the first layer: the input is data
        w.RequiresGrad = true;
        F.Linear(c, w, null).Backward(upstream);
        RelativeError(w.Grad!, upstream.Reshape(-1, 256).Transpose(0, 1).Matmul(c.Reshape(-1, 128))).Should().BeLessThan(2e-6);
    }

    [Test]
    public void GradientsMatchFiniteDifferences()
    {
        // 64 × 64 × 64 multiply-adds: exactly the split threshold.
        Tensor x = GradCheck.Input(11, 1.0, 2, 32, 64), w = GradCheck.Input(12, 0.2, 64, 64), b = GradCheck.Input(13, 1.0, 64);
        GradCheck.Assert(() => F.Linear(x, w, b), x, w, b);
    }

    [Test]
    public void SecondDerivativesMatchFiniteDifferences()
    {
        Tensor x = GradCheck.Input(14, 1.0, 64, 64), w = GradCheck.Input(15, 0.2, 64, 64);
        Tensor r = GradCheck.Input(16, 1.0, 64, 64).Detach();
        GradCheck.Assert(() =>
        {
            using var grad = Autograd.EnableGrad();
            Tensor loss = F.Linear(x, w, null).Tanh().Mul(r).Sum();
            return Autograd.Grad(new[] { loss }, new[] { w }, createGraph: true)[0]!;
        }, x, w);
    }

    [Test]
    public void ForwardAndBackwardLeaveNoTensorsBehind()
    {
        using var g = new Generator(17);
        Tensor x = Tensor.Randn(new long[] { 8, 65, 192 }, g).RequiresGrad_();
        Tensor w = Tensor.Randn(new long[] { 768, 192 }, g).RequiresGrad_(), b = Tensor.Randn(new long[] { 768 }, g).RequiresGrad_();
        void Step()
        {
            using var inner = DisposeScope.Enter();
            F.Linear(x, w, b).Sum().Backward();
        }
        LiveTensors.ShouldStayConstant(Step);
    }

    [Test]
    public void MismatchedShapesStillGetLibtorchsMessage()
    {
        Tensor x = Tensor.Zeros(520, 192), w = Tensor.Zeros(768, 190);
        ((Action)(() => F.Linear(x, w))).Should().Throw<TorchException>().WithMessage("*mat1 and mat2 shapes cannot be multiplied*");
    }
}
