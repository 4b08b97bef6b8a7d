namespace TorchZoo.Torch.Tests;

/// <summary>
/// In-place add/sub/mul/div by a scalar. The shim gives float32/float64 CPU tensors that autograd does
/// not record a reused wrapped number instead of ATen's Scalar overload (bench/Foundation: ~5× less
/// overhead); these tests pin that both paths compute exactly what the out-of-place Scalar ops compute.
/// </summary>
public class ScalarInPlaceTests
{
    private static readonly double[] Values = { 0.1, 1.0 / 3.0, -2.5, 1e-3, 1e30 };

    private static Tensor Sample(ScalarType dtype) =>
        Tensor.FromArray(new double[] { 1.5, -0.7, 3.0e-5, 123.456, 0, -1e-20 }).To(dtype);

    private static Tensor InPlace(Tensor x, string op, double v) => op switch
    {
        "add" => x.Add_(v),
        "sub" => x.Sub_(v),
        "mul" => x.Mul_(v),
        _ => x.Div_(v),
    };

    private static Tensor OutOfPlace(Tensor x, string op, double v) => op switch
    {
        "add" => x.Add(v),
        "sub" => x.Sub(v),
        "mul" => x.Mul(v),
        _ => x.Div(v),
    };

    [Test]
    public void InPlaceScalarOpsMatchTheOutOfPlaceOpsBitForBit(
        [Values(ScalarType.Float32, ScalarType.Float64, ScalarType.Float16, ScalarType.BFloat16)] ScalarType dtype,
        [Values("add", "sub", "mul", "div")] string op)
    {
        using var scope = DisposeScope.Enter();
        foreach (double v in Values)
        {
            Tensor x = Sample(dtype);
            Tensor expected = OutOfPlace(x, op, v);
            InPlace(x, op, v).Should().BeSameAs(x);
            x.Dtype.Should().Be(dtype);
            // rtol = atol = 0: equal values, inf equal to inf, NaN (float16: 0·1e30 = 0·inf) equal to NaN.
            x.AllClose(expected, rtol: 0, atol: 0, equalNan: true).Should().BeTrue($"{dtype} {op}_({v}) should equal {op}({v}) exactly");
        }
    }

    [Test]
    public void Float32UsesTheScalarRoundedToFloat32()
    {
        using var x = Tensor.FromArray(new float[] { 3f, 1f });
        x.Mul_(1.0 / 3.0).Add_(0.1);
        float third = (float)(1.0 / 3.0), tenth = (float)0.1;
        x.ToArray<float>().Should().Equal(3f * third + tenth, 1f * third + tenth);
    }

    [Test]
    public void ConsecutiveCallsUseTheirOwnValues()
    {
        using var x = Tensor.FromArray(new double[] { 1, 2 });
        using var y = Tensor.FromArray(new float[] { 1, 2 });
        x.Mul_(2).Add_(0.5).Sub_(1).Div_(4);
        y.Mul_(3).Sub_(0.5);
        x.ToArray<double>().Should().Equal((1 * 2 + 0.5 - 1) / 4, (2 * 2 + 0.5 - 1) / 4);
        y.ToArray<float>().Should().Equal(2.5f, 5.5f);
    }

    [Test]
    public void ThreadsDoNotSeeEachOthersScalars()
    {
        var results = new double[8];
        Parallel.For(0, results.Length, i =>
        {
            using var x = Tensor.Ones(new long[] { 64 }, ScalarType.Float64);
            for (int k = 0; k < 1000; k++) x.Mul_(1.0 + i).Div_(1.0 + i);
            x.Mul_(i);
            using var sum = x.Sum();
            results[i] = sum.Item();
        });
        for (int i = 0; i < results.Length; i++) results[i].Should().BeApproximately(64.0 * i, 1e-9 * 64 * (i + 1));
    }

    [Test]
    public void RecordedOpsStillBackpropagateThroughTheScalar()
    {
        using var w = Tensor.FromArray(new float[] { 1, 2, 3 }).RequiresGrad_();
        using var y = w.Mul(1.0);
        y.Mul_(3).Div_(4).Add_(7).Sub_(1);
        using var loss = y.Sum();
        loss.Backward();
        using var grad = w.Grad!;
        grad.ToArray<float>().Should().Equal(0.75f, 0.75f, 0.75f);
    }

    [Test]
    public void ATenErrorsStillBecomeTorchExceptions()
    {
        using var x = Tensor.FromArray(new long[] { 1, 2 });
        Action act = () => x.Mul_(0.5);
        act.Should().Throw<TorchException>().WithMessage("*can't be cast*");
        using var leaf = Tensor.FromArray(new float[] { 1, 2 }).RequiresGrad_();
        Action inPlaceOnLeaf = () => leaf.Mul_(2);
        inPlaceOnLeaf.Should().Throw<TorchException>().WithMessage("*leaf Variable that requires grad*");
    }
}
