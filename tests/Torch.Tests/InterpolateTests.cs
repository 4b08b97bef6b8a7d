using TorchZoo.Torch.NN;
using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// Functional.Interpolate on values worked out by hand (PyTorch-compared values live in the Extensions tests'
/// golden data, tests/golden/make_image_values.py).
/// </summary>
public class InterpolateTests
{
    private DisposeScope scope = null!;

    [SetUp]
    public void OpenScope() => scope = DisposeScope.Enter();

    [TearDown]
    public void CloseScope() => scope.Dispose();

    [Test]
    public void NearestDoublesEachPixel()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        Tensor y = F.Interpolate(x, new long[] { 4, 4 }, InterpolationMode.Nearest);
        y.Shape.Should().Equal(1, 1, 4, 4);
        y.ToArray<float>().Should().Equal(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    }

    [Test]
    public void BilinearHalfPixelCentres()
    {
        // align_corners=False: output x maps to source (x + 0.5)·in/out − 0.5, clamped at 0.
        // in 2 → out 4: sources −0.25→0, 0.25, 0.75, 1.25→1 (clamped to the last pixel).
        Tensor x = Tensor.FromArray(new float[] { 0, 4 }, 1, 1, 1, 2);
        F.Interpolate(x, new long[] { 1, 4 }, InterpolationMode.Linear).ToArray<float>().Should().Equal(0, 1, 3, 4);
        // align_corners=True: 0, 4/3, 8/3, 4.
        float[] aligned = F.Interpolate(x, new long[] { 1, 4 }, InterpolationMode.Linear, alignCorners: true).ToArray<float>();
        aligned.Should().BeEquivalentTo(new[] { 0f, 4f / 3, 8f / 3, 4f }, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-6f)).WhenTypeIs<float>());
    }

    [Test]
    public void AreaAveragesBlocks()
    {
        Tensor x = Tensor.FromArray(new float[] { 1, 3, 5, 7 }, 1, 1, 4);
        F.Interpolate(x, new long[] { 2 }, InterpolationMode.Area).ToArray<float>().Should().Equal(2, 6);
    }

    [Test]
    public void BadArgumentsExplainThemselves()
    {
        Tensor x = Tensor.Ones(1, 1, 2, 2);
        Action zero = () => F.Interpolate(x, new long[] { 0, 2 });
        zero.Should().Throw<ArgumentOutOfRangeException>().WithMessage("Interpolation output sizes must be positive.*");
        Action rank = () => F.Interpolate(x, new long[] { 3 });
        rank.Should().Throw<TorchException>().WithMessage("*1 output sizes for 2 spatial dimensions*");
        Action flat = () => F.Interpolate(Tensor.Ones(4), new long[] { 2 });
        flat.Should().Throw<TorchException>().WithMessage("*expects a 3-D, 4-D or 5-D input*");
        Action corners = () => F.Interpolate(x, new long[] { 3, 3 }, InterpolationMode.Nearest, alignCorners: true);
        corners.Should().Throw<ArgumentException>().WithMessage("alignCorners applies to the linear and cubic modes, not Nearest.*");
    }
}
