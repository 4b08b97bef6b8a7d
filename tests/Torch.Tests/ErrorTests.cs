using TorchZoo.Torch.NN;
using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>Bad calls fail with exceptions that explain themselves and never take the process down.</summary>
public class ErrorTests
{
    private DisposeScope scope = null!;
    private long liveBefore;

    [SetUp]
    public void OpenScope()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        liveBefore = TorchRuntime.LiveTensorCount;
        scope = DisposeScope.Enter();
    }

    [TearDown]
    public void CloseScope()
    {
        scope.Dispose();
        // A failed call must not leave a half-made handle behind.
        TorchRuntime.LiveTensorCount.Should().Be(liveBefore);
    }

    [Test]
    public void MatmulShapeMismatchNamesBothShapes()
    {
        Tensor a = Tensor.Ones(2, 3), b = Tensor.Ones(4, 5);
        Action act = () => a.Matmul(b);
        act.Should().Throw<TorchException>().Where(e => e.Message.Contains("2x3") && e.Message.Contains("4x5"))
            .Which.Message.Should().NotContain("frame #", "the C++ backtrace is stripped");
        Action mm = () => Linalg.Mm(a, b);
        mm.Should().Throw<TorchException>().Where(e => e.Message.Contains("2x3") && e.Message.Contains("4x5"));
        // The failure left the thread in a good state: the next call works.
        a.Matmul(Tensor.Ones(3, 1)).ToArray<float>().Should().Equal(3, 3);
    }

    [Test]
    public void ViewOnIncompatibleStrides()
    {
        Tensor t = Tensor.Arange(0, 6, 1).Reshape(2, 3).Transpose(0, 1);
        t.IsContiguous.Should().BeFalse();
        Action act = () => t.View(6);
        act.Should().Throw<TorchException>().WithMessage("*view size is not compatible with input tensor's size and stride*");
        t.Reshape(6).ToArray<float>().Should().Equal(0, 3, 1, 4, 2, 5);
    }

    [Test]
    public void ToArrayWithTheWrongElementType()
    {
        Tensor t = Tensor.Ones(3);
        Action act = () => t.ToArray<double>();
        act.Should().Throw<InvalidOperationException>().Where(e => e.Message.Contains("Float32") && e.Message.Contains("Float64"));
        Action wrongInt = () => Tensor.Arange(3).ToArray<int>();
        wrongInt.Should().Throw<InvalidOperationException>().Where(e => e.Message.Contains("Int64") && e.Message.Contains("Int32"));
        Action wrongCopy = () => t.CopyFrom<long>(new long[] { 1, 2, 3 });
        wrongCopy.Should().Throw<InvalidOperationException>();
    }

    [Test]
    public void FromArrayWithTheWrongElementCount()
    {
        Action act = () => Tensor.FromArray(new float[] { 1, 2, 3, 4, 5 }, 2, 3);
        act.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("5 elements") && e.Message.Contains("[2, 3]") && e.Message.Contains("6"));
        Action bytes = () => Tensor.FromBytes(new byte[7], ScalarType.Float32, new long[] { 2 });
        bytes.Should().Throw<ArgumentException>().WithMessage("*7 bytes*[2]*");
        Action copy = () => Tensor.Zeros(4).CopyFrom<float>(new float[] { 1, 2 });
        copy.Should().Throw<TorchException>().WithMessage("*8 bytes*16*");
    }

    [Test]
    public void NegativeShapes()
    {
        Action zeros = () => Tensor.Zeros(2, -3);
        zeros.Should().Throw<ArgumentException>().WithMessage("*[2, -3]*negative*");
        Action rand = () => Tensor.Randn(new long[] { -1 });
        rand.Should().Throw<ArgumentException>();
        Action reshape = () => Tensor.Ones(6).Reshape(2, -3);
        reshape.Should().Throw<TorchException>().WithMessage("*-3*");
        Action linspace = () => Tensor.Linspace(0, 1, -2);
        linspace.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void OutOfRangeDimensionsAndIndices()
    {
        Tensor t = Tensor.Zeros(3, 4);
        ((Action)(() => t.Select(0, 3))).Should().Throw<TorchException>().WithMessage("*index 3 out of range*");
        ((Action)(() => t.Select(0, -4))).Should().Throw<TorchException>().WithMessage("*out of range*");
        ((Action)(() => t.Select(2, 0))).Should().Throw<TorchException>().WithMessage("*Dimension out of range*");
        ((Action)(() => t.Narrow(1, 2, 3))).Should().Throw<TorchException>().WithMessage("*exceeds dimension size*");
        ((Action)(() => t.Narrow(5, 0, 1))).Should().Throw<TorchException>().WithMessage("*Dimension out of range*");
        using Tensor bad = Tensor.FromArray(new long[] { 0, 7 });
        ((Action)(() => t.IndexSelect(1, bad))).Should().Throw<TorchException>().WithMessage("*out of*bounds*7*");
        using Tensor floatIndex = Tensor.FromArray(new float[] { 0 });
        ((Action)(() => t.IndexSelect(0, floatIndex))).Should().Throw<TorchException>();
        ((Action)(() => t.Size(2))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[3, 4]*");
        // Still usable afterwards.
        t.Select(0, 2).Shape.Should().Equal(4);
    }

    [Test]
    public void CatOfMismatchedShapes()
    {
        Tensor a = Tensor.Zeros(2, 3), b = Tensor.Zeros(2, 4);
        Action act = () => Tensor.Cat(new[] { a, b });
        act.Should().Throw<TorchException>().WithMessage("*Sizes of tensors must match*");
        Tensor.Cat(new[] { a, b }, 1).Shape.Should().Equal(2, 7);
        ((Action)(() => Tensor.Stack(new[] { a, b }))).Should().Throw<TorchException>();
        ((Action)(() => Tensor.Cat(Array.Empty<Tensor>()))).Should().Throw<TorchException>();
    }

    [Test]
    public void CrossEntropyWithATargetOutOfRange()
    {
        Tensor logits = Tensor.Zeros(2, 3);
        using Tensor target = Tensor.FromArray(new long[] { 0, 3 });
        Action act = () => F.CrossEntropy(logits, target);
        act.Should().Throw<TorchException>().WithMessage("*Target 3 is out of bounds*");
        Action smoothed = () => F.CrossEntropy(logits, target, labelSmoothing: 0.1);
        smoothed.Should().Throw<TorchException>().WithMessage("*out of bounds*");
        using Tensor negative = Tensor.FromArray(new long[] { -5, 1 });
        ((Action)(() => F.CrossEntropy(logits, negative))).Should().Throw<TorchException>();
        ((Action)(() => F.CrossEntropy(logits, target, labelSmoothing: 1.5))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Test]
    public void CholeskyOfANonPositiveDefiniteMatrix()
    {
        Tensor a = Tensor.FromArray(new double[,] { { 1, 2 }, { 2, 1 } });
        Action act = () => Linalg.Cholesky(a);
        act.Should().Throw<TorchException>().WithMessage("*positive-definite*");
        Linalg.Cholesky(Tensor.FromArray(new double[,] { { 4, 2 }, { 2, 3 } })).ToArray<double>()
            .Should().Equal(new[] { 2, 0, 1, Math.Sqrt(2) }, (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Test]
    public void DropoutProbabilityOutsideZeroOne()
    {
        Tensor x = Tensor.Ones(4);
        ((Action)(() => F.Dropout(x, 1.5, true))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*[0, 1]*");
        ((Action)(() => F.Dropout(x, -0.1, true))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => new Dropout(2))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => F.ScaledDotProductAttention(x.Reshape(1, 4), x.Reshape(1, 4), x.Reshape(1, 4), dropoutP: 1.1)))
            .Should().Throw<ArgumentOutOfRangeException>();
        F.Dropout(x, 1, true).ToArray<float>().Should().Equal(0, 0, 0, 0);
    }

    [Test]
    public void CudaOnACpuOnlyLibtorch()
    {
        if (TorchRuntime.CudaIsAvailable) Assert.Ignore("This libtorch sees a GPU; the CPU-only failure path cannot be exercised.");
        TorchRuntime.CudaDeviceCount.Should().Be(0);
        Action zeros = () => Tensor.Zeros(new long[] { 2, 2 }, device: Device.Cuda());
        zeros.Should().Throw<TorchException>().WithMessage("*CUDA*");
        Tensor cpu = Tensor.Ones(2);
        ((Action)(() => cpu.To(Device.Cuda()))).Should().Throw<TorchException>().WithMessage("*CUDA*");
        ((Action)(() => Tensor.Randn(new long[] { 2 }, device: Device.Cuda(1)))).Should().Throw<TorchException>();
        ((Action)(() => Tensor.FromArray<float>(new float[] { 1 }, null, Device.Cuda()))).Should().Throw<TorchException>();
        using var linear = new Linear(2, 2);
        ((Action)(() => linear.To(Device.Cuda()))).Should().Throw<TorchException>().WithMessage("*CUDA*");
        linear.Weight.Device.Should().Be(Device.Cpu);
    }

    [Test]
    public void BackwardOnATensorThatDoesNotRequireGrad()
    {
        Tensor x = Tensor.Ones(3);
        Tensor y = x.Mul(2).Sum();
        Action act = () => y.Backward();
        act.Should().Throw<TorchException>().WithMessage("*does not require grad*");
        Tensor leaf = Tensor.Ones(3).RequiresGrad_();
        ((Action)(() => leaf.Mul(2).Backward())).Should().Throw<TorchException>().WithMessage("*grad can be implicitly created only for scalar outputs*");
        ((Action)(() => Autograd.Grad(new[] { leaf.Sum() }, new[] { x }))).Should().Throw<TorchException>();
    }

    [Test]
    public void DisposedGenerator()
    {
        var g = new Generator(1);
        g.Dispose();
        ((Action)(() => Tensor.Randn(new long[] { 2 }, g))).Should().Throw<ObjectDisposedException>();
        ((Action)(() => _ = g.Seed)).Should().Throw<ObjectDisposedException>();
        ((Action)(() => g.GetState())).Should().Throw<ObjectDisposedException>();
        ((Action)(() => Tensor.Zeros(2).Uniform_(0, 1, g))).Should().Throw<ObjectDisposedException>();
        // A constructor that fails must free the parameters it already made (checked in TearDown, without a GC).
        ((Action)(() => new Linear(2, 2, generator: g))).Should().Throw<ObjectDisposedException>();
        ((Action)(() => new Conv2d(2, 2, 3, generator: g))).Should().Throw<ObjectDisposedException>();
        ((Action)(() => new Embedding(2, 2, g))).Should().Throw<ObjectDisposedException>();
        g.Dispose();
    }

    [Test]
    public void GeneratorStateOfTheWrongSize()
    {
        using var g = new Generator(1);
        Tensor state = Tensor.Zeros(new long[] { 10 }, ScalarType.Byte);
        Action act = () => g.SetState(state);
        act.Should().Throw<TorchException>();
        Tensor.Randn(new long[] { 2 }, g).NumberOfElements.Should().Be(2);
    }
}
