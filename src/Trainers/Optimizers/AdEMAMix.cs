using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdEMAMix (Pagliardini et al., "The AdEMAMix Optimizer: Better, Faster, Older", arXiv 2409.03137), Algorithm 1:
/// m1 ← β1m1 + (1−β1)g; m2 ← β3m2 + (1−β3)g; v ← β2v + (1−β2)g²;
/// θ ← θ − η[(m1/bc1 + α·m2)/(√(v/bc2) + ε) + λθ] (decoupled weight decay as the paper; m2 is not bias-corrected).
/// Optional warmups over T steps: α_t = min(tα/T, α) and β3_t = min(exp(ln β1·ln β3/((1−t/T)ln β3 + (t/T)ln β1)), β3)
/// (linear in the half-life; the paper's schedulers). Defaults η = 1e-3, β = (0.9, 0.999, 0.9999), α = 5, ε = 1e-8,
/// λ = 0 (official code's default; the paper's runs use 0.1), no warmup (set both to the run length for long runs).
/// State: 12 bytes/parameter.
/// </summary>
public sealed record AdEMAMixOptions : AdaptiveMomentOptions
{
    public AdEMAMixOptions() => LearningRate = 1e-3;

    /// <summary>The slow EMA's rate β3.</summary>
    public double Beta3 { get; init => field = OptionChecks.Beta(value, nameof(Beta3)); } = 0.9999;

    /// <summary>The weight α of the slow EMA.</summary>
    public double Alpha { get; init => field = OptionChecks.NonNegative(value, nameof(Alpha)); } = 5;

    /// <summary>T_α: α grows linearly from 0 over this many steps (0 = no warmup).</summary>
    public int AlphaWarmupSteps { get; init => field = OptionChecks.AtLeast(value, 0, nameof(AlphaWarmupSteps)); }

    /// <summary>T_β3: β3 grows from β1 to β3 (linearly in half-life) over this many steps (0 = no warmup).</summary>
    public int Beta3WarmupSteps { get; init => field = OptionChecks.AtLeast(value, 0, nameof(Beta3WarmupSteps)); }

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "ademamix";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdEMAMix(this, groups);

    /// <summary>α_t = min(tα/T, α).</summary>
    public double AlphaAt(long step) => AlphaWarmupSteps == 0 ? Alpha : Math.Min(step * Alpha / AlphaWarmupSteps, Alpha);

    /// <summary>β3_t = min(exp(ln β1·ln β3/((1−a)ln β3 + a·ln β1)), β3) with a = t/T.</summary>
    public double Beta3At(long step)
    {
        if (Beta3WarmupSteps == 0 || step >= Beta3WarmupSteps) return Beta3;
        double a = (double)step / Beta3WarmupSteps;
        double l1 = Math.Log(Beta1), l3 = Math.Log(Beta3);
        // β1 = 0: ln β1 = −∞ and the formula tends to β3^(1/a).
        double ln = double.IsNegativeInfinity(l1) ? l3 / a : l1 * l3 / ((1 - a) * l3 + a * l1);
        return Math.Min(Math.Exp(ln), Beta3);
    }
}

/// <summary>AdEMAMix; see <see cref="AdEMAMixOptions"/>.</summary>
public sealed class AdEMAMix : ParameterwiseOptimizer<AdEMAMixOptions>
{
    public AdEMAMix(AdEMAMixOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdEMAMixOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        double alpha = o.AlphaAt(state.Step), beta3 = o.Beta3At(state.Step);
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        if (FusedUpdates.TryAdEMAMix(group, o, p, grad, state, alpha, beta3, bc1, bc2)) return;

        WeightDecay.Decoupled(p, lr, o.WeightDecay);

        Tensor m1 = state.GetOrCreate("exp_avg_fast", () => p.ZerosLike());
        Tensor m2 = state.GetOrCreate("exp_avg_slow", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m1, grad, o.Beta1);
        AdamMoments.UpdateFirst(m2, grad, beta3);
        AdamMoments.UpdateSecond(v, grad, o.Beta2);
        Tensor numerator = m1.Div(bc1).Add_(m2, alpha);
        p.Addcdiv_(numerator, AdamMoments.Denominator(v, bc2, o.Eps), -lr);
    }
}
