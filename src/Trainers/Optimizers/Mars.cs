using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>What MARS does with its variance-reduced momentum.</summary>
public enum MarsFlavour
{
    /// <summary>MARS-AdamW: Adam's second moment of c and a bias-corrected Adam step.</summary>
    AdamW,

    /// <summary>MARS-Lion: θ ← θ − η·sign(m) (no second moment).</summary>
    Lion,
}

/// <summary>
/// MARS (Yuan et al., "MARS: Unleashing the Power of Variance Reduction for Training Large Models", arXiv 2411.10438),
/// the approximate version (MARS-approx) that uses the previous step's gradient, as the official AGI-Arena/MARS code:
/// c = g_t + γ·β1/(1−β1)·(g_t − g_{t−1}); c ← c/‖c‖ if ‖c‖ &gt; 1; m ← β1m + (1−β1)c;
/// AdamW flavour: v ← β2v + (1−β2)c², θ ← θ − η[(m/bc1)/(√(v/bc2) + ε) + λθ]; Lion flavour: θ ← θ − η[sign(m) + λθ].
/// As the official code, only 2-D tensors get MARS unless <see cref="Optimize1D"/>; the others get AdamW with
/// <see cref="OneDimLearningRate"/> (scaled by the schedule like η), β = (0.9, 0.95) and λ = 0.1.
/// g_{t−1} at the first step: zeros as the official code (c₁ = (1 + γβ1/(1−β1))·g₁), or g₁ itself as the paper's
/// x₁ = x₀ implies (no correction), with <see cref="ZeroInitialPreviousGradient"/> = false.
/// Defaults η = 3e-3, β = (0.95, 0.99), γ = 0.025, ε = 1e-8, λ = 0.
/// State: 12 bytes/parameter (m, v, g_{t−1}); 8 for the Lion flavour; 8 for AdamW-routed tensors.
/// </summary>
public sealed record MarsOptions : AdaptiveMomentOptions
{
    public MarsOptions()
    {
        LearningRate = 3e-3;
        Beta1 = 0.95;
        Beta2 = 0.99;
    }

    /// <summary>The strength γ of the gradient correction.</summary>
    public double Gamma { get; init => field = OptionChecks.NonNegative(value, nameof(Gamma)); } = 0.025;

    public MarsFlavour Flavour { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Flavour), value, "Unknown MarsFlavour."); } = MarsFlavour.AdamW;

    /// <summary>Use MARS for every tensor; otherwise (official default) only 2-D tensors, the rest AdamW.</summary>
    public bool Optimize1D { get; init; }

    /// <summary>Base learning rate of the AdamW used for non-2-D tensors (multiplied by lr/η when a schedule runs).</summary>
    public double OneDimLearningRate { get; init => field = OptionChecks.NonNegative(value, nameof(OneDimLearningRate)); } = 3e-3;

    public double OneDimBeta1 { get; init => field = OptionChecks.Beta(value, nameof(OneDimBeta1)); } = 0.9;

    public double OneDimBeta2 { get; init => field = OptionChecks.Beta(value, nameof(OneDimBeta2)); } = 0.95;

    /// <summary>Decoupled weight decay of the non-2-D AdamW (decayed by its own learning rate).</summary>
    public double OneDimWeightDecay { get; init => field = OptionChecks.NonNegative(value, nameof(OneDimWeightDecay)); } = 0.1;

    /// <summary>g₀ = 0 (official code) rather than g₀ = g₁ (paper, x₁ = x₀).</summary>
    public bool ZeroInitialPreviousGradient { get; init; } = true;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass (two around the norm of c for MARS) that computes the generic
    /// path's values (see <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "mars";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Mars(this, groups);
}

/// <summary>MARS; see <see cref="MarsOptions"/>.</summary>
public sealed class Mars : ParameterwiseOptimizer<MarsOptions>
{
    public Mars(MarsOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, MarsOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        if (!o.Optimize1D && p.Dim != 2)
        {
            double lr1d = o.LearningRate > 0 ? lr * o.OneDimLearningRate / o.LearningRate : 0;
            if (FusedUpdates.TryMarsAdamW(o, p, grad, state, lr1d)) return;
            Tensor v1 = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
            WeightDecay.Decoupled(p, lr1d, o.OneDimWeightDecay);
            AdamMoments.UpdateFirst(m, grad, o.OneDimBeta1);
            AdamMoments.UpdateSecond(v1, grad, o.OneDimBeta2);
            double b1 = AdamMoments.BiasCorrection(o.OneDimBeta1, state.Step);
            double b2 = AdamMoments.BiasCorrection(o.OneDimBeta2, state.Step);
            p.Addcdiv_(m, AdamMoments.Denominator(v1, b2, o.Eps), -lr1d / b1);
            return;
        }

        if (FusedUpdates.TryMars(group, o, p, grad, state)) return;
        Tensor previous = state.GetOrCreate("last_grad", () => o.ZeroInitialPreviousGradient ? p.ZerosLike() : grad.Clone());
        Tensor c = grad.Sub(previous).Mul_(CorrectionScale(o)).Add_(grad);
        double norm = c.Norm().Item();
        if (norm > 1) c.Div_(norm);
        previous.Copy_(grad);
        AdamMoments.UpdateFirst(m, c, o.Beta1);

        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        if (o.Flavour == MarsFlavour.Lion)
        {
            p.Sub_(m.Sign(), lr);
            return;
        }
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        AdamMoments.UpdateSecond(v, c, o.Beta2);
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        p.Addcdiv_(m, AdamMoments.Denominator(v, bc2, o.Eps), -lr / bc1);
    }

    /// <summary>γ·β1/(1 − β1), the scale of the gradient difference in c.</summary>
    internal static double CorrectionScale(MarsOptions o) => o.Gamma * o.Beta1 / (1 - o.Beta1);
}
