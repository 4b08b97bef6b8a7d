using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Grams (Cao et al., "Grams: Gradient Descent with Adaptive Momentum Scaling", arXiv 2412.17107), Algorithm 1:
/// Adam's moments and step magnitude, the current gradient's sign: u = (m/bc1)/(√(v/bc2) + ε);
/// θ ← θ − η·sign(g)⊙|u| − ηλθ. Written from the paper with the standard EMA m ← β1m + (1−β1)g and
/// √(v/bc2), not pytorch-optimizer's grams.py (whose lerp weight inverts the EMA and which takes √v/bc2^¼).
/// Defaults η = 1e-3, β = (0.9, 0.999), ε = 1e-8 (Adam's; pytorch-optimizer uses 1e-6), λ = 0.
/// State: 8 bytes/parameter.
/// </summary>
public sealed record GramsOptions : AdaptiveMomentOptions
{
    public GramsOptions() => LearningRate = 1e-3;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "grams";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Grams(this, groups);
}

/// <summary>Grams; see <see cref="GramsOptions"/>.</summary>
public sealed class Grams : ParameterwiseOptimizer<GramsOptions>
{
    public Grams(GramsOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, GramsOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        if (FusedUpdates.TryGrams(o, p, grad, state, lr)) return;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        var (m, v, bc1, bc2) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        Tensor magnitude = m.Div(AdamMoments.Denominator(v, bc2, o.Eps)).Abs_();
        p.Sub_(magnitude.Mul_(grad.Sign()), lr / bc1);
    }
}
