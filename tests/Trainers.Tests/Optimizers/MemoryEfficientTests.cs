using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// The memory-efficient family: option validation, state bytes against the theory, Adafactor's clipping direction,
/// APOLLO's seeded projections, the 8-bit quantizer and Adam-mini's fused q/k/v blocks.
/// </summary>
public class MemoryEfficientTests
{
    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> create, string param) =>
            new TestCaseData(create, param).SetName($"Rejects {label}");

        yield return Case("Adafactor Eps1 = 0", () => new AdafactorOptions { Eps1 = 0 }, "Eps1");
        yield return Case("Adafactor ClipThreshold = 0", () => new AdafactorOptions { ClipThreshold = 0 }, "ClipThreshold");
        yield return Case("Adafactor DecayRate = 0.8", () => new AdafactorOptions { DecayRate = 0.8 }, "DecayRate");
        yield return Case("Adafactor Beta1 = 1", () => new AdafactorOptions { Beta1 = 1 }, "Beta1");
        yield return Case("Adafactor MinDimensionToFactor = 0", () => new AdafactorOptions { MinDimensionToFactor = 0 }, "MinDimensionToFactor");
        yield return Case("CAME Beta3 = 1", () => new CameOptions { Beta3 = 1 }, "Beta3");
        yield return Case("CAME Eps2 = -1", () => new CameOptions { Eps2 = -1 }, "Eps2");
        yield return Case("AdaLomo Eps2 = 0", () => new AdaLomoOptions { Eps2 = 0 }, "Eps2");
        yield return Case("AdaLomo DecayRate = -2", () => new AdaLomoOptions { DecayRate = -2 }, "DecayRate");
        yield return Case("Adam-mini HeadCount = -1", () => new AdamMiniOptions { HeadCount = -1 }, "HeadCount");
        yield return Case("Adam-mini QueryKeyPattern = '('", () => new AdamMiniOptions { QueryKeyPattern = "(" }, "QueryKeyPattern");
        yield return Case("Adam-mini QkvPattern = null", () => new AdamMiniOptions { QkvPattern = null! }, "QkvPattern");
        yield return Case("Coupled Adam EmbeddingPattern = '['", () => new CoupledAdamOptions { EmbeddingPattern = "[" }, "EmbeddingPattern");
        yield return Case("APOLLO Rank = 0", () => new ApolloOptions { Rank = 0 }, "Rank");
        yield return Case("APOLLO Scale = 0", () => new ApolloOptions { Scale = 0 }, "Scale");
        yield return Case("APOLLO ProjectionUpdateInterval = 0", () => new ApolloOptions { ProjectionUpdateInterval = 0 }, "ProjectionUpdateInterval");
        yield return Case("APOLLO NormGrowthRate = 1", () => new ApolloOptions { NormGrowthRate = 1 }, "NormGrowthRate");
        yield return Case("APOLLO Seed = -1", () => new ApolloOptions { Seed = -1 }, "Seed");
        yield return Case("APOLLO ScaleType out of range", () => new ApolloOptions { ScaleType = (ApolloScaleType)5 }, "ScaleType");
        yield return Case("APOLLO-Mini Beta2 = 1", () => new ApolloMiniOptions { Beta2 = 1 }, "Beta2");
        yield return Case("AdamW-SN SubsetSize = -1", () => new SubsetNormAdamOptions { SubsetSize = -1 }, "SubsetSize");
        yield return Case("AdamW StateDtype out of range", () => new AdamWOptions { StateDtype = (OptimizerStateDtype)9 }, "StateDtype");
        yield return Case("AdamW QuantizationBlockSize = 0", () => new AdamWOptions { QuantizationBlockSize = 0 }, "QuantizationBlockSize");
        yield return Case("Lion MinQuantizedSize = -1", () => new LionOptions { MinQuantizedSize = -1 }, "MinQuantizedSize");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidValueNamesTheField(Func<OptimizerOptions> create, string param)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(param);
    }

    [Test]
    public void RegistryKnowsTheMemoryEfficientFamily()
    {
        foreach (string name in new[] { "adafactor", "came", "adalomo", "adam_mini", "coupled_adam", "apollo", "apollo_mini", "adamw_sn" })
            OptimizerRegistry.Contains(name).Should().BeTrue(name);
    }

    private const long Rows = 512, Cols = 1024;

    /// <summary>Bytes of state after one step on one parameter named <paramref name="name"/> of shape (rows, cols).</summary>
    private static long StateBytesAfterOneStep(OptimizerOptions options, long rows = Rows, long cols = Cols, string name = "blocks.0.mlp.fc1.weight")
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { rows, cols }));
        using Optimizer optimizer = options.Create(new[] { new NamedParameter(name, p) });
        p.Grad = Tensor.Randn(new[] { rows, cols });
        optimizer.Step();
        return optimizer.StateBytes;
    }

    public static IEnumerable<TestCaseData> StateBytesCases()
    {
        const long n = Rows * Cols;
        long blocks = (n + 2047) / 2048;
        TestCaseData Case(string label, Func<OptimizerOptions> options, long expected) =>
            new TestCaseData(options, expected).SetName($"State bytes of {label}");

        yield return Case("AdamW (8 per parameter)", () => new AdamWOptions(), 8 * n);
        yield return Case("AdamW 8-bit (2 per parameter + absmax)", () => new AdamWOptions { StateDtype = OptimizerStateDtype.Int8Blockwise }, 2 * n + 2 * 4 * blocks);
        yield return Case("Lion 8-bit (1 per parameter + absmax)", () => new LionOptions { StateDtype = OptimizerStateDtype.Int8Blockwise }, n + 4 * blocks);
        yield return Case("Adafactor (row + column)", () => new AdafactorOptions(), 4 * (Rows + Cols));
        yield return Case("Adafactor with momentum", () => new AdafactorOptions { Beta1 = 0.9 }, 4 * n + 4 * (Rows + Cols));
        yield return Case("CAME (m + two factored pairs)", () => new CameOptions(), 4 * n + 8 * (Rows + Cols));
        yield return Case("AdaLomo (row + column)", () => new AdaLomoOptions(), 4 * (Rows + Cols));
        yield return Case("Adam-mini (m + one v per row)", () => new AdamMiniOptions(), 4 * n + 4 * Rows);
        yield return Case("APOLLO r=256 (m, v of r × cols)", () => new ApolloOptions(), 8 * 256 * Cols);
        yield return Case("APOLLO-Mini (m, v of 1 × cols)", () => new ApolloMiniOptions(), 8 * Cols);
        yield return Case("AdamW-SN (m + one v per column)", () => new SubsetNormAdamOptions(), 4 * n + 4 * Cols);
        yield return Case("Coupled Adam off the embedding (AdamW's 8)", () => new CoupledAdamOptions(), 8 * n);
    }

    [TestCaseSource(nameof(StateBytesCases))]
    public void StateBytesMatchTheory(Func<OptimizerOptions> options, long expected) =>
        StateBytesAfterOneStep(options()).Should().Be(expected);

    [Test]
    public void CoupledAdamStoresOneSecondMomentPerEmbeddingColumn()
    {
        StateBytesAfterOneStep(new CoupledAdamOptions(), 1000, 64, "embed.weight").Should().Be(4 * 1000 * 64 + 4 * 64);
    }

    [Test]
    public void SmallTensorsKeepFloat32StatesUnderTheQuantizedOption()
    {
        StateBytesAfterOneStep(new AdamWOptions { StateDtype = OptimizerStateDtype.Int8Blockwise }, 32, 64).Should().Be(8 * 32 * 64);
    }

    [Test]
    public void EightBitStatesAreStoredAsBytes()
    {
        using var p = new Parameter(Tensor.Randn(new[] { 64L, 128 }));
        using var optimizer = (AdamW)new AdamWOptions { StateDtype = OptimizerStateDtype.Int8Blockwise }.Create(new[] { p });
        p.Grad = Tensor.Randn(new[] { 64L, 128 });
        optimizer.Step();
        ParameterState s = optimizer.StateOf(p);
        s.Get("exp_avg.codes").Dtype.Should().Be(ScalarType.Byte);
        s.Get("exp_avg_sq.codes").Dtype.Should().Be(ScalarType.Byte);
        s.Get("exp_avg.absmax").NumberOfElements.Should().Be(4);
        s.Tensors.Keys.Should().NotContain("exp_avg");
    }

    [Test]
    public void DynamicMapsHave256SortedValuesFromMinusOneToOne()
    {
        foreach (bool signed in new[] { true, false })
        {
            IReadOnlyList<float> map = BlockwiseQuantization.Map(signed);
            map.Should().HaveCount(256).And.BeInAscendingOrder().And.OnlyHaveUniqueItems().And.Contain(0f).And.Contain(1f);
            map[0].Should().Be(signed ? -map.Where(v => v > 0 && v < 1).Max() : 0f);
        }
    }

    [Test]
    public void QuantizationRoundTripsWithinTheMapsResolution()
    {
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Randn(new[] { 5000L });
        var (codes, absmax) = BlockwiseQuantization.Quantize(x, signed: true);
        codes.Dtype.Should().Be(ScalarType.Byte);
        absmax.NumberOfElements.Should().Be(3);
        Tensor back = BlockwiseQuantization.Dequantize(codes, absmax, signed: true, x.Shape);
        // Values near the block maximum are coded with a step ≤ 0.9/64 of the absmax; relative error stays small.
        Tensor big = x.Abs().Gt(0.5);
        double worst = back.Sub(x).Abs().MaskedSelect(big).Max().Item();
        worst.Should().BeLessThan(0.9 / 64 / 2 * absmax.Max().Item() + 1e-6);
        // The block maxima are exact (they map to ±1·absmax, or to the largest negative code).
        back.Abs().Max().Item().Should().BeApproximately(x.Abs().Max().Item(), 0.02 * x.Abs().Max().Item());
    }

    [TestCase(0.5, 0.5)]
    [TestCase(4.0, 1.0)]
    public void AdafactorClippingOnlyShrinksUpdates(double threshold, double expectedRms)
    {
        // A rank-1 gradient is factored exactly at step 1 (β̂ = 0), so U = sign(G) with RMS 1. Clipping with d = 0.5 must
        // halve it; with d = 4 it must leave it alone (the inverted clip of pytorch-optimizer 3.9 would scale it up to 4).
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Zeros(new[] { 6L, 5 }));
        var options = new AdafactorOptions { ClipThreshold = threshold, RelativeStep = false, ScaleParameter = false, LearningRate = 1.0, Eps1 = 1e-30 };
        using Optimizer optimizer = options.Create(new[] { p });
        Tensor a = Tensor.FromArray(new float[] { 1, -2, 3, 0.5f, -1, 2 }), b = Tensor.FromArray(new float[] { 0.3f, 1, -0.7f, 2, 1.5f });
        p.Grad = Linalg.Outer(a, b);
        optimizer.Step();
        double rms = p.Square().Mean().Sqrt().Item();
        rms.Should().BeApproximately(expectedRms, 1e-5);
        p.Sign().Equal(p.Grad.Sign().Neg()).Should().BeTrue("the step is −Û, with Û = sign(G) scaled");
    }

    [Test]
    public void ApolloRegeneratesItsProjectionFromTheSeedEveryTSteps()
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { 16L, 8 }));
        using var optimizer = (Apollo)new ApolloOptions { Rank = 3, ProjectionUpdateInterval = 4, Seed = 10 }.Create(new[] { p });
        var seeds = new List<long>();
        var projections = new List<Tensor>();
        for (int step = 1; step <= 9; step++)
        {
            p.Grad = Tensor.Randn(new[] { 16L, 8 });
            optimizer.Step();
            seeds.Add((long)optimizer.StateOf(p).GetScalar("seed"));
            projections.Add(optimizer.ProjectionOf(p));
        }
        long s0 = 10 + 1;   // base seed + 1-based position
        long s1 = ApolloOptions.NextSeed(s0), s2 = ApolloOptions.NextSeed(s1);
        seeds.Should().Equal(s0, s0, s0, s0, s1, s1, s1, s1, s2);
        projections[0].Equal(projections[3]).Should().BeTrue("the projection is fixed within an interval");
        projections[3].Equal(projections[4]).Should().BeFalse("a new projection starts at step T + 1");

        // The projection is N(0, 1/r) noise drawn from the seed alone: r × cols because rows ≥ cols.
        using var generator = new Generator((ulong)s1);
        Tensor expected = Tensor.Randn(new[] { 3L, 8 }, generator).Div_(Math.Sqrt(3));
        projections[4].Equal(expected).Should().BeTrue();
    }

    [Test]
    public void ApolloProjectionSurvivesSaveAndLoad()
    {
        using var scope = DisposeScope.Enter();
        using var p = new Parameter(Tensor.Randn(new[] { 8L, 12 }));
        var options = new ApolloOptions { Rank = 2, ProjectionUpdateInterval = 2 };
        using var first = (Apollo)options.Create(new[] { p });
        for (int i = 0; i < 3; i++)
        {
            p.Grad = Tensor.Randn(new[] { 8L, 12 });
            first.Step();
        }
        using OptimizerState saved = first.StateDict();
        saved.Scalars.Should().ContainKey("0.0.seed");
        using var q = new Parameter(p.Clone());
        using var second = (Apollo)options.Create(new[] { q });
        second.LoadStateDict(saved);
        second.ProjectionOf(q).Equal(first.ProjectionOf(p)).Should().BeTrue();
    }

    [Test]
    public void AdamMiniFusedQkvEqualsSeparateQueryKeyValue()
    {
        using var scope = DisposeScope.Enter();
        const int heads = 2;
        const long d = 4, n = 6;
        Tensor w0 = Tensor.Randn(new[] { 3 * d, n });
        using var fused = new Parameter(w0.Clone());
        using var q = new Parameter(w0.Narrow(0, 0, d).Clone());
        using var k = new Parameter(w0.Narrow(0, d, d).Clone());
        using var v = new Parameter(w0.Narrow(0, 2 * d, d).Clone());
        var options = new AdamMiniOptions { HeadCount = heads, LearningRate = 0.01 };
        using Optimizer a = options.Create(new[] { new NamedParameter("attn.qkv.weight", fused) });
        using Optimizer b = options.Create(new[] { new NamedParameter("attn.q.weight", q), new NamedParameter("attn.k.weight", k), new NamedParameter("attn.v.weight", v) });
        for (int step = 0; step < 3; step++)
        {
            Tensor g = Tensor.Randn(new[] { 3 * d, n });
            fused.Grad = g;
            q.Grad = g.Narrow(0, 0, d).Contiguous();
            k.Grad = g.Narrow(0, d, d).Contiguous();
            v.Grad = g.Narrow(0, 2 * d, d).Contiguous();
            a.Step();
            b.Step();
        }
        Tensor.Cat(new Tensor[] { q, k, v }).AllClose(fused, rtol: 1e-6, atol: 1e-7).Should().BeTrue();
        // 2 + 2 head scalars and 4 per-row scalars for v.
        a.StateBytes.Should().Be(4 * 3 * d * n + 4 * (heads + heads + d));
    }

    [Test]
    public void AdamMiniRejectsAHeadCountThatDoesNotDivideTheRows()
    {
        using var p = new Parameter(Tensor.Zeros(new[] { 6L, 4 }));
        Action create = () => new AdamMiniOptions { HeadCount = 4 }.Create(new[] { new NamedParameter("layer.q_proj.weight", p) });
        create.Should().Throw<ArgumentException>().WithMessage("*q_proj*HeadCount*");
    }

    [Test]
    public void CoupledAdamSharesOneStepSizePerColumnAcrossTokens()
    {
        using var scope = DisposeScope.Enter();
        using var e = new Parameter(Tensor.Zeros(new[] { 5L, 3 }));
        using var w = new Parameter(Tensor.Zeros(new[] { 5L, 3 }));
        using var optimizer = (CoupledAdam)new CoupledAdamOptions { WeightDecay = 0, LearningRate = 0.1 }
            .Create(new[] { new NamedParameter("embed.weight", e), new NamedParameter("proj.weight", w) });
        optimizer.IsCoupled(e).Should().BeTrue();
        optimizer.IsCoupled(w).Should().BeFalse();
        // Only token 0 has a gradient: plain Adam would move it by lr·sign(g); coupled, its step is divided by the
        // root-mean over the vocabulary, i.e. √5 times larger.
        Tensor g = Tensor.Zeros(new[] { 5L, 3 });
        g.Select(0, 0).Fill_(1.0);
        e.Grad = g;
        w.Grad = g.Clone();
        optimizer.Step();
        e.Select(0, 0).Max().Item().Should().BeApproximately(-0.1 * Math.Sqrt(5), 1e-5);
        w.Select(0, 0).Max().Item().Should().BeApproximately(-0.1, 1e-5);
    }
}
