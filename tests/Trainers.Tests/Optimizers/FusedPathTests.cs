using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// The fused native updates (AdamW/Adam, Lion, SGD, REG) against the generic tensor-op path, the reference: the same
/// parameters and gradients through both for 30 steps, parameters compared after every step and every state tensor
/// at the end, with rtol 1e-6 / atol 1e-7. The fused loops follow the generic op order in float32 and round once
/// where libtorch's kernels use an FMA on the same CPU, so Adam/AdamW, Lion and SGD agree bit for bit on the machines
/// we ran (AVX2; SGD's agreement is asserted bit for bit below); the tolerance covers a CPU where the two could still round differently, and REG, whose row, column
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
        foreach (var (name, sgd) in SgdCases().Concat(RmsPropCases())) yield return Case(name, sgd);
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

    public static IEnumerable<TestCaseData> BitwiseCases() =>
        SgdCases().Concat(RmsPropCases()).Select(c => new TestCaseData(c.Item2).SetName($"FusedIsBitIdenticalToGeneric({c.Item1})"));

    private static TestCaseData Case(string name, Func<bool, OptimizerOptions> options) => new TestCaseData(options).SetName($"FusedMatchesGeneric({name})");

    [TestCaseSource(nameof(Cases))]
    public void FusedMatchesGeneric(Func<bool, OptimizerOptions> options) => RunBothPaths(options, ShouldBeClose);

    /// <summary>
    /// SGD's, RMSprop's, NAdam's and AdaMod's fused loops are one rounding per tensor op of the generic path, rounded as libtorch rounds it,
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
            // Every case keeps state but SGD without momentum, so the comparison below is never vacuous for the others.
            if (options(false) is not SgdOptions { Momentum: 0 }) fusedState.Tensors.Should().NotBeEmpty();
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

    [TestCase(false, 0.0)]
    [TestCase(true, 0.9)]
    public void TheRmsPropKernelCalledDirectlyMatchesTheGenericOptimizer(bool centered, double momentum)
    {
        // The optimizer-level comparison above would also pass if RMSprop never took its fused branch; this drives the
        // native kernel itself against the generic optimizer.
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        Tensor start = Tensor.Randn(new long[] { 70, 50 }, g);
        using var reference = new Parameter(start.Clone());
        using Optimizer generic = new RmsPropOptions { LearningRate = 1e-3, Centered = centered, Momentum = momentum, WeightDecay = 0.01, Fused = false }.Create(new[] { reference });
        Tensor p = start.Clone(), squareAvg = p.ZerosLike(), gradAvg = p.ZerosLike(), buf = p.ZerosLike();
        for (int step = 0; step < 5; step++)
        {
            Tensor grad = Tensor.Randn(new long[] { 70, 50 }, g);
            reference.Grad = grad.Clone();
            generic.Step();
            FusedOptimizerSteps.RmsProp_(p, grad, squareAvg, centered ? gradAvg : null, momentum > 0 ? buf : null, 1e-3, 0.99, 1e-8, momentum, 0.01);
            ShouldBeEqual(p, reference, $"the parameter after step {step + 1}");
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
