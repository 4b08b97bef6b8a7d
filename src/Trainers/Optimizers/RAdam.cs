using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// RAdam (Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond", arXiv 1908.03265), as torch.optim.RAdam 1.13:
/// g ← g + λθ; Adam moments; ρ∞ = 2/(1−β2) − 1, ρ_t = ρ∞ − 2tβ2^t/bc2; if ρ_t &gt; 5:
/// θ ← θ − η·r_t·(m/bc1)·√bc2/(√v + ε) with r_t = √[(ρ_t−4)(ρ_t−2)ρ∞/((ρ∞−4)(ρ∞−2)ρ_t)], else θ ← θ − η·m/bc1.
/// Defaults η = 1e-3 (TorchSharp uses 2e-3), β = (0.9, 0.999), ε = 1e-8, λ = 0 (coupled L2). State: 8 bytes/parameter.
/// </summary>
public sealed record RAdamOptions : AdaptiveMomentOptions
{
    public RAdamOptions() => LearningRate = 1e-3;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "radam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new RAdam(this, groups);
}

/// <summary>RAdam; see <see cref="RAdamOptions"/>.</summary>
public sealed class RAdam : ParameterwiseOptimizer<RAdamOptions>
{
    public RAdam(RAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, RAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        long t = state.Step;
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, t), bc2 = AdamMoments.BiasCorrection(o.Beta2, t);
        double rhoInf = 2 / (1 - o.Beta2) - 1;
        double rhoT = rhoInf - 2 * t * Math.Pow(o.Beta2, t) / bc2;
        // When the variance is tractable (ρ_t > 5), the rectification r_t of the adaptive step.
        double? rect = rhoT > 5 ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : null;
        if (FusedUpdates.TryRAdam(o, p, grad, state, lr, bc1, bc2, rect)) return;

        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        var (m, v, _, _) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        Tensor update = m.Div(bc1).Mul_(lr);
        if (rect is double r)
        {
            Tensor adaptive = v.Sqrt().Add_(o.Eps).Reciprocal_().Mul_(Math.Sqrt(bc2));
            update.Mul_(adaptive).Mul_(r);
        }
        // Otherwise: un-adapted momentum SGD (torch's behaviour; pytorch_optimizer skips the step instead).
        p.Sub_(update);
    }
}
