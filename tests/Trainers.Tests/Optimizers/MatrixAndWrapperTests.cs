using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>NorMuon, AdaMuon, Conda, schedule-free AdamW, Lookahead and the cautious flags beyond the golden trajectories.</summary>
public class MatrixAndWrapperTests
{
    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return Case(() => new NorMuonOptions { Beta2 = 1 }, "Beta2");
        yield return Case(() => new NorMuonOptions { Eps = 0 }, "Eps");
        yield return Case(() => new NorMuonOptions { Scale = (MuonScale)7 }, "Scale");
        yield return Case(() => new AdaMuonOptions { TargetRms = 0 }, "TargetRms");
        yield return Case(() => new AdaMuonOptions { Momentum = -0.1 }, "Momentum");
        yield return Case(() => new AdaMuonOptions { NewtonSchulzSteps = 0 }, "NewtonSchulzSteps");
        yield return Case(() => new CondaOptions { BasisUpdateInterval = 0 }, "BasisUpdateInterval");
        yield return Case(() => new CondaOptions { Beta1 = 1 }, "Beta1");
        yield return Case(() => new ScheduleFreeAdamWOptions { Beta1 = 0 }, "Beta1");
        yield return Case(() => new ScheduleFreeAdamWOptions { WarmupSteps = -1 }, "WarmupSteps");
        yield return Case(() => new ScheduleFreeAdamWOptions { WeightLrPower = double.NaN }, "WeightLrPower");
        yield return Case(() => new LookaheadOptions { SyncPeriod = 0 }, "SyncPeriod");
        yield return Case(() => new LookaheadOptions { Alpha = 1.5 }, "Alpha");
        yield return Case(() => new LookaheadOptions { LearningRate = -1 }, "LearningRate");

