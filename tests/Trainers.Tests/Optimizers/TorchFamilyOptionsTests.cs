using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>Bad option values of the torch.optim family (NAdam … ASGD) are rejected and name the option.</summary>
public class TorchFamilyOptionsTests
{
    private static void RejectsNaming(Action set, string option) =>
        set.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(option);

    // Shown as (Options.Property, #i) so two bad values of one option stay distinct test cases.
    private static IEnumerable<TestCaseData> Cases(params (string Option, Action Set)[] cases) =>
        cases.Select((c, i) => new TestCaseData(c.Set, c.Option).SetArgDisplayNames(c.Option, $"#{i}"));

    public static IEnumerable<TestCaseData> DecayRatesOutsideZeroOne() => Cases(
        ("NAdam.Beta1", () => _ = new NAdamOptions { Beta1 = 1.0 }),
        ("NAdam.Beta2", () => _ = new NAdamOptions { Beta2 = -0.1 }),
        ("RAdam.Beta1", () => _ = new RAdamOptions { Beta1 = 1.5 }),
        ("RAdam.Beta2", () => _ = new RAdamOptions { Beta2 = 1.0 }),
        ("Adamax.Beta1", () => _ = new AdamaxOptions { Beta1 = double.NaN }),
        ("Adamax.Beta2", () => _ = new AdamaxOptions { Beta2 = 1.0 }),
        ("RmsProp.Momentum", () => _ = new RmsPropOptions { Momentum = 1.0 }));

    [TestCaseSource(nameof(DecayRatesOutsideZeroOne))]
    public void DecayRateOutsideZeroOneIsRejected(Action set, string option) => RejectsNaming(set, option.Split('.')[1]);

    public static IEnumerable<TestCaseData> SmoothingOutsideClosedUnitInterval() => Cases(
        ("Adadelta.Rho", () => _ = new AdadeltaOptions { Rho = 1.01 }),
        ("Adadelta.Rho", () => _ = new AdadeltaOptions { Rho = -0.5 }),
        ("RmsProp.Alpha", () => _ = new RmsPropOptions { Alpha = 2 }),
        ("RmsProp.Alpha", () => _ = new RmsPropOptions { Alpha = double.NaN }));

    [TestCaseSource(nameof(SmoothingOutsideClosedUnitInterval))]
    public void SmoothingConstantOutsideClosedUnitIntervalIsRejected(Action set, string option) => RejectsNaming(set, option.Split('.')[1]);

    public static IEnumerable<TestCaseData> NonPositiveEpsilons() => Cases(
        ("NAdam.Eps", () => _ = new NAdamOptions { Eps = 0 }),
        ("RAdam.Eps", () => _ = new RAdamOptions { Eps = -1e-8 }),
        ("Adamax.Eps", () => _ = new AdamaxOptions { Eps = 0 }),
        ("Adagrad.Eps", () => _ = new AdagradOptions { Eps = 0 }),
        ("Adadelta.Eps", () => _ = new AdadeltaOptions { Eps = double.PositiveInfinity }),
        ("RmsProp.Eps", () => _ = new RmsPropOptions { Eps = double.NaN }));

    [TestCaseSource(nameof(NonPositiveEpsilons))]
    public void NonPositiveOrNonFiniteEpsIsRejected(Action set, string option) => RejectsNaming(set, option.Split('.')[1]);

    public static IEnumerable<TestCaseData> NegativeNonNegatives() => Cases(
        ("NAdam.MomentumDecay", () => _ = new NAdamOptions { MomentumDecay = -4e-3 }),
        ("Adagrad.LearningRateDecay", () => _ = new AdagradOptions { LearningRateDecay = -0.1 }),
        ("Adagrad.InitialAccumulatorValue", () => _ = new AdagradOptions { InitialAccumulatorValue = -1 }),
        ("Asgd.Lambd", () => _ = new AsgdOptions { Lambd = -1e-4 }),
        ("Asgd.Alpha", () => _ = new AsgdOptions { Alpha = -0.75 }),
        ("Asgd.T0", () => _ = new AsgdOptions { T0 = double.NaN }),
        ("Rprop.StepSizeMin", () => _ = new RpropOptions { StepSizeMin = -1e-6 }),
        ("RmsProp.Momentum", () => _ = new RmsPropOptions { Momentum = -0.9 }),
        ("RmsProp.WeightDecay", () => _ = new RmsPropOptions { WeightDecay = -0.01 }),
        ("Adadelta.LearningRate", () => _ = new AdadeltaOptions { LearningRate = -1 }));

    [TestCaseSource(nameof(NegativeNonNegatives))]
    public void NegativeOrNaNValueOfANonNegativeOptionIsRejected(Action set, string option) => RejectsNaming(set, option.Split('.')[1]);

    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(-0.5)]
    [TestCase(double.NaN)]
    public void RpropEtaMinusOutsideOpenUnitIntervalIsRejected(double eta) =>
        RejectsNaming(() => _ = new RpropOptions { EtaMinus = eta }, "EtaMinus");

    [TestCase(1.0)]
    [TestCase(0.5)]
    [TestCase(double.PositiveInfinity)]
    [TestCase(double.NaN)]
    public void RpropEtaPlusNotAboveOneIsRejected(double eta) =>
        RejectsNaming(() => _ = new RpropOptions { EtaPlus = eta }, "EtaPlus");

    [TestCase(0.0)]
    [TestCase(-50.0)]
    public void RpropNonPositiveStepSizeMaxIsRejected(double max) =>
        RejectsNaming(() => _ = new RpropOptions { StepSizeMax = max }, "StepSizeMax");

    [Test]
    public void RpropStepSizeBoundsInTheWrongOrderAreRejectedAtCreation()
    {
        using var p = new Parameter(Tensor.Zeros(3));
        Action a = () => new RpropOptions { StepSizeMin = 1, StepSizeMax = 0.5 }.Create(new[] { p });
        a.Should().Throw<ArgumentException>().WithMessage("*StepSizeMin must not exceed StepSizeMax*");
    }

    [Test]
    public void WithExpressionsOnTheFamilyAreValidatedToo()
    {
        var ok = new RmsPropOptions { Centered = true, Momentum = 0.9 };
        RejectsNaming(() => _ = ok with { Alpha = -0.1 }, "Alpha");
    }

    [TestCase("nadam", 2e-3)]
    [TestCase("radam", 1e-3)]
    [TestCase("adamax", 2e-3)]
    [TestCase("adagrad", 1e-2)]
    [TestCase("adadelta", 1.0)]
    [TestCase("rmsprop", 1e-2)]
    [TestCase("rprop", 1e-2)]
    [TestCase("asgd", 1e-2)]
    public void DefaultLearningRatesAreTorchs(string name, double lr) =>
        OptimizerRegistry.Create(name).LearningRate.Should().Be(lr);
}
