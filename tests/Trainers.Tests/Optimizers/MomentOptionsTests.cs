namespace TorchZoo.Trainers.Tests.Optimizers;

public class MomentOptionsTests
{
    private static IEnumerable<string> MomentNames() =>
        OptimizerRegistry.Names.Where(n => OptimizerRegistry.Create(n) is MomentOptions);

    [Test]
    public void AdamStyleOptionsShareTheMomentBase()
    {
        MomentNames().Should().Contain(new[] { "adam", "adamw", "nadam", "radam", "adamax", "adabelief", "lion", "came", "sophia", "soap" });
        OptimizerRegistry.Create("lion").Should().NotBeAssignableTo<AdaptiveMomentOptions>("Lion has no ε");
        OptimizerRegistry.Create("came").Should().NotBeAssignableTo<AdaptiveMomentOptions>("CAME has ε1, ε2 instead");
    }

    [TestCaseSource(nameof(MomentNames))]
    public void MomentumCyclingSetsOnlyBeta1(string name)
    {
        var options = (MomentOptions)OptimizerRegistry.Create(name);
        IMomentumOptions momentum = options;
        momentum.MomentumValue.Should().Be(options.Beta1);
        var cycled = (MomentOptions)momentum.WithMomentum(0.85);
        cycled.GetType().Should().Be(options.GetType());
        cycled.Beta1.Should().Be(0.85);
        (cycled with { Beta1 = options.Beta1 }).Should().Be(options);
    }

    [TestCaseSource(nameof(MomentNames))]
    public void BetasAreValidatedWithTheirNames(string name)
    {
        var options = (MomentOptions)OptimizerRegistry.Create(name);
        ((Action)(() => _ = options with { Beta1 = 1.0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Beta1");
        ((Action)(() => _ = options with { Beta2 = -0.1 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Beta2");
        if (options is AdaptiveMomentOptions adaptive)
            ((Action)(() => _ = adaptive with { Eps = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Eps");
    }
}
