using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaBound (Luo et al., "Adaptive Gradient Methods with Dynamic Bound of Learning Rate", arXiv 1902.09843), as the
/// official Luolc/AdaBound code: Adam's moments with L2 weight decay; per-element step
/// s = (η√bc2/bc1)/(√v + ε) clipped to [η*(1 − 1/(γt+1)), η*(1 + 1/(γt))], η* = final_lr·η/η₀ (η₀ the base rate, so a
/// schedule moves the bounds too); θ ← θ − s⊙m. The bounds converge to η*: Adam early, SGD late.
/// Defaults η = 1e-3, β = (0.9, 0.999), final_lr = 0.1, γ = 1e-3, ε = 1e-8, λ = 0.
/// State: 8 bytes/parameter (12 with AMSBound).
/// </summary>
public sealed record AdaBoundOptions : AdaptiveMomentOptions
{
    public AdaBoundOptions() => LearningRate = 1e-3;

    /// <summary>The SGD learning rate the bounds converge to (at the base η).</summary>
    public double FinalLearningRate { get; init => field = OptionChecks.NonNegative(value, nameof(FinalLearningRate)); } = 0.1;

    /// <summary>The convergence speed γ of the bounds, in [0, 1).</summary>
    public double Gamma { get; init => field = OptionChecks.Beta(value, nameof(Gamma)); } = 1e-3;

    /// <summary>AMSBound: the running maximum of v (PyTorch's AMSGrad convention).</summary>
    public bool AmsBound { get; init; }

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adabound";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaBound(this, groups);
}

/// <summary>AdaBound; see <see cref="AdaBoundOptions"/>.</summary>
public sealed class AdaBound : ParameterwiseOptimizer<AdaBoundOptions>
{
    public AdaBound(AdaBoundOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdaBoundOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step), bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        double stepScale = lr * Math.Sqrt(bc2) / bc1;
        double baseLr = group.InitialLearningRate;
        double finalLr = baseLr > 0 ? o.FinalLearningRate * lr / baseLr : 0;
        double lower = finalLr * (1 - 1 / (o.Gamma * state.Step + 1));
        // γ = 0: the bounds never tighten and there is no upper one (the formula's finalLr·∞ would be 0·∞ = NaN once a
        // schedule takes the learning rate to 0).
        double upper = o.Gamma == 0 ? double.PositiveInfinity : finalLr * (1 + 1 / (o.Gamma * state.Step));
        if (FusedUpdates.TryAdaBound(o, p, grad, state, stepScale, lower, upper)) return;

        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        var (m, v, _, _) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        if (o.AmsBound)
        {
            Tensor vmax = state.GetOrCreate("max_exp_avg_sq", () => p.ZerosLike());
            vmax.Maximum_(v);
            v = vmax;
        }
        Tensor step = p.OnesLike().Mul_(stepScale).Div_(v.Sqrt().Add_(o.Eps));
        step.Clamp_(lower, upper).Mul_(m);
        p.Sub_(step);
    }
}
