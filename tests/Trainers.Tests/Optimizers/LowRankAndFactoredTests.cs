using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// COSMOS, GaLore AdamW, SMMF and Muon's 8-bit momentum: option validation, state bytes against the formulas in their
/// docs, SMMF's square shapes and packed sign bits, GaLore's projection refresh. (Golden trajectories, resume, leaks and
/// convergence run for them in the generic tests.)
/// </summary>
public class LowRankAndFactoredTests
{
    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> create, string param) =>
            new TestCaseData(create, param).SetName($"Rejects {label}");

        yield return Case("COSMOS Rank = 0", () => new CosmosOptions { Rank = 0 }, "Rank");
        yield return Case("COSMOS Beta1 = 1", () => new CosmosOptions { Beta1 = 1 }, "Beta1");
        yield return Case("COSMOS Beta3 = -0.1", () => new CosmosOptions { Beta3 = -0.1 }, "Beta3");
        yield return Case("COSMOS Eps = 0", () => new CosmosOptions { Eps = 0 }, "Eps");
        yield return Case("COSMOS LearningRateRatio = 0", () => new CosmosOptions { LearningRateRatio = 0 }, "LearningRateRatio");
        yield return Case("COSMOS ResidualScale = -1", () => new CosmosOptions { ResidualScale = -1 }, "ResidualScale");
        yield return Case("COSMOS ResidualTolerance = NaN", () => new CosmosOptions { ResidualTolerance = double.NaN }, "ResidualTolerance");
        yield return Case("COSMOS MaxPreconditionRows = 0", () => new CosmosOptions { MaxPreconditionRows = 0 }, "MaxPreconditionRows");
        yield return Case("COSMOS NewtonSchulzSteps = 0", () => new CosmosOptions { NewtonSchulzSteps = 0 }, "NewtonSchulzSteps");
        yield return Case("COSMOS LearningRate = -1", () => new CosmosOptions { LearningRate = -1 }, "LearningRate");
        yield return Case("GaLore Rank = 0", () => new GaLoreAdamWOptions { Rank = 0 }, "Rank");
        yield return Case("GaLore ProjectionUpdateInterval = 0", () => new GaLoreAdamWOptions { ProjectionUpdateInterval = 0 }, "ProjectionUpdateInterval");
        yield return Case("GaLore Scale = 0", () => new GaLoreAdamWOptions { Scale = 0 }, "Scale");
        yield return Case("GaLore Beta2 = 1", () => new GaLoreAdamWOptions { Beta2 = 1 }, "Beta2");
        yield return Case("SMMF Beta1 = 1", () => new SmmfOptions { Beta1 = 1 }, "Beta1");
        yield return Case("SMMF GrowthRate = 1.5", () => new SmmfOptions { GrowthRate = 1.5 }, "GrowthRate");
        yield return Case("SMMF DecayRate = 0.5", () => new SmmfOptions { DecayRate = 0.5 }, "DecayRate");
        yield return Case("SMMF DecayRate = -2", () => new SmmfOptions { DecayRate = -2 }, "DecayRate");
        yield return Case("SMMF Eps = 0", () => new SmmfOptions { Eps = 0 }, "Eps");
        yield return Case("SMMF WeightDecay = -1", () => new SmmfOptions { WeightDecay = -1 }, "WeightDecay");
        yield return Case("Muon StateDtype out of range", () => new MuonOptions { StateDtype = (OptimizerStateDtype)7 }, "StateDtype");
        yield return Case("Muon QuantizationBlockSize = 0", () => new MuonOptions { QuantizationBlockSize = 0 }, "QuantizationBlockSize");
        yield return Case("Muon MinQuantizedSize = -1", () => new MuonOptions { MinQuantizedSize = -1 }, "MinQuantizedSize");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidValueNamesTheField(Func<OptimizerOptions> create, string param)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(param);
    }

    [Test]
    public void RegistryKnowsCosmosGaLoreAndSmmf()
    {
        OptimizerRegistry.Create("cosmos").Should().BeOfType<CosmosOptions>();
        OptimizerRegistry.Create("galore_adamw").Should().BeOfType<GaLoreAdamWOptions>();
        OptimizerRegistry.Create("smmf").Should().BeOfType<SmmfOptions>();
    }

    private const long Rows = 512, Cols = 1024, N = Rows * Cols;

    private static long StateBytesAfterOneStep(OptimizerOptions options)
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { Rows, Cols }));
        using Optimizer optimizer = options.Create(new[] { new NamedParameter("blocks.0.mlp.fc1.weight", p) });
        p.Grad = Tensor.Randn(new[] { Rows, Cols });
        optimizer.Step();
        return optimizer.StateBytes;
    }

    public static IEnumerable<TestCaseData> StateBytesCases()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> options, long expected) =>
            new TestCaseData(options, expected).SetName($"State bytes of {label}");

        const long r = 64;
        yield return Case("COSMOS r=64 (M + V m×r + P n×r + S r×r)", () => new CosmosOptions(), 4 * N + 4 * Rows * r + 4 * Cols * r + 4 * r * r);
        yield return Case("GaLore r=128 (m, v r×n + P m×r)", () => new GaLoreAdamWOptions(), 8 * 128 * Cols + 4 * Rows * 128);
        // 524288 = 1024 × 512: two pairs of factors and one bit per element.
        yield return Case("SMMF (factors + 1 bit)", () => new SmmfOptions(), 8 * (1024 + 512) + N / 8);
        yield return Case("SMMF without momentum (V factors)", () => new SmmfOptions { Beta1 = 0 }, 4 * (1024 + 512));
        yield return Case("Muon 8-bit (1 per parameter + absmax)", () => new MuonOptions { StateDtype = OptimizerStateDtype.Int8Blockwise }, N + 4 * ((N + 2047) / 2048));
        yield return Case("Muon (4 per parameter)", () => new MuonOptions(), 4 * N);
    }

    [TestCaseSource(nameof(StateBytesCases))]
    public void StateBytesMatchTheory(Func<OptimizerOptions> options, long expected) =>
        StateBytesAfterOneStep(options()).Should().Be(expected);

    [TestCase(16, 4, 4)]
    [TestCase(12, 4, 3)]
    [TestCase(13, 13, 1)]
    [TestCase(1, 1, 1)]
    [TestCase(32, 8, 4)]
    [TestCase(524288, 1024, 512)]
    [TestCase(999_999, 1001, 999)]
    public void SmmfViewsTensorsAsNearSquareMatrices(long count, long rows, long cols)
    {
        SmmfOptions.SquareShape(count).Should().Be((rows, cols));
        (rows * cols).Should().Be(count);
    }

    [Test]
    public void SignBitsRoundTripAnyLength()
    {
        using var scope = DisposeScope.Enter();
        Tensor mask = Tensor.Randn(new[] { 3L, 7 }).Gt(0);
        Tensor packed = SignBits.Pack(mask);
        packed.Dtype.Should().Be(ScalarType.Byte);
        packed.NumberOfElements.Should().Be(3);
        SignBits.Unpack(packed, new[] { 3L, 7 }).Equal(mask).Should().BeTrue();
    }

    [Test]
    public void SmmfKeepsTheSignOfTheMomentumInPackedBits()
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { 6L, 5 }));
        using var optimizer = (Smmf)new SmmfOptions().Create(new[] { p });
        Tensor g = Tensor.Randn(new[] { 6L, 5 });
        p.Grad = g;
        optimizer.Step();
        ParameterState s = optimizer.StateOf(p);
        s.Get("exp_avg_sign").Dtype.Should().Be(ScalarType.Byte);
        s.Get("exp_avg_sign").NumberOfElements.Should().Be(4);
        // After one step M = (1 − β1)·G, so the stored signs are those of G in the (6, 5) square view.
        SignBits.Unpack(s.Get("exp_avg_sign"), new[] { 6L, 5 }).Equal(g.Gt(0)).Should().BeTrue();
        s.Get("exp_avg_col").Sum().Item().Should().BeApproximately(1.0, 1e-6, "the column factor is normalized");
    }

    [Test]
    public void GaLoreRecomputesItsProjectionFromTheGradientEveryTSteps()
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { 12L, 6 }));
        using var optimizer = (GaLoreAdamW)new GaLoreAdamWOptions { Rank = 2, ProjectionUpdateInterval = 3 }.Create(new[] { p });
        var projections = new List<Tensor>();
        Tensor? fourth = null;
        for (int step = 1; step <= 4; step++)
        {
            Tensor g = Tensor.Randn(new[] { 12L, 6 });
            if (step == 4) fourth = g;
            p.Grad = g;
            optimizer.Step();
            projections.Add(optimizer.StateOf(p).Get("projection").Clone());
        }
        projections[0].Equal(projections[2]).Should().BeTrue("the projection is fixed within an interval");
        projections[2].Equal(projections[3]).Should().BeFalse("step T + 1 recomputes it");
        // rows ≥ cols: P holds the two leading right singular vectors of the step-4 gradient (6×2).
        var (_, _, vh) = Linalg.Svd(fourth!);
        projections[3].Shape.Should().Equal(6, 2);
        projections[3].AllClose(vh.Narrow(0, 0, 2).MT, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        optimizer.StateOf(p).Get("exp_avg").Shape.Should().Equal(12, 2);
    }

    [Test]
    public void EightBitMuonStoresItsMomentumAsBytes()
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { 64L, 128 }));
        using var optimizer = new MuonOptions { StateDtype = OptimizerStateDtype.Int8Blockwise }.Create(new[] { new NamedParameter("blocks.0.fc.weight", p) });
        p.Grad = Tensor.Randn(new[] { 64L, 128 });
        optimizer.Step();
        using OptimizerState state = optimizer.StateDict();
        state.Tensors.Keys.Should().Contain(k => k.EndsWith("momentum_buffer.codes")).And.NotContain(k => k.EndsWith("momentum_buffer"));
        state.Tensors.Single(kv => kv.Key.EndsWith("momentum_buffer.codes")).Value.Dtype.Should().Be(ScalarType.Byte);
    }
}
