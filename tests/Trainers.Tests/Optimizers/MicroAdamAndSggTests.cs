using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// MicroAdam and the SGG wrapper beyond the golden trajectories: option validation, state bytes, the error-feedback
/// quantizer, that dropped coordinates come back through the error feedback, and that SGG scales exactly the inner
/// update of each group.
/// </summary>
public class MicroAdamAndSggTests
{
    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> create, string param) =>
            new TestCaseData(create, param).SetName($"Rejects {label}");

        yield return Case("MicroAdam Density = 0", () => new MicroAdamOptions { Density = 0 }, "Density");
        yield return Case("MicroAdam Density = 1.5", () => new MicroAdamOptions { Density = 1.5 }, "Density");
        yield return Case("MicroAdam WindowSize = 0", () => new MicroAdamOptions { WindowSize = 0 }, "WindowSize");
        yield return Case("MicroAdam ErrorBits = 3", () => new MicroAdamOptions { ErrorBits = 3 }, "ErrorBits");
        yield return Case("MicroAdam QuantizationBucketSize = 0", () => new MicroAdamOptions { QuantizationBucketSize = 0 }, "QuantizationBucketSize");
        yield return Case("MicroAdam Beta2 = 1", () => new MicroAdamOptions { Beta2 = 1 }, "Beta2");
        yield return Case("MicroAdam Eps = 0", () => new MicroAdamOptions { Eps = 0 }, "Eps");
        yield return Case("SGG Clusters = 0", () => new SggOptions { Clusters = 0 }, "Clusters");
        yield return Case("SGG Clusters = 256", () => new SggOptions { Clusters = 256 }, "Clusters");
        yield return Case("SGG ReclusterInterval = 0", () => new SggOptions { ReclusterInterval = 0 }, "ReclusterInterval");
        yield return Case("SGG StatisticBeta = 1", () => new SggOptions { StatisticBeta = 1 }, "StatisticBeta");
        yield return Case("SGG ScaleBeta = -0.1", () => new SggOptions { ScaleBeta = -0.1 }, "ScaleBeta");
        yield return Case("SGG MinScale = 0", () => new SggOptions { MinScale = 0 }, "MinScale");
        yield return Case("SGG MinScale = 1.5", () => new SggOptions { MinScale = 1.5 }, "MinScale");
        yield return Case("SGG MaxScale = 0.5", () => new SggOptions { MaxScale = 0.5 }, "MaxScale");
        yield return Case("SGG KMeansIterations = 0", () => new SggOptions { KMeansIterations = 0 }, "KMeansIterations");
        yield return Case("SGG Eps = 0", () => new SggOptions { Eps = 0 }, "Eps");
        yield return Case("SGG LearningRate = -1", () => new SggOptions { LearningRate = -1 }, "LearningRate");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidValueNamesTheField(Func<OptimizerOptions> create, string param)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(param);
    }

    [Test]
    public void BothAreRegisteredWithThePaperDefaults()
    {
        var micro = OptimizerRegistry.Create("microadam").Should().BeOfType<MicroAdamOptions>().Subject;
        (micro.LearningRate, micro.Density, micro.WindowSize, micro.ErrorBits, micro.QuantizeErrorFeedback).Should().Be((1e-3, 0.01, 10, 4, true));
        OptimizerRegistry.Create("sgg").Should().BeOfType<SggOptions>().Which.Inner.Should().BeOfType<AdamWOptions>();
    }

    [Test]
    public void MicroAdamStateBytesFollowTheFormula()
    {
        using var p = new Parameter(Tensor.Randn(new[] { 100L, 100 }));
        using Optimizer optimizer = new MicroAdamOptions().Create(new[] { p });
        p.Grad = Tensor.Randn(new[] { 100L, 100 });
        optimizer.Step();
        // k = 1 % of 10,000 = 100; window 10·100·(4 + 4); 4-bit error 5,000 bytes + (min, step) per 2048-bucket (5 buckets).
        optimizer.StateBytes.Should().Be(10 * 100 * 8 + 5_000 + 5 * 8);
        UniformQuantization.StorageBytes(10_000, 4, 2048).Should().Be(5_040);

        using var q = new Parameter(Tensor.Randn(new[] { 100L, 100 }));
        using Optimizer unquantized = new MicroAdamOptions { QuantizeErrorFeedback = false }.Create(new[] { q });
        q.Grad = Tensor.Randn(new[] { 100L, 100 });
        unquantized.Step();
        unquantized.StateBytes.Should().Be(10 * 100 * 8 + 4 * 10_000);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(8)]
    public void UniformQuantizationRoundTripsWithinHalfAStep(int bits)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        Tensor x = Tensor.Randn(new[] { 7L, 13 }, g);
        var (codes, min, step) = UniformQuantization.Quantize(x, bits, bucketSize: 10);
        codes.Dtype.Should().Be(ScalarType.Byte);
        codes.NumberOfElements.Should().Be((91 * bits + 7) / 8, "codes are packed 8/b per byte");
        min.NumberOfElements.Should().Be(10);
        Tensor back = UniformQuantization.Dequantize(codes, min, step, bits, 10, x.Shape);
        back.Shape.Should().Equal(7, 13);
        // Each element is within half its bucket's step of the original (a small slack for float rounding).
        Tensor perElement = step.Unsqueeze(1).Expand(10, 10).Reshape(-1).Narrow(0, 0, 91).Reshape(7, 13);
        back.Sub(x).Abs().Le(perElement.Mul(0.5001)).All().Item().Should().Be(1);
        // Bucket extremes are exact: δ and δ + (2^b − 1)·u.
        back.Min().Item().Should().BeApproximately(x.Min().Item(), 1e-6);
        back.Max().Item().Should().BeApproximately(x.Max().Item(), 1e-5);
    }

    [Test]
    public void MicroAdamFeedsTheDroppedCoordinateBack()
    {
        // k = 1 of 2 with an exact (float32) error: step 1 keeps 1.0 and remembers 0.6; step 2 sees (1.0, 1.2) and keeps 1.2.
        using var p = new Parameter(Tensor.Zeros(2));
        using var optimizer = (MicroAdam)new MicroAdamOptions { Density = 0.5, QuantizeErrorFeedback = false, WindowSize = 3 }.Create(new[] { p });
        for (int step = 0; step < 2; step++)
        {
            p.Grad = Tensor.FromArray(new float[] { 1f, 0.6f });
            optimizer.Step();
        }
        ParameterState state = optimizer.StateOf(p);
        state.Get("window.indices").ToArray<int>().Should().Equal(0, 1, 0);
        state.Get("window.values").ToArray<float>()[1].Should().BeApproximately(1.2f, 1e-6f);
        state.Get("error").ToArray<float>().Should().Equal(1f, 0f);
        // Both coordinates have moved: the second one through the error feedback.
        p.ToArray<float>().Should().OnlyContain(v => v < 0);
    }

    [Test]
    public void SggScalesEachGroupsUpdateExactly()
    {
        // Inner SGD (θ ← θ − ηg): after grouping, each coordinate moves by −η·s[group]·g. One outlier coordinate.
        float[] gradient = { 0.1f, 0.11f, 0.09f, 0.1f, 0.12f, 0.1f, 5f, 0.1f };
        using var p = new Parameter(Tensor.Zeros(gradient.Length));
        var options = new SggOptions { Inner = new SgdOptions { LearningRate = 0.1 }, Clusters = 2, ReclusterInterval = 1, StatisticBeta = 0, ScaleBeta = 0 };
        using var sgg = (Sgg)options.Create(new[] { p });
        p.Grad = Tensor.FromArray(gradient);
        sgg.Step();
        byte[] labels = sgg.GroupLabels(0)!;
        float[] scales = sgg.GroupScales(0)!;
        labels.Where((_, i) => i != 6).Should().OnlyContain(l => l == labels[0], "the small gradients form one group");
        labels[6].Should().NotBe(labels[0], "the outlier is a group of its own");
        scales[labels[6]].Should().BeLessThan(1f, "the outlier's rate is tamed");
        scales[labels[6]].Should().BeGreaterOrEqualTo((float)options.MinScale);
        float[] after = p.ToArray<float>();
        for (int i = 0; i < gradient.Length; i++)
            after[i].Should().BeApproximately(-0.1f * scales[labels[i]] * gradient[i], 1e-6f);
    }

    [Test]
    public void SggLeavesTheInnerStepAloneBeforeItsFirstGrouping()
    {
        using var p = new Parameter(Tensor.FromArray(new float[] { 1f, 2f }));
        using var sgg = (Sgg)new SggOptions { Inner = new SgdOptions { LearningRate = 0.5 }, ReclusterInterval = 2 }.Create(new[] { p });
        p.Grad = Tensor.FromArray(new float[] { 1f, 1f });
        sgg.Step();
        sgg.GroupScales(0).Should().BeNull();
        p.ToArray<float>().Should().Equal(0.5f, 1.5f);
        sgg.Step();
        sgg.GroupScales(0).Should().NotBeNull();
    }

    [Test]
    public void SggRejectsAStateWithAnotherGroupCount()
    {
        using var problem = new TinyRegression();
        using Optimizer three = new SggOptions { ReclusterInterval = 1 }.Create(problem.Model);
        problem.TrainStep(three);
        using OptimizerState state = three.StateDict();
        using Optimizer four = new SggOptions { ReclusterInterval = 1, Clusters = 4 }.Create(problem.Model);
        Action load = () => four.LoadStateDict(state);
        load.Should().Throw<ArgumentException>().WithMessage("*4 groups per tensor*");
    }
}
