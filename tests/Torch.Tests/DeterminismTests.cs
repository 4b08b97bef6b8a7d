using TorchZoo.Torch.NN;
using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>One seed makes CPU randomness and training bitwise repeatable at a fixed thread count.</summary>
public class DeterminismTests
{
    private DisposeScope scope = null!;
    private int threads;

    [SetUp]
    public void SetUp()
    {
        threads = TorchRuntime.NumThreads;
        scope = DisposeScope.Enter();
    }

    [TearDown]
    public void TearDown()
    {
        scope.Dispose();
        TorchRuntime.NumThreads = threads;
    }

    private static uint[] Bits(Tensor t) => t.To(ScalarType.Float32).ToArray<float>().Select(BitConverter.SingleToUInt32Bits).ToArray();

    /// <summary>Every kind of draw the binding offers from the default generator, concatenated as raw bits.</summary>
    private static List<uint> DrawFromDefault()
    {
        var all = new List<uint>();
        all.AddRange(Bits(Tensor.Randn(new long[] { 100 })));
        all.AddRange(Bits(Tensor.Rand(new long[] { 37 })));
        all.AddRange(Bits(Tensor.RandInt(0, 1000, new long[] { 20 })));
        all.AddRange(Bits(Tensor.RandPerm(50)));
        all.AddRange(Bits(Tensor.Empty(new long[] { 33 }).Normal_(1, 2)));
        all.AddRange(Bits(Tensor.Empty(new long[] { 33 }).Bernoulli_(0.3)));
        all.AddRange(Bits(F.Dropout(Tensor.Ones(64), 0.5, true)));
        all.AddRange(Bits(Tensor.Randn(new long[] { 3 }, dtype: ScalarType.Float64)));
        return all;
    }

    [Test]
    public void ManualSeedRepeatsEveryDrawBitwise()
    {
        TorchRuntime.ManualSeed(42);
        var first = DrawFromDefault();
        TorchRuntime.ManualSeed(42);
        var second = DrawFromDefault();
        TorchRuntime.ManualSeed(43);
        var other = DrawFromDefault();

        second.Should().Equal(first);
        other.Should().NotEqual(first);
        // Not a constant sequence either.
        first.Distinct().Count().Should().BeGreaterThan(first.Count / 3);
    }

    [Test]
    public void GeneratorsWithTheSameSeedAgreeWhateverElseDraws()
    {
        using var a = new Generator(7);
        using var b = new Generator(7);
        using var c = new Generator(8);
        a.Seed.Should().Be(7UL);

        uint[] fromA = Bits(Tensor.Randn(new long[] { 64 }, a));
        Tensor.Randn(new long[] { 1000 }); // the default generator moving must not matter
        uint[] fromB = Bits(Tensor.Randn(new long[] { 64 }, b));
        uint[] fromC = Bits(Tensor.Randn(new long[] { 64 }, c));

        fromB.Should().Equal(fromA);
        fromC.Should().NotEqual(fromA);

        // Reseeding restarts the sequence.
        a.ManualSeed(7);
        Bits(Tensor.Randn(new long[] { 64 }, a)).Should().Equal(fromA);
        Bits(Tensor.Randn(new long[] { 64 }, a)).Should().NotEqual(fromA, "the second draw continues the sequence");
    }

    [Test]
    public void GeneratorStateReplaysTheSameSequence()
    {
        using var g = new Generator(99);
        Tensor.Rand(new long[] { 5 }, g); // advance somewhere arbitrary
        Tensor.Randn(new long[] { 3 }, g); // leaves a cached normal sample in some implementations
        Tensor state = g.GetState();
        state.Dtype.Should().Be(ScalarType.Byte);

        uint[] first = Bits(Tensor.Randn(new long[] { 17 }, g)).Concat(Bits(Tensor.Rand(new long[] { 9 }, g)))
            .Concat(Bits(Tensor.RandPerm(20, g))).ToArray();
        g.SetState(state);
        uint[] replay = Bits(Tensor.Randn(new long[] { 17 }, g)).Concat(Bits(Tensor.Rand(new long[] { 9 }, g)))
            .Concat(Bits(Tensor.RandPerm(20, g))).ToArray();
        replay.Should().Equal(first);

        // A state moves between generators too.
        using var other = new Generator(1);
        other.SetState(state);
        Bits(Tensor.Randn(new long[] { 17 }, other)).Should().Equal(first.Take(17));
    }

