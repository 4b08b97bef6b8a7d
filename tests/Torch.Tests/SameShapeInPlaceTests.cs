namespace TorchZoo.Torch.Tests;

/// <summary>
/// x.Add_(y), x.Sub_(y) and x.Mul_(y) on small same-shape contiguous float tensors that autograd does not record run a
/// loop in the shim instead of ATen's dispatcher (bench/Foundation). These tests pin that the loop gives ATen's bits,
/// that every case outside it still reaches ATen (and ATen's errors), and that autograd still sees the change.
/// </summary>
public class SameShapeInPlaceTests
{
    private static Tensor InPlace(Tensor x, Tensor y, string op) => op switch
    {
        "add" => x.Add_(y),
        "sub" => x.Sub_(y),
        _ => x.Mul_(y),
    };

    private static Tensor OutOfPlace(Tensor x, Tensor y, string op) => op switch
    {
        "add" => x.Add(y),
        "sub" => x.Sub(y),
        _ => x.Mul(y),
    };

    // Random values with the awkward ones mixed in: signed zeros, infinities, NaN, subnormals, huge and tiny.
    private static Tensor Sample(long n, ScalarType dtype, ulong seed)
    {
        using var g = new Generator(seed);
        using var r = Tensor.Randn(new[] { n }, g, ScalarType.Float64);
        double[] v = r.ToArray<double>();
        double[] special = { 0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e-40, -1e-310, 3e38, 1e300, -1.5 };
        for (int i = 0; i < v.Length; i += 5) v[i] = special[(i / 5) % special.Length];
        using var d = Tensor.FromArray(v);
        return d.To(dtype);
    }

    [Test]
    public void MatchesTheOutOfPlaceOpsBitForBit(
        [Values(ScalarType.Float32, ScalarType.Float64)] ScalarType dtype,
        [Values("add", "sub", "mul")] string op,
        [Values(1, 7, 16, 33, 1000, 32768, 32769, 100_000)] long n)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = Sample(n, dtype, 1), y = Sample(n, dtype, 2);
        Tensor expected = OutOfPlace(x, y, op);
        InPlace(x, y, op).Should().BeSameAs(x);
        // Bits, not values: NaN == NaN and -0 != +0 here.
        if (dtype == ScalarType.Float32)
            x.ToArray<float>().Select(BitConverter.SingleToInt32Bits).Should().Equal(expected.ToArray<float>().Select(BitConverter.SingleToInt32Bits));
        else
            x.ToArray<double>().Select(BitConverter.DoubleToInt64Bits).Should().Equal(expected.ToArray<double>().Select(BitConverter.DoubleToInt64Bits));
    }

    [Test]
    public void ATensorWithItselfAndShapedTensorsWork()
    {
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }).Reshape(2, 3);
        x.Add_(x).ToArray<float>().Should().Equal(2, 4, 6, 8, 10, 12);
        x.Mul_(x).ToArray<float>().Should().Equal(4, 16, 36, 64, 100, 144);
        x.Sub_(x).ToArray<float>().Should().Equal(0, 0, 0, 0, 0, 0);
        // Same element count, another shape: ATen refuses to broadcast (3, 2) into (2, 3), and so must the fast path.
        Tensor y = Tensor.Ones(new long[] { 3, 2 });
        FluentActions.Invoking(() => x.Add_(y)).Should().Throw<TorchException>();
    }

    [Test]
    public void NonContiguousBroadcastAndScaledOperandsStillGetATensResult()
    {
        using var scope = DisposeScope.Enter();
        Tensor a = Sample(24, ScalarType.Float32, 3).Reshape(4, 6), b = Sample(24, ScalarType.Float32, 4).Reshape(6, 4).Transpose(0, 1);
        Tensor expected = a.Add(b);
        a.Clone().Add_(b).ToArray<float>().Should().Equal(expected.ToArray<float>());
        Tensor row = Tensor.Arange(6).To(ScalarType.Float32);
        Tensor c = Tensor.Ones(new long[] { 4, 6 });
        c.Add_(row).Sum().Item().Should().Be(4 * (6 + 15));
        Tensor d = Tensor.Ones(new long[] { 5 });
        d.Add_(Tensor.Full(new long[] { 5 }, 2.0), alpha: 0.5).ToArray<float>().Should().Equal(2, 2, 2, 2, 2);
        Tensor mixed = Tensor.Ones(new long[] { 5 }, ScalarType.Float64);
        mixed.Add_(Tensor.Full(new long[] { 5 }, 0.1)).ToArray<double>().Should().AllSatisfy(v => v.Should().Be(1 + (double)0.1f));
    }

    [Test]
    public void PartiallyOverlappingOperandsGetATensError()
    {
        using var scope = DisposeScope.Enter();
        Tensor storage = Tensor.Arange(10).To(ScalarType.Float32);
        Tensor x = storage.Narrow(0, 0, 8), y = storage.Narrow(0, 1, 8);
        FluentActions.Invoking(() => x.Add_(y)).Should().Throw<TorchException>().WithMessage("*single memory location*");
    }

    [Test]
    public void RecordedOpsStillGoThroughAutograd()
    {
        using var scope = DisposeScope.Enter();
        Tensor w = Tensor.FromArray(new float[] { 1, 2, 3 }).RequiresGrad_();
        Tensor x = Tensor.FromArray(new float[] { 10, 20, 30 });
        Tensor h = w.Mul(2.0);   // a non-leaf that requires grad
        h.Add_(x);
        h.Mul_(x);
        h.Sum().Backward();
        w.Grad!.ToArray<float>().Should().Equal(20, 40, 60);
        // In-place on a leaf that requires grad is refused while grad mode is on, and allowed (an optimizer step) without.
        FluentActions.Invoking(() => w.Add_(x)).Should().Throw<TorchException>();
        using (Autograd.NoGrad()) w.Add_(x);
        w.ToArray<float>().Should().Equal(11, 22, 33);
    }

    [Test]
    public void ChangingATensorSavedForBackwardIsDetected()
    {
        using var scope = DisposeScope.Enter();
        Tensor w = Tensor.FromArray(new float[] { 1, 2, 3 }).RequiresGrad_();
        Tensor x = Tensor.FromArray(new float[] { 10, 20, 30 });
        Tensor loss = w.Mul(x).Sum();   // mul saves x for w's gradient
        x.Add_(Tensor.Ones(new long[] { 3 }));
        FluentActions.Invoking(() => loss.Backward()).Should().Throw<TorchException>().WithMessage("*modified by an inplace operation*");
    }
}
