using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaMod (Ding, Ren, Luo &amp; Sun, "An Adaptive and Momental Bound Method for Stochastic Learning", arXiv 1910.12249),
/// as the official lancopku/AdaMod code: Adam's moments with L2 weight decay; per-element step
/// s = (η√bc2/bc1)/(√v + ε); its long-term EMA ŝ ← β3ŝ + (1−β3)s (not bias-corrected, so early steps are damped);
/// θ ← θ − min(s, ŝ)⊙m. Defaults (official) η = 1e-3, β = (0.9, 0.999), β3 = 0.999, ε = 1e-8, λ = 0
/// (pytorch-optimizer uses β2 = 0.99, β3 = 0.9999). State: 12 bytes/parameter.
/// </summary>
public sealed record AdaModOptions : AdaptiveMomentOptions
{
    public AdaModOptions() => LearningRate = 1e-3;

    /// <summary>The rate β3 of the step-size EMA (memory ≈ 1/(1−β3) steps).</summary>
    public double Beta3 { get; init => field = OptionChecks.Beta(value, nameof(Beta3)); } = 0.999;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adamod";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaMod(this, groups);
}

/// <summary>AdaMod; see <see cref="AdaModOptions"/>.</summary>
public sealed class AdaMod : ParameterwiseOptimizer<AdaModOptions>
{
    public AdaMod(AdaModOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdaModOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step), bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        double stepScale = lr * Math.Sqrt(bc2) / bc1;
        if (FusedUpdates.TryAdaMod(o, p, grad, state, stepScale)) return;
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        var (m, v, _, _) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        Tensor stepAverage = state.GetOrCreate("exp_avg_lr", () => p.ZerosLike());
        Tensor step = p.OnesLike().Mul_(stepScale).Div_(v.Sqrt().Add_(o.Eps));
        stepAverage.Mul_(o.Beta3).Add_(step, 1 - o.Beta3);
        step.Minimum_(stepAverage).Mul_(m);
        p.Sub_(step);
    }
}
