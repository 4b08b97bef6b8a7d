using TorchZoo.Trainers.Schedules;

namespace TorchZoo.Trainers.Tests.Schedules;

/// <summary>Exact values at 0, at every phase boundary, at the last step and beyond, from the formulas.</summary>
public class ScheduleBoundaryTests
{
    private const double Tol = 1e-12;

    [Test]
    public void WarmupCosineBoundaries()
    {
        var s = new WarmupSchedule(new CosineSchedule { FloorRatio = 0.1 }) { WarmupSteps = 10, StartFactor = 0 };
        s.Factor(0, 110).Should().Be(0);
        s.Factor(5, 110).Should().BeApproximately(0.5, Tol);
        s.Factor(9, 110).Should().BeApproximately(0.9, Tol);
        s.Factor(10, 110).Should().BeApproximately(1, Tol, "the cosine starts at its peak right after warmup");
        s.Factor(60, 110).Should().BeApproximately(0.55, Tol, "halfway through the cosine: floor + (1 − floor)/2");
        s.Factor(110, 110).Should().BeApproximately(0.1, Tol);
        s.Factor(500, 110).Should().BeApproximately(0.1, Tol, "held at the floor beyond the run");
    }

    [Test]
    public void WarmupFractionIsOfTheWholeRun()
    {
        var s = TorchZoo.Trainers.Schedules.Schedules.WarmupCosine(warmupFraction: 0.1);
        ((WarmupSchedule)s).WarmupLength(200).Should().Be(20);
        s.Factor(20, 200).Should().BeApproximately(1, Tol);
    }

    [TestCase(CooldownShape.Linear, 0.5)]
    [TestCase(CooldownShape.Cosine, 0.5)]
    [TestCase(CooldownShape.OneMinusSqrt, 0.29289321881345254)]
    public void WsdPhases(CooldownShape shape, double halfwayDown)
    {
        var s = new WsdSchedule { WarmupSteps = 10, DecaySteps = 20, Cooldown = shape, StartFactor = 0 };
        const long T = 100;
        s.Factor(0, T).Should().Be(0);
        s.Factor(10, T).Should().Be(1, "stable phase starts after warmup");
        s.Factor(79, T).Should().Be(1, "last stable step");
        s.Factor(89, T).Should().BeApproximately(halfwayDown, Tol, "10 of 20 cooldown steps done");
        s.Factor(99, T).Should().BeApproximately(0, Tol, "the last step reaches the minimum");
        s.Factor(150, T).Should().BeApproximately(0, Tol);
    }

    [Test]
    public void WsdMinRatio()
    {
        var s = new WsdSchedule { WarmupFraction = 0, DecayFraction = 0.5, Cooldown = CooldownShape.Linear, MinRatio = 0.2 };
        s.Factor(0, 10).Should().Be(1);
        s.Factor(9, 10).Should().BeApproximately(0.2, Tol);
    }

    [Test]
    public void RexValues()
    {
        var s = new RexSchedule();
        s.Factor(0, 100).Should().Be(1);
        s.Factor(50, 100).Should().BeApproximately(0.5 / 0.75, Tol);
        s.Factor(100, 100).Should().Be(0);
        s.Factor(200, 100).Should().Be(0);
    }

    [Test]
    public void InverseSqrtValues()
    {
        var s = new InverseSqrtSchedule { WarmupSteps = 4 };
        s.Factor(0, 100).Should().BeApproximately(0.25, Tol);
        s.Factor(3, 100).Should().BeApproximately(1, Tol);
        s.Factor(15, 100).Should().BeApproximately(0.5, Tol);
    }

    [Test]
    public void SequenceGivesEachScheduleItsLocalStep()
    {
        var s = new SequenceSchedule(new LearningRateSchedule[] { new ConstantSchedule { Value = 0.5 }, new LinearDecaySchedule() }, new long[] { 10 });
        s.Factor(9, 30).Should().Be(0.5);
        s.Factor(10, 30).Should().Be(1);
        s.Factor(20, 30).Should().BeApproximately(0.5, Tol, "10 of the 20 remaining steps");
    }

    [Test]
    public void InvalidArgumentsNameWhatIsWrong()
    {
        ((Action)(() => new CosineSchedule().Factor(-1, 10))).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("step");
        ((Action)(() => new CosineSchedule().Factor(0, 0))).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("totalSteps");
        ((Action)(() => _ = new CosineSchedule { FloorRatio = 1.5 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("FloorRatio");
        ((Action)(() => _ = new WarmupSchedule(new RexSchedule()) { WarmupFraction = -0.1 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("WarmupFraction");
        ((Action)(() => _ = new OneCycleSchedule { PctStart = 1 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("PctStart");
        ((Action)(() => _ = new MultiStepSchedule { Milestones = new long[] { 5, 3 } })).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new SequenceSchedule(new[] { new RexSchedule() }, new long[] { 3 }))).Should().Throw<ArgumentException>();
    }
}
