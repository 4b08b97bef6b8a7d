using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// ADOPT (Taniguchi et al., "ADOPT: Modified Adam Can Converge with Any β2 with the Optimal Rate", arXiv 2411.02853),
/// as the paper's Algorithm and the official code: the first step only initializes v ← g² (θ is not touched); then
/// ĝ = clip(g / max(√v, ε), ±c_k); m ← β1m + (1−β1)ĝ; θ ← θ − η·m; and only then v ← β2v + (1−β2)g²,
/// so the normalizer never contains the current gradient. c_k = k^{1/4} with k = 1, 2, … counting the updates
/// after the initializing step (the official `step**0.25`; timm uses (t−1)^0.333, set <see cref="ClipExponent"/>).
/// Defaults η = 1e-3, β = (0.9, 0.9999), ε = 1e-6, λ = 0 (coupled L2 as the official default; decoupled is an option).
/// State: 8 bytes/parameter.
/// </summary>
/// <remarks>ε (<see cref="AdaptiveMomentOptions.Eps"/>): the floor of √v in the normalizer max(√v, ε).</remarks>
public sealed record AdoptOptions : AdaptiveMomentOptions
{
    public AdoptOptions()
    {
        LearningRate = 1e-3;
        Beta2 = 0.9999;
        Eps = 1e-6;
    }

    /// <summary>Clip the normalized gradient to ±k^<see cref="ClipExponent"/> (the paper's stabilizer).</summary>
    public bool Clip { get; init; } = true;

    /// <summary>The exponent of the clipping threshold c_k = k^exp (paper/official 0.25).</summary>
    public double ClipExponent { get; init => field = OptionChecks.Positive(value, nameof(ClipExponent)); } = 0.25;

    /// <summary>Decoupled weight decay θ ← θ(1 − ηλ) (the official `decouple=True`) instead of L2 g ← g + λθ.</summary>
    public bool DecoupledWeightDecay { get; init; }

    /// <summary>
    /// Float32 CPU parameters take one fused native pass after the initializing step that computes the generic path's
    /// values (see <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adopt";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Adopt(this, groups);
}

/// <summary>ADOPT; see <see cref="AdoptOptions"/>.</summary>
public sealed class Adopt : ParameterwiseOptimizer<AdoptOptions>
{
    public Adopt(AdoptOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdoptOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        if (state.Step == 1)
        {
            if (!o.DecoupledWeightDecay) grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
            state.GetOrCreate("exp_avg_sq", () => grad.Mul(grad));   // v₀ = g₀²; no parameter update
            return;
        }
        Tensor v = state.Get("exp_avg_sq");
        // The fused loop applies either weight decay itself.
        if (FusedUpdates.TryAdopt(o, p, grad, m, v, lr, o.Clip ? Math.Pow(state.Step - 1, o.ClipExponent) : 0)) return;
        if (!o.DecoupledWeightDecay) grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        if (o.DecoupledWeightDecay) WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor normed = grad.Div(v.Sqrt().Clamp_(min: o.Eps));
        if (o.Clip)
        {
            double c = Math.Pow(state.Step - 1, o.ClipExponent);
            normed.Clamp_(-c, c);
        }
        AdamMoments.UpdateFirst(m, normed, o.Beta1);
        p.Sub_(m, lr);
        AdamMoments.UpdateSecond(v, grad, o.Beta2);
    }
}
