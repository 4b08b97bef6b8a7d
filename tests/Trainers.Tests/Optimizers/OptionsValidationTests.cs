using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

public class OptionsValidationTests
{
    [Test]
    public void NegativeLearningRateNamesTheField()
    {
        Action a = () => _ = new AdamWOptions { LearningRate = -1e-3 };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("LearningRate");
    }

    [Test]
    public void NaNLearningRateIsRejected()
    {
        Action a = () => _ = new SgdOptions { LearningRate = double.NaN };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("LearningRate");
    }

    [TestCase(1.0)]
    [TestCase(-0.1)]
    [TestCase(1.5)]
    public void BetaOutsideUnitIntervalNamesTheField(double beta)
    {
        Action a = () => _ = new AdamOptions { Beta2 = beta };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Beta2");
    }

    [Test]
    public void WithExpressionsAreValidatedToo()
    {
        var ok = new LionOptions();
        Action a = () => _ = ok with { Beta1 = 1.2 };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Beta1");
    }

    [Test]
    public void NonPositiveEpsIsRejected()
    {
        Action a = () => _ = new AdamWOptions { Eps = 0 };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Eps");
    }

    [Test]
    public void NegativeWeightDecayIsRejected()
    {
        Action a = () => _ = new RegOptions { WeightDecay = -0.01 };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("WeightDecay");
    }

    [Test]
    public void ZeroNewtonSchulzStepsAreRejected()
    {
        Action a = () => _ = new MuonOptions { NewtonSchulzSteps = 0 };
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("NewtonSchulzSteps");
    }

    [Test]
    public void NullFallbackIsRejected()
    {
        Action a = () => _ = new RegOptions { Fallback = null! };
        a.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("Fallback");
    }

    [Test]
    public void NesterovWithoutMomentumIsRejectedAtCreation()
    {
        using var p = new Parameter(Tensor.Zeros(3));
        Action a = () => new SgdOptions { Nesterov = true }.Create(new[] { p });
        a.Should().Throw<ArgumentException>().WithMessage("*Nesterov needs Momentum > 0*");
    }

    [Test]
    public void UnknownOptimizerNameListsTheKnownOnes()
    {
        Action a = () => OptimizerRegistry.Create("adamx");
        a.Should().Throw<ArgumentException>().WithMessage("Unknown optimizer 'adamx'*adamw*reg*");
    }

    [Test]
    public void RegistryNamesAreCaseInsensitive() => OptimizerRegistry.Create("AdamW").Should().BeOfType<AdamWOptions>();

    [Test]
    public void RegistryOverridesFromJsonAreSetAndValidated()
    {
        var muon = (MuonOptions)OptimizerRegistry.Create("muon", """{"LearningRate": 0.02, "Nesterov": false, "Scale": "Original", "WeightDecay": 0}""");
        muon.Should().Be(new MuonOptions { LearningRate = 0.02, Nesterov = false, Scale = MuonScale.Original, WeightDecay = 0 });

        Action unknown = () => OptimizerRegistry.Create("sgd", """{"Momentun": 0.9}""");
        unknown.Should().Throw<ArgumentException>().WithMessage("SgdOptions has no option 'Momentun'.*");
        Action invalid = () => OptimizerRegistry.Create("sgd", """{"Momentum": 1.5}""");
        invalid.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Momentum");
    }

    [Test]
    public void GroupOptionsOfAnotherTypeAreRejected()
    {
        using var p = new Parameter(Tensor.Zeros(3));
        var groups = new[] { new ParameterGroupSpec(new[] { new NamedParameter("p", p) }, new LionOptions()) };
        Action a = () => new AdamWOptions().Create(groups);
        a.Should().Throw<ArgumentException>().WithMessage("*LionOptions*AdamWOptions*");
    }

    [Test]
    public void ParameterInTwoGroupsIsRejected()
    {
        using var p = new Parameter(Tensor.Zeros(3));
        var np = new NamedParameter("w", p);
        Action a = () => new AdamWOptions().Create(new[] { new ParameterGroupSpec(new[] { np }), new ParameterGroupSpec(new[] { np }) });
        a.Should().Throw<ArgumentException>().WithMessage("*'w' appears in more than one place*");
    }

    [Test]
    public void PerGroupHyperparametersApply()
    {
        using var a = new Parameter(Tensor.Ones(4));
        using var b = new Parameter(Tensor.Ones(4));
        var options = new SgdOptions { LearningRate = 0.1 };
        using Optimizer sgd = options.Create(new[]
        {
            new ParameterGroupSpec(new[] { new NamedParameter("a", a) }),
            new ParameterGroupSpec(new[] { new NamedParameter("b", b) }, options with { LearningRate = 0.5 }),
        });
        a.Grad = Tensor.Ones(4);
        b.Grad = Tensor.Ones(4);
        sgd.Step();
        a.ToArray<float>().Should().AllBeEquivalentTo(0.9f);
        b.ToArray<float>().Should().AllBeEquivalentTo(0.5f);
        sgd.Groups[1].LearningRate = 0.25;
        sgd.Step();
        b.ToArray<float>().Should().AllBeEquivalentTo(0.25f);
    }

    [Test]
    public void ParametersWithoutGradientAreSkippedAndKeepTheirState()
    {
        using var a = new Parameter(Tensor.Ones(2));
        using var b = new Parameter(Tensor.Ones(2));
        using var adam = (Adam)new AdamOptions().Create(new[] { a, b });
        a.Grad = Tensor.Ones(2);
        adam.Step();
        adam.StateOf(a).Step.Should().Be(1);
        adam.StateOf(b).Step.Should().Be(0);
        adam.StateOf(b).Tensors.Should().BeEmpty();
        b.ToArray<float>().Should().Equal(1f, 1f);
        adam.StateBytes.Should().Be(2 * 2 * 4, "Adam keeps two float32 moments per updated parameter");
    }
}
