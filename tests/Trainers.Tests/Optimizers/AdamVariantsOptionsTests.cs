using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>Option validation of the Adam variants, and the paper-specific details the golden runs do not isolate.</summary>
public class AdamVariantsOptionsTests
{
    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> create, string param) =>
            new TestCaseData(create, param).SetName($"Rejects {label}");

        yield return Case("ADOPT Beta2 = 1", () => new AdoptOptions { Beta2 = 1 }, "Beta2");
        yield return Case("ADOPT Eps = 0", () => new AdoptOptions { Eps = 0 }, "Eps");
        yield return Case("ADOPT ClipExponent = 0", () => new AdoptOptions { ClipExponent = 0 }, "ClipExponent");
        yield return Case("AdaBelief Beta1 = -0.1", () => new AdaBeliefOptions { Beta1 = -0.1 }, "Beta1");
        yield return Case("AdaBelief Eps = -1e-16", () => new AdaBeliefOptions { Eps = -1e-16 }, "Eps");
        yield return Case("AdEMAMix Beta3 = 1", () => new AdEMAMixOptions { Beta3 = 1 }, "Beta3");
        yield return Case("AdEMAMix Alpha = -1", () => new AdEMAMixOptions { Alpha = -1 }, "Alpha");
        yield return Case("AdEMAMix AlphaWarmupSteps = -1", () => new AdEMAMixOptions { AlphaWarmupSteps = -1 }, "AlphaWarmupSteps");
        yield return Case("AdEMAMix Beta3WarmupSteps = -5", () => new AdEMAMixOptions { Beta3WarmupSteps = -5 }, "Beta3WarmupSteps");
        yield return Case("MARS Gamma = -0.1", () => new MarsOptions { Gamma = -0.1 }, "Gamma");
        yield return Case("MARS Flavour out of range", () => new MarsOptions { Flavour = (MarsFlavour)7 }, "Flavour");
        yield return Case("MARS OneDimBeta2 = 1.5", () => new MarsOptions { OneDimBeta2 = 1.5 }, "OneDimBeta2");
        yield return Case("MARS OneDimLearningRate = NaN", () => new MarsOptions { OneDimLearningRate = double.NaN }, "OneDimLearningRate");
        yield return Case("MARS OneDimWeightDecay = -1", () => new MarsOptions { OneDimWeightDecay = -1 }, "OneDimWeightDecay");
        yield return Case("Grams Eps = 0", () => new GramsOptions { Eps = 0 }, "Eps");
        yield return Case("Grams LearningRate = -1", () => new GramsOptions { LearningRate = -1 }, "LearningRate");
        yield return Case("LaProp Beta2 = 1", () => new LaPropOptions { Beta2 = 1 }, "Beta2");
        yield return Case("SGD-SaI Momentum = 1", () => new SgdSaiOptions { Momentum = 1 }, "Momentum");
        yield return Case("SGD-SaI WeightDecay = -0.01", () => new SgdSaiOptions { WeightDecay = -0.01 }, "WeightDecay");
        yield return Case("AdaBound FinalLearningRate = -0.1", () => new AdaBoundOptions { FinalLearningRate = -0.1 }, "FinalLearningRate");
        yield return Case("AdaBound Gamma = 1", () => new AdaBoundOptions { Gamma = 1 }, "Gamma");
        yield return Case("AdaMod Beta3 = 1", () => new AdaModOptions { Beta3 = 1 }, "Beta3");
        yield return Case("AdamP Delta = -0.1", () => new AdamPOptions { Delta = -0.1 }, "Delta");
        yield return Case("AdamP WeightDecayRatio = -1", () => new AdamPOptions { WeightDecayRatio = -1 }, "WeightDecayRatio");
        yield return Case("SGDP Dampening = 1.5", () => new SgdpOptions { Dampening = 1.5 }, "Dampening");
        yield return Case("SGDP Momentum = 1", () => new SgdpOptions { Momentum = 1 }, "Momentum");
        yield return Case("EXAdam Beta1 = 1", () => new EXAdamOptions { Beta1 = 1 }, "Beta1");
        yield return Case("FAdam FisherPower = 0", () => new FAdamOptions { FisherPower = 0 }, "FisherPower");
        yield return Case("FAdam Clip = 0", () => new FAdamOptions { Clip = 0 }, "Clip");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidValueNamesTheField(Func<OptimizerOptions> create, string param)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(param);
    }

    [Test]
    public void WithExpressionsOnVariantsAreValidated()
    {
        var ok = new AdEMAMixOptions();
        Action a = () => _ = ok with { Beta3 = 1.0 };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Beta3");
    }

    [TestCase("adopt", typeof(AdoptOptions))]
    [TestCase("adabelief", typeof(AdaBeliefOptions))]
    [TestCase("ademamix", typeof(AdEMAMixOptions))]
    [TestCase("mars", typeof(MarsOptions))]
    [TestCase("grams", typeof(GramsOptions))]
    [TestCase("laprop", typeof(LaPropOptions))]
    [TestCase("sgdsai", typeof(SgdSaiOptions))]
    [TestCase("adabound", typeof(AdaBoundOptions))]
    [TestCase("adamod", typeof(AdaModOptions))]
    [TestCase("adamp", typeof(AdamPOptions))]
    [TestCase("sgdp", typeof(SgdpOptions))]
    [TestCase("exadam", typeof(EXAdamOptions))]
    [TestCase("fadam", typeof(FAdamOptions))]
    public void RegistryFindsTheVariant(string name, Type type) => OptimizerRegistry.Create(name).Should().BeOfType(type);

    [TestCase(true)]
    [TestCase(false)]
    public void AdaBoundWithGammaZeroHoldsStillAtAZeroLearningRate(bool fused)
    {
        // A schedule that ends at 0 (cosine): the final rate is 0 and, with γ = 0, the upper bound must not be 0·∞.
        using var p = new Parameter(Tensor.FromArray(new float[] { 1f, -2f, 3f }));
        using Optimizer adabound = new AdaBoundOptions { LearningRate = 0.1, Gamma = 0, Fused = fused }.Create(new[] { p });
        p.Grad = Tensor.FromArray(new float[] { 0.5f, -1f, 2f });
        adabound.Step();
        adabound.ScaleLearningRates(0);
        using Tensor before = p.Detach().Clone();
        adabound.Step();
        p.Detach().Equal(before).Should().BeTrue("a zero learning rate moves nothing, and nothing becomes NaN");
    }

    [Test]
    public void AdoptFirstStepOnlyInitializesTheSecondMoment()
    {
        using var p = new Parameter(Tensor.FromArray(new float[] { 1f, -2f, 3f }));
        using Optimizer adopt = new AdoptOptions { LearningRate = 0.1 }.Create(new[] { p });
        p.Grad = Tensor.FromArray(new float[] { 0.5f, 1f, -2f });
        adopt.Step();
        p.ToArray<float>().Should().Equal(1f, -2f, 3f);
        ((Adopt)adopt).StateOf(p).Get("exp_avg_sq").ToArray<float>().Should().Equal(0.25f, 1f, 4f);
        adopt.Step();
        p.ToArray<float>().Should().NotEqual(new[] { 1f, -2f, 3f });
    }

    [Test]
    public void AdEMAMixWarmupsReachTheirTargetsAtT()
    {
        var o = new AdEMAMixOptions { AlphaWarmupSteps = 100, Beta3WarmupSteps = 100 };
        o.AlphaAt(50).Should().BeApproximately(2.5, 1e-12);
        o.AlphaAt(100).Should().Be(5);
        o.Beta3At(100).Should().Be(0.9999);
        // Linear in the half-life ln ½ / ln β: halfway through, the half-life is the mean of β1's and β3's.
        static double HalfLife(double beta) => Math.Log(0.5) / Math.Log(beta);
        HalfLife(o.Beta3At(50)).Should().BeApproximately((HalfLife(0.9) + HalfLife(0.9999)) / 2, 1e-6);
        o.Beta3At(1).Should().BeInRange(0.9, o.Beta3At(50));
        (o with { Beta1 = 0 }).Beta3At(50).Should().BeApproximately(Math.Pow(0.9999, 2), 1e-12, "β1 = 0 takes the formula's limit β3^(1/a)");
    }

    [Test]
    public void SgdSaiComputesGsnrOnceAtTheFirstStep()
    {
        using var p = new Parameter(Tensor.Zeros(4));
        using var sai = (SgdSai)new SgdSaiOptions().Create(new[] { p });
        p.Grad = Tensor.FromArray(new float[] { 1f, 2f, 3f, 4f });
        sai.Step();
        double first = sai.StateOf(p).GetScalar("gsnr");
        double expected = Math.Sqrt(30) / (Math.Sqrt(5.0 / 3) + 1e-8);
        first.Should().BeApproximately(expected, 1e-5);
        p.Grad = Tensor.FromArray(new float[] { 10f, -1f, 0f, 2f });
        sai.Step();
        sai.StateOf(p).GetScalar("gsnr").Should().Be(first);
    }

    [Test]
    public void StateBytesMatchTheDocumentedCounts()
    {
        using var w = new Parameter(Tensor.Zeros(3, 4));
        long n = 12;
        long Bytes(OptimizerOptions o)
        {
            using Optimizer opt = o.Create(new[] { w });
            w.Grad = Tensor.Ones(3, 4);
            opt.Step();
            return opt.StateBytes;
        }
        Bytes(new AdEMAMixOptions()).Should().Be(12 * n);
        Bytes(new MarsOptions()).Should().Be(12 * n);
        Bytes(new MarsOptions { Flavour = MarsFlavour.Lion }).Should().Be(8 * n);
        Bytes(new AdaModOptions()).Should().Be(12 * n);
        Bytes(new AdoptOptions()).Should().Be(8 * n);
        Bytes(new SgdSaiOptions()).Should().Be(4 * n);
        Bytes(new SgdpOptions()).Should().Be(4 * n);
    }
}
