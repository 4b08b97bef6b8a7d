using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// LaProp (Ziyin, Wang &amp; Ueda, "LaProp: Separating Momentum and Adaptivity in Adam", arXiv 2002.04839), as the
/// official Z-T-WANG/LaProp-Optimizer code: momentum of the already-normalized gradient,
/// v ← β2v + (1−β2)g²; m ← β1m + (1−β1)·η·g/(√(v/bc2) + ε); θ ← θ − m/(ā/η),
/// where ā ← β1ā + (1−β1)η is the learning-rate-weighted bias correction (= η·bc1 at a constant rate, so schedules
/// stay unbiased). Weight decay is decoupled AdamW-style θ ← θ(1 − ηλ) before the step (the official code subtracts
/// λθ after it, without η). At η = 0 we take no step (the official code then takes the step m).
/// Defaults η = 4e-4, β = (0.9, 0.999), ε = 1e-15, λ = 0. State: 8 bytes/parameter (+1 scalar).
/// </summary>
public sealed record LaPropOptions : AdaptiveMomentOptions
{
    public LaPropOptions()
    {
        LearningRate = 4e-4;
        Eps = 1e-15;
    }

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "laprop";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new LaProp(this, groups);
}

/// <summary>LaProp; see <see cref="LaPropOptions"/>.</summary>
public sealed class LaProp : ParameterwiseOptimizer<LaPropOptions>
{
    public LaProp(LaPropOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, LaPropOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        double lrAverage = state.GetScalar("exp_avg_lr") * o.Beta1 + (1 - o.Beta1) * lr;
        state.SetScalar("exp_avg_lr", lrAverage);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        if (FusedUpdates.TryLaProp(o, p, grad, m, v, lr, bc2, lrAverage)) return;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        AdamMoments.UpdateSecond(v, grad, o.Beta2);
        m.Mul_(o.Beta1).Addcdiv_(grad, AdamMoments.Denominator(v, bc2, o.Eps), (1 - o.Beta1) * lr);
        if (lrAverage > 0) p.Sub_(m, lr / lrAverage);
    }
}