    /// <summary>50 SGD-with-momentum steps of a small MLP with dropout; returns the final parameters and losses as raw bits.</summary>
    private static (List<uint> Parameters, List<uint> Losses) Train(ulong seed)
    {
        TorchRuntime.ManualSeed(seed); // dropout draws from the default generator
        var g = new Generator(seed);
        using var model = new Sequential(new Linear(10, 32, generator: g), new Gelu(), new Dropout(0.2), new LayerNorm(32), new Linear(32, 3, generator: g));
        var parameters = model.Parameters().ToList();
        var momentum = parameters.Select(p => p.ZerosLike().DetachFromDisposeScope()).ToList();
        using Tensor x = Tensor.Randn(new long[] { 128, 10 }, g).DetachFromDisposeScope();
        using Tensor target = Tensor.RandInt(0, 3, new long[] { 128 }, g).DetachFromDisposeScope();
        var losses = new List<uint>();
        try
        {
            for (int step = 0; step < 50; step++)
            {
                using var s = DisposeScope.Enter();
                using Tensor idx = Tensor.RandPerm(128, g).Narrow(0, 0, 32);
                Tensor loss = F.CrossEntropy(model.Forward(x.IndexSelect(0, idx)), target.IndexSelect(0, idx), labelSmoothing: 0.05);
                loss.Backward();
                using (Autograd.NoGrad())
                    for (int i = 0; i < parameters.Count; i++)
                    {
                        momentum[i].Mul_(0.9).Add_(parameters[i].Grad!);
                        parameters[i].Sub_(momentum[i], 0.05);
                    }
                model.ZeroGrad();
                losses.Add(BitConverter.SingleToUInt32Bits(loss.ItemSingle()));
            }
            return (parameters.SelectMany(p => Bits(p)).ToList(), losses);
        }
        finally
        {
            foreach (Tensor m in momentum) m.Dispose();
        }
    }

    [Test]
    public void TheShimsOwnParallelLoopsUseLibtorchsThreads()
    {
        // The fused optimizer steps and the packed attention split work with at::parallel_for inside the shim; built
        // without OpenMP they would run on one thread whatever the setting (they did, until this test).
        foreach (int n in new[] { 1, 2, 3 })
        {
            TorchRuntime.NumThreads = n;
            TorchRuntime.NativeLoopThreads.Should().Be(n, $"with {n} libtorch threads");
        }
    }

    [Test]
    public void TrainingIsBitwiseRepeatableAtAFixedThreadCount()
    {
        TorchRuntime.NumThreads = 2;
        var first = Train(2024);
        var second = Train(2024);
        TorchRuntime.NumThreads = 1;
        var single = Train(2024);
        var other = Train(2025);

        second.Parameters.Should().Equal(first.Parameters);
        second.Losses.Should().Equal(first.Losses);
        other.Parameters.Should().NotEqual(first.Parameters);
        other.Losses.Should().NotEqual(first.Losses);

        // The run learned something (so the comparison is about a real trajectory).
        float firstLoss = BitConverter.UInt32BitsToSingle(first.Losses[0]);
        float lastLoss = BitConverter.UInt32BitsToSingle(first.Losses[^1]);
        lastLoss.Should().BeLessThan(firstLoss);
        // One thread takes the same path up to rounding: not required bitwise, but close.
        BitConverter.UInt32BitsToSingle(single.Losses[^1]).Should().BeApproximately(lastLoss, 1e-2f);
    }
}
