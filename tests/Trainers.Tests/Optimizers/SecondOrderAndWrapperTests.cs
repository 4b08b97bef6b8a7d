using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>The closure framework, the curvature optimizers and the wrappers beyond the golden trajectories.</summary>
public class SecondOrderAndWrapperTests
{
    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> create, string param) =>
            new TestCaseData(create, param).SetName($"Rejects {label}");

        yield return Case("SAM Rho = 0", () => new SamOptions { Rho = 0 }, "Rho");
        yield return Case("SAM LearningRate = -1", () => new SamOptions { LearningRate = -1 }, "LearningRate");
        yield return Case("XGrad PredictionSteps = 0", () => new XGradOptions { PredictionSteps = 0 }, "PredictionSteps");
        yield return Case("AdaGC Beta = 1", () => new AdaGcOptions { Beta = 1 }, "Beta");
        yield return Case("AdaGC RelativeThreshold = 0", () => new AdaGcOptions { RelativeThreshold = 0 }, "RelativeThreshold");
        yield return Case("AdaGC WarmupSteps = -1", () => new AdaGcOptions { WarmupSteps = -1 }, "WarmupSteps");
        yield return Case("SOAP PreconditionFrequency = 0", () => new SoapOptions { PreconditionFrequency = 0 }, "PreconditionFrequency");
        yield return Case("SOAP MaxPreconditionDim = 0", () => new SoapOptions { MaxPreconditionDim = 0 }, "MaxPreconditionDim");
        yield return Case("SOAP Beta2 = 1", () => new SoapOptions { Beta2 = 1 }, "Beta2");
        yield return Case("AdaHessian HessianPower = 1.5", () => new AdaHessianOptions { HessianPower = 1.5 }, "HessianPower");
        yield return Case("AdaHessian UpdatePeriod = 0", () => new AdaHessianOptions { UpdatePeriod = 0 }, "UpdatePeriod");
        yield return Case("AdaHessian Eps = 0", () => new AdaHessianOptions { Eps = 0 }, "Eps");
        yield return Case("Sophia Gamma = 0", () => new SophiaOptions { Gamma = 0 }, "Gamma");
        yield return Case("Sophia HessianUpdatePeriod = 0", () => new SophiaOptions { HessianUpdatePeriod = 0 }, "HessianUpdatePeriod");
        yield return Case("Sophia Seed = -1", () => new SophiaOptions { Seed = -1 }, "Seed");
        yield return Case("Ranger21 TotalIterations = 0", () => new Ranger21Options { TotalIterations = 0 }, "TotalIterations");
        yield return Case("Ranger21 WarmdownStart = 1.5", () => new Ranger21Options { WarmdownStart = 1.5 }, "WarmdownStart");
        yield return Case("Ranger21 LookaheadSteps = 0", () => new Ranger21Options { LookaheadSteps = 0 }, "LookaheadSteps");
        yield return Case("Ranger21 SoftplusBeta = 0", () => new Ranger21Options { SoftplusBeta = 0 }, "SoftplusBeta");
        yield return Case("Gravity Beta = 1", () => new GravityOptions { Beta = 1 }, "Beta");
        yield return Case("Gravity Alpha = -1", () => new GravityOptions { Alpha = -1 }, "Alpha");
        yield return Case("NAG-GS Mu = 0", () => new NagGsOptions { Mu = 0 }, "Mu");
        yield return Case("NAG-GS Gamma = -1", () => new NagGsOptions { Gamma = -1 }, "Gamma");
        yield return Case("ANO Beta2 = 1", () => new AnoOptions { Beta2 = 1 }, "Beta2");
        yield return Case("Anolog Eps = 0", () => new AnologOptions { Eps = 0 }, "Eps");
        yield return Case("AuON Momentum = 1", () => new AuOnOptions { Momentum = 1 }, "Momentum");
        yield return Case("ROOT OutlierQuantile = 1.1", () => new RootOptions { OutlierQuantile = 1.1 }, "OutlierQuantile");
        yield return Case("ROOT OutlierThreshold = -1", () => new RootOptions { OutlierThreshold = -1 }, "OutlierThreshold");
        yield return Case("SANIA WeightDecay = 0.1", () => new SaniaOptions { WeightDecay = 0.1 }, "WeightDecay");
        yield return Case("SANIA Eps = 0", () => new SaniaOptions { Eps = 0 }, "Eps");
        yield return Case("SANIA OptimalLoss = NaN", () => new SaniaOptions { OptimalLoss = double.NaN }, "OptimalLoss");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidValueNamesTheField(Func<OptimizerOptions> create, string param)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(param);
    }

    [Test]
    public void NewOptimizersAreRegistered()
    {
        foreach (string name in new[] { "sam", "xgrad", "adagc", "soap", "adahessian", "sophia", "ranger21", "gravity", "naggs",
                     "ano", "anolog", "auon", "root", "sania" })
            OptimizerRegistry.Names.Should().Contain(name);
        OptimizerRegistry.Create("adagc").Should().BeOfType<AdaGcOptions>().Which.Inner.WeightDecay.Should().Be(0.1);
    }

    [TestCase("sam")]
    [TestCase("xgrad")]
    [TestCase("adahessian")]
    [TestCase("sophia")]
    [TestCase("sania")]
    public void ClosureOptimizersRefuseAPlainStep(string name)
    {
        using var problem = new TinyRegression();
        using Optimizer optimizer = OptimizerRegistry.Create(name).Create(problem.Model);
        optimizer.RequiresClosure.Should().BeTrue();
        problem.LossAndBackward();
        Action step = () => optimizer.Step();
        step.Should().Throw<InvalidOperationException>().WithMessage("*closure*");
    }

    [Test]
    public void TheDefaultClosureStepCallsTheClosureOnceThenSteps()
    {
        using var problem = new TinyRegression();
        using Optimizer adam = new AdamWOptions().Create(problem.Model);
        int calls = 0;
        double? loss = adam.Step(() => { calls++; return problem.LossAndBackward(); });
        calls.Should().Be(1);
        loss.Should().BeGreaterThan(0);
        adam.StepCount.Should().Be(1);
    }

    [Test]
    public void SamEvaluatesTheGradientTwiceAndTheSecondTimeAtThePerturbedWeights()
    {
        using var p = new Parameter(Tensor.FromArray(new float[] { 3f, 4f }));
        var options = new SamOptions { Inner = new SgdOptions { LearningRate = 0.1 }, Rho = 0.5 };
        using Optimizer sam = options.Create(new[] { p });
        var seen = new List<float[]>();
        double Closure()
        {
            using var scope = DisposeScope.Enter();
            p.Grad = null;
            seen.Add(p.ToArray<float>());
            Tensor loss = p.Square().Sum() * 0.5; // ∇ = θ
            LossClosure.Backward(loss);
            return loss.Item();
        }
        double? loss = sam.Step(Closure);
        seen.Should().HaveCount(2, "SAM takes a second gradient at θ + ε̂");
        loss.Should().BeApproximately(12.5, 1e-6, "the returned loss is the first call's");
        // ε̂ = ρ·g/‖g‖ = 0.5·(3, 4)/5 = (0.3, 0.4); the second gradient is θ + ε̂ = (3.3, 4.4).
        seen[1][0].Should().BeApproximately(3.3f, 1e-6f);
        seen[1][1].Should().BeApproximately(4.4f, 1e-6f);
        float[] after = p.ToArray<float>();
        after[0].Should().BeApproximately(3f - 0.33f, 1e-6f, "the SGD step uses the perturbed gradient at the restored weights");
        after[1].Should().BeApproximately(4f - 0.44f, 1e-6f);
    }

    [Test]
    public void AsamScalesThePerturbationByTheWeights()
    {
        using var p = new Parameter(Tensor.FromArray(new float[] { 1f, 2f }));
        using Optimizer asam = new SamOptions { Inner = new SgdOptions { LearningRate = 0 }, Rho = 1, Adaptive = true }.Create(new[] { p });
        var seen = new List<float[]>();
        asam.Step(() =>
        {
            using var scope = DisposeScope.Enter();
            p.Grad = null;
            seen.Add(p.ToArray<float>());
            p.Grad = Tensor.FromArray(new float[] { 1f, 1f });
            return 0;
        });
        // Tg = (1, 2), ‖Tg‖ = √5, ε̂ = T²g/‖Tg‖ = (1, 4)/√5.
        seen[1][0].Should().BeApproximately(1f + 1f / MathF.Sqrt(5), 1e-6f);
        seen[1][1].Should().BeApproximately(2f + 4f / MathF.Sqrt(5), 1e-6f);
        p.ToArray<float>().Should().Equal(1f, 2f);
    }

    [Test]
    public void HutchinsonEstimateMatchesTheExactHessianDiagonalOnAQuadratic()
    {
        // f(x) = ½ xᵀAx with a dense symmetric A: the Hessian is A, E[z⊙Az] = diag(A), Var = Σ_{j≠i} A_ij² per draw.
        float[,] a =
        {
            { 4.0f, 1.0f, -0.5f, 0.3f },
            { 1.0f, 3.0f, 0.7f, -1.2f },
            { -0.5f, 0.7f, 2.0f, 0.4f },
            { 0.3f, -1.2f, 0.4f, 1.5f },
        };
        using Tensor matrix = Tensor.FromArray(a);
        using var x = new Parameter(Tensor.FromArray(new float[] { 0.5f, -1f, 2f, 0.3f }));
        using var generator = new Generator(11);
        const int draws = 4000;
        var sum = new double[4];
        var parameters = new[] { x };
        for (int k = 0; k < draws; k++)
        {
            using var scope = DisposeScope.Enter();
            using LossClosure.GraphCapture capture = LossClosure.Capture(parameters);
            x.Grad = null;
            Tensor loss = x.Unsqueeze(0).Matmul(matrix).Matmul(x.Unsqueeze(1)).Sum() * 0.5;
            LossClosure.Backward(loss);
            Tensor estimate = Hutchinson.DiagonalEstimate(parameters, capture.Gradients!, generator)[0]!;
            float[] e = estimate.ToArray<float>();
            for (int i = 0; i < 4; i++) sum[i] += e[i];
        }
        for (int i = 0; i < 4; i++)
        {
            double variance = 0;
            for (int j = 0; j < 4; j++) if (j != i) variance += a[i, j] * a[i, j];
            double tolerance = 5 * Math.Sqrt(variance / draws);
            (sum[i] / draws).Should().BeApproximately(a[i, i], tolerance, $"the Hutchinson mean of diagonal entry {i}");
        }
    }

    [Test]
    public void CurvatureOptimizersNeedTheGraphFromLossClosureBackward()
    {
        using var problem = new TinyRegression();
        using Optimizer adahessian = new AdaHessianOptions().Create(problem.Model);
        Action step = () => adahessian.Step(() =>
        {
            using var scope = DisposeScope.Enter();
            problem.Model.ZeroGrad();
            Tensor loss = Functional.MseLoss(problem.Model.Forward(problem.Inputs), problem.Targets);
            loss.Backward(); // not LossClosure.Backward: no graph is kept
            return loss.Item();
        });
        step.Should().Throw<InvalidOperationException>().WithMessage("*LossClosure.Backward*");
    }

    private static IEnumerable<TestCaseData> WrappersAroundMuonAndLion()
    {
        OptimizerOptions muon = new MuonOptions { LearningRate = 0.02 };
        OptimizerOptions lion = new LionOptions { LearningRate = 3e-3 };
        foreach (var (innerName, inner) in new[] { ("muon", muon), ("lion", lion) })
        {
            yield return new TestCaseData(new SamOptions { Inner = inner }).SetName($"SAM around {innerName}");
            yield return new TestCaseData(new SamOptions { Inner = inner, Adaptive = true, Rho = 0.5 }).SetName($"ASAM around {innerName}");
            yield return new TestCaseData(new XGradOptions { Inner = inner }).SetName($"XGrad around {innerName}");
            yield return new TestCaseData(new AdaGcOptions { Inner = inner, WarmupSteps = 10 }).SetName($"AdaGC around {innerName}");
            yield return new TestCaseData(new LookaheadOptions { Inner = new SamOptions { Inner = inner } }).SetName($"Lookahead over SAM around {innerName}");
            yield return new TestCaseData(new AdaGcOptions { Inner = new SamOptions { Inner = inner } }).SetName($"AdaGC over SAM around {innerName}");
            yield return new TestCaseData(new SggOptions { Inner = inner, ReclusterInterval = 3 }).SetName($"SGG around {innerName}");
            yield return new TestCaseData(new SggOptions { Inner = new SamOptions { Inner = inner }, ReclusterInterval = 3 }).SetName($"SGG over SAM around {innerName}");
        }
    }

    [TestCaseSource(nameof(WrappersAroundMuonAndLion))]
    public void WrappersTrainAndResumeBitwiseAroundMuonAndLion(OptimizerOptions options)
    {
        TorchRuntime.NumThreads = 1;
        using var original = new TinyRegression();
        using Optimizer first = options.Create(original.Model);
        first.Describe().Should().NotBeEmpty();
        double initial = original.Loss();
        for (int i = 0; i < 100; i++) original.TrainStep(first);
        original.Loss().Should().BeLessThan(initial / 2, $"{options.Name} around its inner optimizer should train");

        using var copy = new TinyRegression();
        copy.Model.LoadStateDict(original.Model.StateDict());
        using Optimizer second = options.Create(copy.Model);
        using (OptimizerState state = first.StateDict()) second.LoadStateDict(state);
        second.StepCount.Should().Be(first.StepCount);
        for (int i = 0; i < 5; i++)
        {
            original.TrainStep(first);
            copy.TrainStep(second);
        }
        foreach (var ((n, a), (_, b)) in original.Model.NamedParameters().Zip(copy.Model.NamedParameters()))
            a.Equal(b).Should().BeTrue($"'{n}' must stay bitwise equal after resuming");
    }

    [Test]
    public void AdaGcAroundSamClipsOnlyTheFirstGradient()
    {
        using var p = new Parameter(Tensor.FromArray(new float[] { 3f, 4f }));
        var options = new AdaGcOptions { Inner = new SamOptions { Inner = new SgdOptions { LearningRate = 1 }, Rho = 0.5 }, AbsoluteThreshold = 1 };
        using Optimizer optimizer = options.Create(new[] { p });
        optimizer.RequiresClosure.Should().BeTrue();
        int calls = 0;
        optimizer.Step(() =>
        {
            using var scope = DisposeScope.Enter();
            calls++;
            p.Grad = null;
            Tensor loss = p.Square().Sum() * 0.5;
            LossClosure.Backward(loss);
            return loss.Item();
        });
        calls.Should().Be(2);
        // First gradient (3, 4) clipped to norm 1 → ε̂ = 0.5·(0.6, 0.8); second gradient (3.3, 4.4) unclipped, SGD lr 1.
        float[] after = p.ToArray<float>();
        after[0].Should().BeApproximately(3f - 3.3f, 1e-5f);
        after[1].Should().BeApproximately(4f - 4.4f, 1e-5f);
    }

    [Test]
    public void Ranger21WarmsUpAndWarmsDown()
    {
        var o = new Ranger21Options { TotalIterations = 100, LearningRate = 1 };
        // Warm-up W = min(⌈2/(1 − 0.999)⌉, ⌊0.22·100⌋) = 22; warm-down from step 72 to 3e-5 at step 100.
        o.LearningRateAt(1, 11).Should().BeApproximately(0.5, 1e-12);
        o.LearningRateAt(1, 50).Should().Be(1);
        o.LearningRateAt(1, 86).Should().BeApproximately(1 - (1 - 3e-5) * 14 / 28.0, 1e-12);
        o.LearningRateAt(1, 100).Should().BeApproximately(3e-5, 1e-12);
    }

    [Test]
    public void SoapSkipsTheFirstStepAndKeepsOneDimensionalTensorsUnrotated()
    {
        using var w = new Parameter(Tensor.FromArray(new float[,] { { 1f, 2f }, { 3f, 4f }, { 5f, 6f } }));
        using var b = new Parameter(Tensor.FromArray(new float[] { 1f, 1f, 1f }));
        using var soap = (Soap)new SoapOptions().Create(new[] { w, b });
        w.Grad = w.OnesLike();
        b.Grad = b.OnesLike();
        soap.Step();
        w.ToArray<float>().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);
        soap.StateOf(w).Tensors.Keys.Should().Contain(new[] { "L", "R", "QL", "QR" });
        soap.StateOf(b).Tensors.Keys.Should().NotContain("QL");
        soap.StateBytes.Should().Be(4 * (6 + 6 + 9 + 4 + 9 + 4) + 4 * (3 + 3));
    }
}

public class ClosureWrapperCompositionTests
{
    [Test]
    public void SamAndXGradRejectAnInnerOptimizerThatNeedsAClosure()
    {
        using var p = new Parameter(Tensor.Zeros(2));
        Action sam = () => new SamOptions { Inner = new SaniaOptions() }.Create(new[] { p }).Dispose();
        Action xgrad = () => new XGradOptions { Inner = new SamOptions() }.Create(new[] { p }).Dispose();
        sam.Should().Throw<ArgumentException>().WithMessage("*must not need a closure*");
        xgrad.Should().Throw<ArgumentException>().WithMessage("*must not need a closure*");
    }
}
