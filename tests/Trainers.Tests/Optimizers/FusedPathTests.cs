using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// The fused native updates (every optimizer with a Fused option) against the generic tensor-op path, the reference: the same
/// parameters and gradients through both for 30 steps, parameters compared after every step and every state tensor
/// at the end, with rtol 1e-6 / atol 1e-7. The fused loops follow the generic op order in float32 and round once
/// where libtorch's kernels use an FMA on the same CPU, so Adam/AdamW, Lion and SGD agree bit for bit on the machines
/// we ran (AVX2; the element-wise loops' agreement is asserted bit for bit below); the tolerance covers a CPU where the two could still round differently, and REG, whose row, column
/// and RMS sums the fused loop accumulates in double and libtorch in float32 (ulp-level differences from step 1).
/// </summary>
public class FusedPathTests
{
    private const int Steps = 30;

    // Shapes that cover: a matrix large enough to be split across threads and into several REG row blocks,
    // a small matrix, a 4-D kernel (REG views it as (out, −1)), a single-row matrix and a bias.
    private static readonly (string Name, long[] Shape)[] Shapes =
    {
        ("blocks.0.mlp.fc1.weight", new long[] { 300, 200 }),
        ("blocks.0.attn.qkv.weight", new long[] { 16, 24 }),
        ("conv.weight", new long[] { 8, 3, 2, 2 }),
        ("row.weight", new long[] { 1, 5 }),
        ("blocks.0.mlp.fc1.bias", new long[] { 24 }),
    };

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("adamw", fused => new AdamWOptions { LearningRate = 1e-2, Fused = fused });
        yield return Case("adamw amsgrad", fused => new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0.1, AmsGrad = true, Fused = fused });
        yield return Case("adamw maximize", fused => new AdamWOptions { LearningRate = 1e-2, Maximize = true, Fused = fused });
        yield return Case("adam L2", fused => new AdamOptions { LearningRate = 1e-2, WeightDecay = 0.05, Fused = fused });
        yield return Case("adam amsgrad", fused => new AdamOptions { LearningRate = 1e-2, AmsGrad = true, Beta2 = 0.99, Fused = fused });
        yield return Case("lion", fused => new LionOptions { LearningRate = 1e-3, WeightDecay = 0.1, Fused = fused });
        yield return Case("lion no decay", fused => new LionOptions { LearningRate = 1e-3, Beta1 = 0.95, Beta2 = 0.98, Fused = fused });
        foreach (var (name, sgd) in SgdCases().Concat(RmsPropCases()).Concat(AdaptiveCases()).Concat(SgdSaiCases()).Concat(MarsCases())) yield return Case(name, sgd);
        yield return Case("reg", fused => new RegOptions { LearningRate = 1e-2, Fused = fused, Fallback = new AdamWOptions { Fused = fused } });
        yield return Case("reg plain momentum", fused => new RegOptions
        {
            LearningRate = 1e-2, Nesterov = false, WeightDecay = 0, Momentum = 0.9, TargetRms = 0.5, Fused = fused,
            Fallback = new AdamWOptions { Fused = fused },
        });
    }

    // torch.optim.SGD's branches: plain with L2 decay (no state), heavy-ball momentum, dampening with decay, Nesterov, maximize.
    private static IEnumerable<(string, Func<bool, OptimizerOptions>)> SgdCases()
    {
        yield return ("sgd plain wd", fused => new SgdOptions { LearningRate = 0.05, WeightDecay = 0.01, Fused = fused });
        yield return ("sgd momentum", fused => new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Fused = fused });
        yield return ("sgd dampening wd", fused => new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Dampening = 0.1, WeightDecay = 0.01, Fused = fused });
        yield return ("sgd nesterov wd", fused => new SgdOptions { LearningRate = 0.05, Momentum = 0.9, Nesterov = true, WeightDecay = 0.05, Fused = fused });
        yield return ("sgd maximize", fused => new SgdOptions { LearningRate = 0.05, Momentum = 0.5, Maximize = true, Fused = fused });
    }

    // torch.optim.RMSprop's branches (plain, L2 decay, centered, momentum, both, maximize), NAdam's and AdaMod's.
    private static IEnumerable<(string, Func<bool, OptimizerOptions>)> RmsPropCases()
    {
        yield return ("rmsprop", fused => new RmsPropOptions { LearningRate = 1e-3, Fused = fused });
        yield return ("rmsprop wd", fused => new RmsPropOptions { LearningRate = 1e-3, WeightDecay = 0.05, Alpha = 0.9, Fused = fused });
        yield return ("rmsprop centered", fused => new RmsPropOptions { LearningRate = 1e-3, Centered = true, Fused = fused });
        yield return ("rmsprop momentum", fused => new RmsPropOptions { LearningRate = 1e-3, Momentum = 0.9, Fused = fused });
        yield return ("rmsprop centered momentum wd", fused => new RmsPropOptions { LearningRate = 1e-3, Centered = true, Momentum = 0.5, WeightDecay = 0.01, Fused = fused });
        yield return ("nadam", fused => new NAdamOptions { Fused = fused });
        yield return ("nadam wd", fused => new NAdamOptions { LearningRate = 1e-2, WeightDecay = 0.05, Beta2 = 0.99, Fused = fused });
        yield return ("nadam maximize", fused => new NAdamOptions { Maximize = true, MomentumDecay = 0.01, Fused = fused });
        yield return ("adamod", fused => new AdaModOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("adamod wd", fused => new AdaModOptions { LearningRate = 1e-2, WeightDecay = 0.05, Beta3 = 0.9, Fused = fused });
        yield return ("rmsprop maximize", fused => new RmsPropOptions { LearningRate = 1e-3, Maximize = true, Eps = 1e-3, Fused = fused });
    }

    // RAdam's branches (ρ_t ≤ 5 for the first steps at β2 = 0.999, then rectified; never rectified at β2 = 0.5; L2 decay;
    // maximize), AdaBound's (loose bounds, AMSBound with L2 decay, bounds tight enough to clip on both sides, γ = 0 with
    // an infinite upper bound), Adadelta's (η = 1, L2 decay with η ≠ 1, maximize) and AdEMAMix's (plain, decoupled decay
    // with both warmups running through the 30 steps, α = 1).
    private static IEnumerable<(string, Func<bool, OptimizerOptions>)> AdaptiveCases()
    {
        yield return ("grams", fused => new GramsOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("grams wd maximize", fused => new GramsOptions { LearningRate = 1e-2, WeightDecay = 0.1, Beta2 = 0.99, Maximize = true, Fused = fused });
        yield return ("adopt", fused => new AdoptOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("adopt l2 no clip maximize", fused => new AdoptOptions { LearningRate = 1e-2, WeightDecay = 0.05, Clip = false, Maximize = true, Fused = fused });
        yield return ("adopt decoupled timm clip", fused => new AdoptOptions { LearningRate = 1e-2, WeightDecay = 0.1, DecoupledWeightDecay = true, ClipExponent = 0.333, Eps = 1e-3, Fused = fused });
        yield return ("laprop", fused => new LaPropOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("laprop wd maximize", fused => new LaPropOptions { LearningRate = 1e-2, WeightDecay = 0.1, Beta1 = 0.5, Maximize = true, Fused = fused });
        // Rprop: the random gradients change sign often (η− and the forgotten gradient), the small maximum step clamps.
        yield return ("rprop", fused => new RpropOptions { Fused = fused });
        yield return ("rprop wd clamped maximize", fused => new RpropOptions
        {
            LearningRate = 0.05, WeightDecay = 0.01, StepSizeMax = 0.06, StepSizeMin = 0.01, Maximize = true, Fused = fused,
        });
        yield return ("radam", fused => new RAdamOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("radam never rectified", fused => new RAdamOptions { LearningRate = 1e-2, Beta2 = 0.5, Fused = fused });
        yield return ("radam wd", fused => new RAdamOptions { LearningRate = 1e-2, WeightDecay = 0.05, Beta2 = 0.99, Fused = fused });
        yield return ("radam maximize", fused => new RAdamOptions { Maximize = true, Eps = 1e-3, Fused = fused });
        yield return ("adabound", fused => new AdaBoundOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("adabound amsbound wd", fused => new AdaBoundOptions { LearningRate = 1e-2, AmsBound = true, WeightDecay = 0.05, Fused = fused });
        yield return ("adabound tight bounds", fused => new AdaBoundOptions { LearningRate = 1e-2, Gamma = 0.5, FinalLearningRate = 0.05, Fused = fused });
        yield return ("adabound gamma 0 maximize", fused => new AdaBoundOptions { Gamma = 0, Maximize = true, Fused = fused });
        yield return ("adadelta", fused => new AdadeltaOptions { Fused = fused });
        yield return ("adadelta wd", fused => new AdadeltaOptions { LearningRate = 0.5, Rho = 0.95, WeightDecay = 0.01, Fused = fused });
        yield return ("adadelta maximize", fused => new AdadeltaOptions { Maximize = true, Eps = 1e-4, Fused = fused });
        yield return ("ademamix", fused => new AdEMAMixOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("ademamix wd warmups", fused => new AdEMAMixOptions
        {
            LearningRate = 1e-2, WeightDecay = 0.1, AlphaWarmupSteps = 20, Beta3WarmupSteps = 20, Beta3 = 0.999, Fused = fused,
        });
        yield return ("ademamix alpha 1", fused => new AdEMAMixOptions { Alpha = 1, Beta1 = 0.8, Maximize = true, Fused = fused });
        yield return ("adagrad", fused => new AdagradOptions { Fused = fused });
        yield return ("adagrad wd lr decay initial sum", fused => new AdagradOptions
        {
            LearningRate = 0.05, WeightDecay = 0.01, LearningRateDecay = 0.1, InitialAccumulatorValue = 0.1, Fused = fused,
        });
        yield return ("adagrad maximize", fused => new AdagradOptions { Maximize = true, Eps = 1e-3, Fused = fused });
        yield return ("adabelief", fused => new AdaBeliefOptions { LearningRate = 1e-2, Fused = fused });
        yield return ("adabelief rectified early decoupled wd", fused => new AdaBeliefOptions { LearningRate = 1e-2, Beta2 = 0.9, WeightDecay = 0.1, Fused = fused });
        yield return ("adabelief unrectified l2", fused => new AdaBeliefOptions
        {
            LearningRate = 1e-2, Rectify = false, DecoupledWeightDecay = false, WeightDecay = 0.05, Eps = 1e-8, Fused = fused,
        });
        yield return ("adabelief no sgd maximize", fused => new AdaBeliefOptions { Beta2 = 0.9, DegenerateToSgd = false, Maximize = true, Fused = fused });
    }

    // SGD-SaI's branches: momentum with decoupled decay (the buffer created at the first step, then its EMA), plain
    // (no momentum, no decay, no state tensors), maximize.
    private static IEnumerable<(string, Func<bool, OptimizerOptions>)> SgdSaiCases()
    {
        yield return ("sgdsai", fused => new SgdSaiOptions { Fused = fused });
        yield return ("sgdsai plain", fused => new SgdSaiOptions { LearningRate = 1e-3, Momentum = 0, WeightDecay = 0, Fused = fused });
        yield return ("sgdsai maximize", fused => new SgdSaiOptions { LearningRate = 1e-3, Momentum = 0.5, Maximize = true, Fused = fused });
    }

    // MARS's branches: the AdamW flavour (2-D tensors; the others through its 1-D AdamW, the fused Adam loop), the Lion
    // flavour with decay, every tensor through MARS with g₀ = g₁. The large matrix's ‖c‖ is above 1 (clipped); the
    // direct kernel tests below also cover ‖c‖ ≤ 1.
    private static IEnumerable<(string, Func<bool, OptimizerOptions>)> MarsCases()
    {
        yield return ("mars", fused => new MarsOptions { Fused = fused });
        yield return ("mars lion wd", fused => new MarsOptions { LearningRate = 1e-3, Flavour = MarsFlavour.Lion, WeightDecay = 0.1, Fused = fused });
        yield return ("mars optimize1d paper init", fused => new MarsOptions
        {
            Optimize1D = true, ZeroInitialPreviousGradient = false, Gamma = 0.1, WeightDecay = 0.01, Maximize = true, Fused = fused,
        });
    }

    public static IEnumerable<TestCaseData> BitwiseCases() =>
        SgdCases().Concat(RmsPropCases()).Concat(AdaptiveCases()).Concat(SgdSaiCases()).Concat(MarsCases()).Select(c => new TestCaseData(c.Item2).SetName($"FusedIsBitIdenticalToGeneric({c.Item1})"));

    private static TestCaseData Case(string name, Func<bool, OptimizerOptions> options) => new TestCaseData(options).SetName($"FusedMatchesGeneric({name})");

    [TestCaseSource(nameof(Cases))]
    public void FusedMatchesGeneric(Func<bool, OptimizerOptions> options) => RunBothPaths(options, ShouldBeClose);

    /// <summary>
    /// SGD's, SGD-SaI's, RMSprop's, NAdam's, AdaMod's, RAdam's, AdaBound's, Adadelta's, AdEMAMix's and MARS's fused loops are one rounding per tensor op of the generic path, rounded as libtorch rounds it,
    /// so the two must agree exactly: parameters after every step and the state at the end. (The golden SGD
    /// trajectories from torch.optim.SGD run on the fused path too: their options keep the default Fused = true.)
    /// </summary>
    [TestCaseSource(nameof(BitwiseCases))]
    public void FusedIsBitIdenticalToGeneric(Func<bool, OptimizerOptions> options) => RunBothPaths(options, ShouldBeEqual);

    private static void RunBothPaths(Func<bool, OptimizerOptions> options, Action<Tensor, Tensor, string> compare)
    {
        List<NamedParameter> fusedParams = CreateParameters(), genericParams = CreateParameters();
        try
        {
            using Optimizer fused = options(true).Create(fusedParams);
            using Optimizer generic = options(false).Create(genericParams);
            using var g = new Generator(11);
            for (int step = 1; step <= Steps; step++)
            {
                // Gradient scales that change from step to step, so AMSGrad's running maximum matters.
                double scale = step % 3 == 0 ? 0.2 : 1 + 0.1 * step;
                for (int i = 0; i < Shapes.Length; i++)
                {
                    using Tensor grad = Tensor.Randn(Shapes[i].Shape, g).Mul_(scale);
                    fusedParams[i].Parameter.Grad = grad.Clone();
                    genericParams[i].Parameter.Grad = grad.Clone();
                }
                fused.Step();
                generic.Step();
                for (int i = 0; i < Shapes.Length; i++)
                    compare(fusedParams[i].Parameter, genericParams[i].Parameter, $"parameter '{Shapes[i].Name}' after step {step}");
            }

            using OptimizerState fusedState = fused.StateDict(), genericState = generic.StateDict();
            fusedState.Tensors.Keys.Should().BeEquivalentTo(genericState.Tensors.Keys);
            // Every case keeps state but SGD and SGD-SaI without momentum, so the comparison below is never vacuous for the others.
            if (options(false) is not (SgdOptions { Momentum: 0 } or SgdSaiOptions { Momentum: 0 })) fusedState.Tensors.Should().NotBeEmpty();
            foreach (var (key, t) in genericState.Tensors) compare(fusedState.Tensors[key], t, $"state '{key}'");
            fusedState.Scalars.Should().BeEquivalentTo(genericState.Scalars);
        }
        finally
        {
            foreach (var (_, p) in fusedParams.Concat(genericParams)) p.Dispose();
        }
    }

    [Test]
    public void TheFusedPathAppliesToTheTestParameters()
    {
        // The comparison above means something only if the fused side really took the fused path.
        List<NamedParameter> parameters = CreateParameters();
        try
        {
            using var optimizer = (AdamW)new AdamWOptions().Create(parameters);
            foreach (var (_, p) in parameters) p.Grad = p.OnesLike();
            optimizer.Step();
            foreach (var (_, p) in parameters)
            {
                ParameterState s = optimizer.StateOf(p);
                FusedOptimizerSteps.Supports(p, p.Grad!, s.Get("exp_avg"), s.Get("exp_avg_sq")).Should().BeTrue();
            }
        }
        finally
        {
            foreach (var (_, p) in parameters) p.Dispose();
        }
    }

    // The optimizer-level comparisons above would also pass if an optimizer never took its fused branch; these drive the
    // native kernels themselves against the generic optimizers.

    [TestCase(false, 0.0)]
    [TestCase(true, 0.9)]
    public void TheRmsPropKernelCalledDirectlyMatchesTheGenericOptimizer(bool centered, double momentum)
    {
        using var scope = DisposeScope.Enter();
        Tensor squareAvg = Tensor.Zeros(KernelShape), gradAvg = Tensor.Zeros(KernelShape), buf = Tensor.Zeros(KernelShape);
        KernelMatchesGenericOptimizer(
            new RmsPropOptions { LearningRate = 1e-3, Centered = centered, Momentum = momentum, WeightDecay = 0.01, Fused = false },
            (p, grad, _) => FusedOptimizerSteps.RmsProp_(p, grad, squareAvg, centered ? gradAvg : null, momentum > 0 ? buf : null, 1e-3, 0.99, 1e-8, momentum, 0.01));
    }

    [TestCase(0.999)] // ρ_t ≤ 5 for the first steps, then rectified
    [TestCase(0.5)]   // never rectified
    public void TheRAdamKernelCalledDirectlyMatchesTheGenericOptimizer(double beta2)
    {
        using var scope = DisposeScope.Enter();
        Tensor m = Tensor.Zeros(KernelShape), v = Tensor.Zeros(KernelShape);
        KernelMatchesGenericOptimizer(new RAdamOptions { LearningRate = 1e-2, Beta2 = beta2, WeightDecay = 0.01, Fused = false }, (p, grad, t) =>
        {
            // torch.optim.RAdam's ρ_t and r_t, written out independently of RAdam.cs.
            double bc1 = 1 - Math.Pow(0.9, t), bc2 = 1 - Math.Pow(beta2, t);
            double rhoInf = 2 / (1 - beta2) - 1, rhoT = rhoInf - 2 * t * Math.Pow(beta2, t) / bc2;
            double? rect = rhoT > 5 ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : null;
            FusedOptimizerSteps.RAdam_(p, grad, m, v, 1e-2, 0.9, beta2, 1e-8, 0.01, bc1, bc2, rect);
        });
    }

    [Test]
    public void TheAdagradKernelCalledDirectlyMatchesTheGenericOptimizer()
    {
        using var scope = DisposeScope.Enter();
        Tensor sum = Tensor.Full(KernelShape, 0.1);
        KernelMatchesGenericOptimizer(
            new AdagradOptions { LearningRate = 0.05, WeightDecay = 0.01, LearningRateDecay = 0.1, InitialAccumulatorValue = 0.1, Fused = false },
            (p, grad, t) => FusedOptimizerSteps.Adagrad_(p, grad, sum, 0.05 / (1 + (t - 1) * 0.1), 1e-10, 0.01));
    }

    [TestCase(true, true)]   // SGD steps while ρ_t < 5, rectified from step 6, decoupled decay
    [TestCase(false, false)] // Adam steps, L2 decay
    public void TheAdaBeliefKernelCalledDirectlyMatchesTheGenericOptimizer(bool rectify, bool decoupled)
    {
        using var scope = DisposeScope.Enter();
        Tensor m = Tensor.Zeros(KernelShape), s = Tensor.Zeros(KernelShape);
        const double lr = 1e-2, beta2 = 0.9, wd = 0.05, eps = 1e-8;
        var options = new AdaBeliefOptions { LearningRate = lr, Beta2 = beta2, WeightDecay = wd, Eps = eps, Rectify = rectify, DecoupledWeightDecay = decoupled, Fused = false };
        KernelMatchesGenericOptimizer(options, (p, grad, t) =>
        {
            // The official code's ρ_t and r_t, written out independently of AdaBelief.cs.
            double bc1 = 1 - Math.Pow(0.9, t), bc2 = 1 - Math.Pow(beta2, t);
            double rhoInf = 2 / (1 - beta2) - 1, rhoT = rhoInf - 2 * t * Math.Pow(beta2, t) / bc2;
            var (step, c) = !rectify ? (AdaBeliefStep.Adam, -lr / bc1)
                : rhoT >= 5 ? (AdaBeliefStep.Rectified, -lr * Math.Sqrt(bc2 * (rhoT - 4) / (rhoInf - 4) * (rhoT - 2) / rhoT * rhoInf / (rhoInf - 2)) / bc1)
                : (AdaBeliefStep.Sgd, -lr / bc1);
            FusedOptimizerSteps.AdaBelief_(p, grad, m, s, 0.9, beta2, eps, wd, decoupled, 1 - lr * wd, step, c, bc2);
        });
    }

    [TestCase(false, 1e-3)]
    [TestCase(true, 0.5)] // AMSBound, bounds that clip
    public void TheAdaBoundKernelCalledDirectlyMatchesTheGenericOptimizer(bool amsBound, double gamma)
    {
        using var scope = DisposeScope.Enter();
        Tensor m = Tensor.Zeros(KernelShape), v = Tensor.Zeros(KernelShape), vmax = Tensor.Zeros(KernelShape);
        const double lr = 1e-2;
        double finalLr = 0.1 * lr / lr; // AdaBound's final_lr·η/η₀, rounded as the optimizer rounds it
        KernelMatchesGenericOptimizer(new AdaBoundOptions { LearningRate = lr, AmsBound = amsBound, Gamma = gamma, WeightDecay = 0.01, Fused = false }, (p, grad, t) =>
        {
            double scale = lr * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            double lower = finalLr * (1 - 1 / (gamma * t + 1)), upper = finalLr * (1 + 1 / (gamma * t));
            FusedOptimizerSteps.AdaBound_(p, grad, m, v, amsBound ? vmax : null, 0.9, 0.999, 1e-8, 0.01, scale, lower, upper);
        });
    }

    [TestCase(1.0, 0.0)]
    [TestCase(0.5, 0.01)]
    public void TheAdadeltaKernelCalledDirectlyMatchesTheGenericOptimizer(double lr, double weightDecay)
    {
        using var scope = DisposeScope.Enter();
        Tensor squareAvg = Tensor.Zeros(KernelShape), accDelta = Tensor.Zeros(KernelShape);
        KernelMatchesGenericOptimizer(new AdadeltaOptions { LearningRate = lr, WeightDecay = weightDecay, Fused = false },
            (p, grad, _) => FusedOptimizerSteps.Adadelta_(p, grad, squareAvg, accDelta, lr, 0.9, 1e-6, weightDecay));
    }

    [TestCase(0.0, 0)]
    [TestCase(0.1, 4)] // decoupled decay, α and β3 warmups over the first 4 steps
    public void TheAdEMAMixKernelCalledDirectlyMatchesTheGenericOptimizer(double weightDecay, int warmup)
    {
        using var scope = DisposeScope.Enter();
        Tensor fast = Tensor.Zeros(KernelShape), slow = Tensor.Zeros(KernelShape), v = Tensor.Zeros(KernelShape);
        var options = new AdEMAMixOptions
        {
            LearningRate = 1e-2, WeightDecay = weightDecay, AlphaWarmupSteps = warmup, Beta3WarmupSteps = warmup, Beta3 = 0.999, Fused = false,
        };
        KernelMatchesGenericOptimizer(options, (p, grad, t) =>
            FusedOptimizerSteps.AdEMAMix_(p, grad, fast, slow, v, 1e-2, 0.9, 0.999, options.Beta3At(t), options.AlphaAt(t), 1e-8, weightDecay,
                                          1 - Math.Pow(0.9, t), 1 - Math.Pow(0.999, t)));
    }

    [TestCase(0.9, 0.01)]
    [TestCase(0.0, 0.0)]
    public void TheSgdSaiKernelCalledDirectlyMatchesTheGenericOptimizer(double momentum, double weightDecay)
    {
        using var scope = DisposeScope.Enter();
        Tensor buf = Tensor.Zeros(KernelShape);
        double gsnr = 0;
        KernelMatchesGenericOptimizer(new SgdSaiOptions { LearningRate = 1e-2, Momentum = momentum, WeightDecay = weightDecay, Fused = false }, (p, grad, t) =>
        {
            // The gsnr of the first gradient, ‖g‖/(std(g) + ε), as the optimizer computes it.
            if (t == 1) gsnr = grad.Norm().Item() / (grad.Std().Item() + 1e-8);
            FusedOptimizerSteps.SgdSai_(p, grad, momentum != 0 ? buf : null, 1e-2, momentum, weightDecay, gsnr, firstStep: t == 1);
        });
    }

    [TestCase(MarsFlavour.AdamW, 1.0)]   // ‖c‖ > 1: c is clipped
    [TestCase(MarsFlavour.AdamW, 1e-3)]  // ‖c‖ ≤ 1
    [TestCase(MarsFlavour.Lion, 1e-3)]
    public void TheMarsKernelCalledDirectlyMatchesTheGenericOptimizer(MarsFlavour flavour, double gradScale)
    {
        using var scope = DisposeScope.Enter();
        Tensor m = Tensor.Zeros(KernelShape), v = Tensor.Zeros(KernelShape), lastGrad = Tensor.Zeros(KernelShape);
        const double lr = 3e-3, beta1 = 0.95, beta2 = 0.99, gamma = 0.025, weightDecay = 0.01;
        var options = new MarsOptions { LearningRate = lr, Flavour = flavour, WeightDecay = weightDecay, Fused = false };
        KernelMatchesGenericOptimizer(options, (p, grad, t) =>
            FusedOptimizerSteps.Mars_(p, grad, lastGrad, m, flavour == MarsFlavour.AdamW ? v : null, lr, beta1, beta2, gamma * beta1 / (1 - beta1), 1e-8,
                                      weightDecay, 1 - Math.Pow(beta1, t), 1 - Math.Pow(beta2, t)), gradScale);
    }

    private static readonly long[] KernelShape = { 70, 50 };

    /// <summary>
    /// Six steps of the generic optimizer (<paramref name="genericOptions"/>, Fused = false) on one parameter, and of
    /// <paramref name="kernelStep"/>(parameter, gradient, step) on a copy, with gradients of about <paramref name="gradScale"/>;
    /// the parameters must agree bit for bit after every step.
    /// </summary>
    private static void KernelMatchesGenericOptimizer(OptimizerOptions genericOptions, Action<Tensor, Tensor, long> kernelStep, double gradScale = 1)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        Tensor start = Tensor.Randn(KernelShape, g);
        using var reference = new Parameter(start.Clone());
        using Optimizer generic = genericOptions.Create(new[] { reference });
        Tensor p = start.Clone();
        for (int step = 1; step <= 6; step++)
        {
            Tensor grad = Tensor.Randn(KernelShape, g).Mul_(gradScale * (step % 3 == 0 ? 0.2 : 1 + 0.1 * step));
            reference.Grad = grad.Clone();
            generic.Step();
            kernelStep(p, grad, step);
            ShouldBeEqual(p, reference, $"the parameter after step {step}");
        }
    }

    [Test]
    public void OtherDtypesTakeTheGenericPath()
    {
        // float64 parameters are not fusable: the optimizer must still update them (generically), without error.
        using var p = new Parameter(Tensor.Ones(new long[] { 4, 3 }, ScalarType.Float64));
        using var q = new Parameter(Tensor.Ones(new long[] { 4, 3 }, ScalarType.Float64));
        using Optimizer reg = new RegOptions { LearningRate = 0.1 }.Create(new[] { p });
        using Optimizer lion = new LionOptions { LearningRate = 0.1 }.Create(new[] { q });
        p.Grad = p.OnesLike();
        q.Grad = q.OnesLike();
        reg.Step();
        lion.Step();
        using Tensor ones = Tensor.Ones(new long[] { 4, 3 }, ScalarType.Float64);
        p.AllClose(ones).Should().BeFalse();
        q.AllClose(ones.Mul(0.9)).Should().BeTrue();
    }

    [Test]
    public void TheShimRefusesBuffersItCannotFuse()
    {
        using var p = Tensor.Zeros(new long[] { 4, 3 });
        using var m = Tensor.Zeros(new long[] { 4, 3 });
        using var wrongDtype = Tensor.Zeros(new long[] { 4, 3 }, ScalarType.Float64);
        using var wrongSize = Tensor.Zeros(new long[] { 5 });
        using Tensor transposed = Tensor.Zeros(new long[] { 3, 4 }).MT;

        FusedOptimizerSteps.Supports(p, m).Should().BeTrue();
        FusedOptimizerSteps.Supports(p, wrongDtype).Should().BeFalse();
        FusedOptimizerSteps.Supports(p, transposed).Should().BeFalse();
        FusedOptimizerSteps.Supports(p, wrongSize).Should().BeFalse();

        Action dtype = () => FusedOptimizerSteps.Lion_(p, wrongDtype, m, 1e-3, 0.9, 0.99, 0);
        dtype.Should().Throw<TorchException>().WithMessage("*gradient must be a contiguous float32 CPU tensor, got Double*");
        Action size = () => FusedOptimizerSteps.Adam_(p, p, m, wrongSize, null, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1);
        size.Should().Throw<TorchException>().WithMessage("*exp_avg_sq has 5 elements but the parameter has 12*");
        Action layout = () => FusedOptimizerSteps.Reg_(p, transposed, m, 4, 1e-3, 0.95, true, 0.2, 1e-8, 0);
        layout.Should().Throw<TorchException>().WithMessage("*non-contiguous*");
        Action rows = () => FusedOptimizerSteps.Reg_(p, p, m, 5, 1e-3, 0.95, true, 0.2, 1e-8, 0);
        rows.Should().Throw<TorchException>().WithMessage("*12 elements do not form a matrix of 5 rows*");
        Action noBuffer = () => FusedOptimizerSteps.Sgd_(p, p, null, 1e-3, 0.9, 0, false, 0, false);
        noBuffer.Should().Throw<TorchException>().WithMessage("*momentum needs a momentum_buffer*");
    }

    [Test]
    public void RpropTreatsNaNZeroAndInfiniteGradientsAsTheGenericPathDoes()
    {
        // torch.sign gives 0 for NaN, so a NaN gradient neither moves θ nor changes its step; it stays in g_prev.
        float[] first = { 1f, -1f, float.NaN, 0f, 2f, float.PositiveInfinity, -3f, 0.5f };
        float[] second = { -1f, -1f, 1f, float.NaN, 0f, 1f, float.NegativeInfinity, -0.5f };
        float[] Run(bool fused, out float[] prev, out float[] step)
        {
            using var p = new Parameter(Tensor.FromArray(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f }));
            using Optimizer rprop = new RpropOptions { LearningRate = 0.1, WeightDecay = 0.01, Fused = fused }.Create(new[] { p });
            foreach (float[] g in new[] { first, second })
            {
                p.Grad = Tensor.FromArray(g);
                rprop.Step();
            }
            using OptimizerState state = rprop.StateDict();
            prev = state.Tensors.Single(kv => kv.Key.EndsWith("prev", StringComparison.Ordinal)).Value.ToArray<float>();
            step = state.Tensors.Single(kv => kv.Key.EndsWith("step_size", StringComparison.Ordinal)).Value.ToArray<float>();
            return p.Detach().ToArray<float>();
        }
        float[] fusedParams = Run(true, out float[] fusedPrev, out float[] fusedStep);
        float[] genericParams = Run(false, out float[] genericPrev, out float[] genericStep);
        static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
        Bits(fusedParams).Should().Equal(Bits(genericParams));
        Bits(fusedPrev).Should().Equal(Bits(genericPrev));
        Bits(fusedStep).Should().Equal(Bits(genericStep));
        float.IsNaN(genericParams[2]).Should().BeFalse("a NaN gradient's sign is 0 in torch 1.13");
    }

    [Test]
    public void AmsGradKeepsANaNInItsRunningMaximumAsTheGenericPathDoes()
    {
        // vmax.maximum_(v) propagates a NaN from either side; std::max(vmax, v) used to drop one coming from v.
        using var scope = DisposeScope.Enter();
        Tensor p = Tensor.Ones(64), m = Tensor.Zeros(64), v = Tensor.Zeros(64), vmax = Tensor.Zeros(64), grad = Tensor.Ones(64);
        grad.Select(0, 2).Fill_(double.NaN);
        vmax.Select(0, 5).Fill_(double.NaN);
        FusedOptimizerSteps.Adam_(p, grad, m, v, vmax, 1e-3, 0.9, 0.999, 1e-8, 0, true, 1);
        using Tensor nan = vmax.IsNaN();
        nan.Select(0, 2).Item().Should().Be(1, "a NaN in v reaches the maximum");
        nan.Select(0, 5).Item().Should().Be(1, "a NaN already in the maximum stays");
        nan.Sum().Item().Should().Be(2);
        vmax.Select(0, 0).Item().Should().Be(v.Select(0, 0).Item());
    }

    private static List<NamedParameter> CreateParameters()
    {
        using var g = new Generator(3);
        return Shapes.Select(s => new NamedParameter(s.Name, new Parameter(Tensor.Randn(s.Shape, g)))).ToList();
    }

    private static void ShouldBeEqual(Tensor actual, Tensor expected, string what)
    {
        if (actual.Equal(expected)) return;
        using Tensor diff = actual.Sub(expected).Abs().Max();
        Assert.Fail($"fused and generic are not bit-identical in {what}: max |diff| {diff.Item():G4}.");
    }

    private static void ShouldBeClose(Tensor actual, Tensor expected, string what)
    {
        if (actual.AllClose(expected, rtol: 1e-6, atol: 1e-7)) return;
        using Tensor diff = actual.Sub(expected).Abs().Max();
        Assert.Fail($"fused and generic differ in {what}: max |diff| {diff.Item():G4}.");
    }
}