        static TestCaseData Case(Func<OptimizerOptions> create, string field) =>
            new TestCaseData(create, field).SetName($"InvalidOption_{field}_{create.Method.Name.GetHashCode():X}");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidOptionsNameTheField(Func<OptimizerOptions> create, string field)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(field);
    }

    [Test]
    public void NullLookaheadInnerIsRejected()
    {
        Action a = () => _ = new LookaheadOptions { Inner = null! };
        a.Should().Throw<ArgumentNullException>().Which.ParamName.Should().Be("Inner");
    }

    [Test]
    public void NewOptimizersAreRegistered()
    {
        foreach (string name in new[] { "normuon", "adamuon", "conda", "schedulefree_adamw", "lookahead" })
            OptimizerRegistry.Names.Should().Contain(name);
        OptimizerRegistry.Create("lookahead").Should().BeOfType<LookaheadOptions>().Which.Inner.Should().BeOfType<AdamWOptions>();
    }

    [Test]
    public void LookaheadForwardsLearningRateWeightDecayAndMaximizeToItsInnerOptions()
    {
        var options = new LookaheadOptions { Inner = new LionOptions() } with { LearningRate = 0.25, WeightDecay = 0.5, Maximize = true };
        options.Inner.Should().BeOfType<LionOptions>();
        options.Inner.LearningRate.Should().Be(0.25);
        options.Inner.WeightDecay.Should().Be(0.5);
        options.Inner.Maximize.Should().BeTrue();
        using var p = new Parameter(Tensor.Zeros(3));
        using Optimizer optimizer = options.Create(new[] { p });
        optimizer.Groups.Single().LearningRate.Should().Be(0.25, "schedules scale the inner groups' rates");
    }

    [Test]
    public void LookaheadPullsTheFastWeightsBackEveryKSteps()
    {
        using var p = new Parameter(Tensor.FromArray(new float[] { 1f }));
        var options = new LookaheadOptions { Inner = new SgdOptions { LearningRate = 0.1 }, SyncPeriod = 2, Alpha = 0.5 };
        using var lookahead = (Lookahead)options.Create(new[] { p });
        float[] expected = { 0.9f, 0.9f, 0.8f, 0.8f }; // fast 0.9, 0.8 → slow 1 + 0.5·(0.8 − 1) = 0.9; fast 0.8, 0.7 → slow 0.8
        for (int i = 0; i < expected.Length; i++)
        {
            p.Grad = Tensor.Ones(1);
            lookahead.Step();
            p.ToArray<float>()[0].Should().BeApproximately(expected[i], 1e-6f, $"after step {i + 1}");
        }
        lookahead.StepCount.Should().Be(4);
        lookahead.StateBytes.Should().Be(4, "one float32 slow weight; SGD without momentum keeps nothing");
    }

    [Test]
    public void LookaheadAroundARoutedMatrixOptimizerResumesBitwiseMidCycle()
    {
        TorchRuntime.NumThreads = 1;
        var options = new LookaheadOptions { Inner = new NorMuonOptions { LearningRate = 0.01 }, SyncPeriod = 4 };
        using var original = new TinyRegression();
        using Optimizer first = options.Create(original.Model);
        for (int i = 0; i < 6; i++)
        {
            original.LossAndBackward();
            first.Step();
        }
        using var copy = new TinyRegression();
        copy.Model.LoadStateDict(original.Model.StateDict());
        using Optimizer second = options.Create(copy.Model);
        using (OptimizerState state = first.StateDict())
        {
            state.Tensors.Keys.Should().Contain("slow.0").And.Contain(k => k.StartsWith("inner.matrix.", StringComparison.Ordinal));
            second.LoadStateDict(state);
        }
        second.StepCount.Should().Be(6);
        second.Describe().Select(a => a.Optimizer).Should().Contain("normuon").And.Contain("adamw");
        for (int i = 0; i < 6; i++) // crosses the synchronization at step 8
        {
            original.LossAndBackward();
            first.Step();
            copy.LossAndBackward();
            second.Step();
            foreach (var ((n, a), (_, b)) in original.Model.NamedParameters().Zip(copy.Model.NamedParameters()))
                a.Equal(b).Should().BeTrue($"'{n}' after step {7 + i}");
        }
    }

    [Test]
    public void LookaheadRejectsAStateOfAnotherSize()
    {
        using var a = new Parameter(Tensor.Zeros(2));
        using var b = new Parameter(Tensor.Zeros(2));
        using Optimizer two = new LookaheadOptions().Create(new[] { a, b });
        using Optimizer one = new LookaheadOptions().Create(new[] { a });
        a.Grad = Tensor.Ones(2);
        one.Step();
        using OptimizerState state = one.StateDict();
        Action load = () => two.LoadStateDict(state);
        load.Should().Throw<ArgumentException>();
    }

    /// <summary>The paper's three sequences in double precision, for a separable quadratic with gradient a·(y − b).</summary>
    private static (double[] Y, double[] X) ScheduleFreeByHand(double[] start, double[] a, double[] b, int steps, double lr, double beta1,
        double beta2, double eps, double wd, int warmup)
    {
        int n = start.Length;
        double[] x = (double[])start.Clone(), z = (double[])start.Clone(), y = (double[])start.Clone(), v = new double[n];
        double weightSum = 0;
        for (int t = 1; t <= steps; t++)
        {
            double gamma = lr * (warmup == 0 ? 1 : Math.Min(1.0, (double)t / warmup)) * Math.Sqrt(1 - Math.Pow(beta2, t));
            weightSum += gamma * gamma;
            double c = gamma * gamma / weightSum;
            for (int i = 0; i < n; i++)
            {
                double g = a[i] * (y[i] - b[i]);
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                z[i] -= gamma * g / (Math.Sqrt(v[i]) + eps) + gamma * wd * y[i];
                x[i] = (1 - c) * x[i] + c * z[i];
                y[i] = (1 - beta1) * z[i] + beta1 * x[i];
            }
        }
        return (y, x);
    }

    [Test]
    public void ScheduleFreeTrainHoldsYAndEvalHoldsTheAverageXOfThePaper()
    {
        double[] start = { 1.0, -2.0, 0.5 }, a = { 1.0, 3.0, 0.5 }, b = { 0.3, 0.1, -1.0 };
        const int steps = 12;
        using var p = new Parameter(Tensor.FromArray(start.Select(d => (float)d).ToArray()));
        using var target = Tensor.FromArray(b.Select(d => (float)d).ToArray());
        using var scale = Tensor.FromArray(a.Select(d => (float)d).ToArray());
        var options = new ScheduleFreeAdamWOptions { LearningRate = 0.05, WarmupSteps = 4, WeightDecay = 0.01 };
        using var optimizer = (ScheduleFreeAdamW)options.Create(new[] { p });
        optimizer.IsTraining.Should().BeTrue("it starts in training mode");
        for (int t = 0; t < steps; t++)
        {
            using (var scope = DisposeScope.Enter()) p.Grad = p.Sub(target).Mul(scale).DetachFromDisposeScope();
            optimizer.Step();
        }
        var (y, x) = ScheduleFreeByHand(start, a, b, steps, 0.05, 0.9, 0.999, 1e-8, 0.01, 4);

        float[] train = p.ToArray<float>();
        for (int i = 0; i < 3; i++) train[i].Should().BeApproximately((float)y[i], 2e-5f, $"y[{i}] while training");
        x.Zip(y).Should().Contain(pair => Math.Abs(pair.First - pair.Second) > 1e-3, "the test needs x and y to differ");

        optimizer.Eval();
        optimizer.IsTraining.Should().BeFalse();
        float[] eval = p.ToArray<float>();
        for (int i = 0; i < 3; i++) eval[i].Should().BeApproximately((float)x[i], 2e-5f, $"x[{i}] in eval mode");
        optimizer.Eval(); // idempotent
        p.ToArray<float>().Should().Equal(eval);

        p.Grad = Tensor.Ones(3);
        Action step = () => optimizer.Step();
        step.Should().Throw<InvalidOperationException>().WithMessage("*eval mode*Train()*");

        optimizer.Train();
        float[] back = p.ToArray<float>();
        for (int i = 0; i < 3; i++) back[i].Should().BeApproximately(train[i], 1e-6f, "Train() after Eval() restores y");
    }

    [Test]
    public void ScheduleFreeStateRemembersTheModeAndResumesBitwise()
    {
        TorchRuntime.NumThreads = 1;
        var options = new ScheduleFreeAdamWOptions { LearningRate = 0.01, WarmupSteps = 3 };
        using var original = new TinyRegression();
        using var first = (ScheduleFreeAdamW)options.Create(original.Model);
        for (int i = 0; i < 4; i++)
        {
            original.LossAndBackward();
            first.Step();
        }
        first.Eval(); // checkpoint in eval mode: the model holds x, the state says so
        using var copy = new TinyRegression();
        copy.Model.LoadStateDict(original.Model.StateDict());
        using var second = (ScheduleFreeAdamW)options.Create(copy.Model);
        using (OptimizerState state = first.StateDict())
        {
            state.Scalar("train_mode").Should().Be(0);
            second.LoadStateDict(state);
        }
        second.IsTraining.Should().BeFalse();
        first.Train();
        second.Train();
        for (int i = 0; i < 4; i++)
        {
            original.LossAndBackward();
            first.Step();
            copy.LossAndBackward();
            second.Step();
        }
        foreach (var ((n, a), (_, b)) in original.Model.NamedParameters().Zip(copy.Model.NamedParameters()))
            a.Equal(b).Should().BeTrue(n);
    }

    [Test]
    public void StateBytesMatchTheDocumentedFormulas()
    {
        using var w = new Parameter(Tensor.Randn(8, 32));
        void Fill() => w.Grad = Tensor.Randn(8, 32);

        using (var normuon = (RoutedOptimizer)new NorMuonOptions().Create(new[] { new NamedParameter("w", w) }))
        {
            Fill();
            normuon.Step();
            normuon.StateBytes.Should().Be(8 * 32 * 4 + 8 * 4, "momentum plus one float per row (4 + 4/n bytes per parameter)");
        }
        using (var adamuon = (RoutedOptimizer)new AdaMuonOptions().Create(new[] { new NamedParameter("w", w) }))
        {
            Fill();
            adamuon.Step();
            adamuon.StateBytes.Should().Be(2 * 8 * 32 * 4);
        }
        using (var conda = (RoutedOptimizer)new CondaOptions().Create(new[] { new NamedParameter("w", w) }))
        {
            Fill();
            conda.Step();
            conda.StateBytes.Should().Be(2 * 8 * 32 * 4 + 8 * 8 * 4, "m, v and an 8×8 basis on the smaller side");
        }
    }

    [Test]
    public void CondaBasisIsOrthogonalAndRefreshedOnSchedule()
    {
        using var w = new Parameter(Tensor.Randn(6, 4));
        using var routed = (RoutedOptimizer)new CondaOptions { BasisUpdateInterval = 3 }.Create(new[] { new NamedParameter("w", w) });
        var conda = (Conda)routed.Matrix!;
        Tensor? previous = null;
        for (int step = 1; step <= 4; step++)
        {
            w.Grad = Tensor.Randn(6, 4);
            routed.Step();
            Tensor basis = conda.StateOf(w).Get("basis");
            basis.Shape.Should().Equal(4, 4);
            using var gram = basis.MT.Matmul(basis);
            using var eye = Tensor.Eye(4);
            gram.AllClose(eye, atol: 1e-5).Should().BeTrue("the basis is orthogonal");
            if (step is 2 or 3) basis.Equal(previous!).Should().BeTrue($"no refresh at step {step}");
            if (step == 4) basis.Equal(previous!).Should().BeFalse("refreshed at step T + 1");
            previous?.Dispose();
            previous = basis.Clone().DetachFromDisposeScope();
        }
        previous?.Dispose();
    }

    [TestCase(16, 64)]
    [TestCase(64, 16)]
    public void AdaMuonUpdateHasAdamWsRmsOfPointTwoNotDoubleScaled(int rows, int cols)
    {
        // pytorch-optimizer's AdaMuon scales by 0.2 twice (RMS ≈ 0.04·√max(m, n)); the official code once (RMS 0.2).
        using var w = new Parameter(Tensor.Randn(rows, cols));
        using var before = w.Clone();
        using Optimizer adamuon = new AdaMuonOptions { LearningRate = 1, WeightDecay = 0 }.Create(new[] { new NamedParameter("w", w) });
        w.Grad = Tensor.Randn(rows, cols);
        adamuon.Step();
        using var rms = before.Sub(w).Square().Mean().Sqrt();
        rms.Item().Should().BeApproximately(0.2, 1e-4);
    }

    [Test]
    public void CautiousFlagsAreOffByDefault()
    {
        new AdamWOptions().Cautious.Should().BeFalse();
        new AdamWOptions().CautiousWeightDecay.Should().BeFalse();
        new LionOptions().CautiousWeightDecay.Should().BeFalse();
        new MuonOptions().CautiousWeightDecay.Should().BeFalse();
        new RegOptions().CautiousWeightDecay.Should().BeFalse();
    }

    [Test]
    public void CautiousWeightDecaySparesCoordinatesTheUpdateMovesAwayFromZero()
    {
        // Lion's update is sign(c) = sign(g) on the first step. θ = (1, 1), g = (1, −1): the first coordinate moves
        // towards zero (decayed), the second away from zero (not decayed).
        using var p = new Parameter(Tensor.FromArray(new float[] { 1f, 1f }));
        using Optimizer lion = new LionOptions { LearningRate = 0.1, WeightDecay = 1, CautiousWeightDecay = true }.Create(new[] { p });
        p.Grad = Tensor.FromArray(new float[] { 1f, -1f });
        lion.Step();
        float[] after = p.ToArray<float>();
        after[0].Should().BeApproximately(1f - 0.1f * 1f - 0.1f, 1e-6f);
        after[1].Should().BeApproximately(1f + 0.1f, 1e-6f);
    }
}
