using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdamP (Heo et al., "AdamP: Slowing Down the Slowdown for Momentum Optimizers on Scale-invariant Weights",
/// arXiv 2006.08217), as the official clovaai/AdamP code: u = m̂/(√v̂ + ε) (Nesterov: (β1m + (1−β1)g)/… );
/// for tensors with ≥ 2 dims whose gradient is nearly orthogonal to the weight (max|cos| &lt; δ/√dim in the channel or
/// layer view) the radial part is projected out of u and the weight decay is scaled by wd_ratio;
/// θ ← θ(1 − ηλ·ratio) − η·u/bc1 (η/bc1 with u = m/(√(v/bc2)+ε)). Defaults η = 1e-3, β = (0.9, 0.999), ε = 1e-8,
/// λ = 0, δ = 0.1, wd_ratio = 0.1, no Nesterov. State: 8 bytes/parameter.
/// </summary>
public sealed record AdamPOptions : AdaptiveMomentOptions
{
    public AdamPOptions() => LearningRate = 1e-3;

    /// <summary>The cosine threshold δ (compared with δ/√dim).</summary>
    public double Delta { get; init => field = OptionChecks.NonNegative(value, nameof(Delta)); } = 0.1;

    /// <summary>The factor applied to the weight decay of projected (scale-invariant) tensors.</summary>
    public double WeightDecayRatio { get; init => field = OptionChecks.NonNegative(value, nameof(WeightDecayRatio)); } = 0.1;

    public bool Nesterov { get; init; }

    public override string Name => "adamp";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdamP(this, groups);
}

/// <summary>AdamP; see <see cref="AdamPOptions"/>.</summary>
public sealed class AdamP : ParameterwiseOptimizer<AdamPOptions>
{
    public AdamP(AdamPOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdamPOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        var (m, v, bc1, bc2) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        Tensor denom = AdamMoments.Denominator(v, bc2, o.Eps);
        Tensor update = o.Nesterov ? m.Mul(o.Beta1).Add_(grad, 1 - o.Beta1).Div_(denom) : m.Div(denom);
        double ratio = p.Dim > 1 && RadialProjection.Apply(p, grad, update, o.Delta, o.Eps) ? o.WeightDecayRatio : 1;
        WeightDecay.Decoupled(p, lr, o.WeightDecay * ratio);
        p.Sub_(update, lr / bc1);
    }
}
