using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// FAdam (Hwang, "FAdam: Adam is a natural gradient optimizer using diagonal empirical Fisher information",
/// arXiv 2405.12807), Algorithm 1: β2 debiased as a rate, β2_t = β2(1 − β2^(t−1))/(1 − β2^t) (so F₁ = g₁²);
/// F ← β2_t·F + (1−β2_t)g²; ε_t = ε·min(1, RMS(g)); ḡ = g/(F^p + ε_t), ḡ ← ḡ/max(1, RMS(ḡ)/c);
/// m ← β1m + (1−β1)ḡ; w̄ = θ/(F^p + ε_t), clipped the same way; θ ← θ − η(m + λw̄) (weight decay as a natural gradient).
/// Uncertain: the adaptive-ε form (we follow pytorch-optimizer's ε·min(1, RMS(g)); an author-adjacent implementation
/// uses min(ε, ε₂·RMS(g))) and the clip form (max(1, RMS)/c in that code; identical at the default c = 1).
/// Defaults η = 1e-3, β = (0.9, 0.999), ε = 1e-8, p = 0.5, c = 1, λ = 0.1. State: 8 bytes/parameter.
/// </summary>
public sealed record FAdamOptions : AdaptiveMomentOptions
{
    public FAdamOptions()
    {
        LearningRate = 1e-3;
        WeightDecay = 0.1;
    }

    /// <summary>The Fisher power p of the preconditioner F^p (0.5 = Adam's square root).</summary>
    public double FisherPower { get; init => field = OptionChecks.Positive(value, nameof(FisherPower)); } = 0.5;

    /// <summary>The RMS clip c of the natural gradient and of the weight-decay term.</summary>
    public double Clip { get; init => field = OptionChecks.Positive(value, nameof(Clip)); } = 1;

    public override string Name => "fadam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new FAdam(this, groups);
}

/// <summary>FAdam; see <see cref="FAdamOptions"/>.</summary>
public sealed class FAdam : ParameterwiseOptimizer<FAdamOptions>
{
    public FAdam(FAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, FAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("momentum", () => p.ZerosLike());
        Tensor fisher = state.GetOrCreate("fim", () => p.ZerosLike());
        double beta2 = o.Beta2 * AdamMoments.BiasCorrection(o.Beta2, state.Step - 1) / AdamMoments.BiasCorrection(o.Beta2, state.Step);
        AdamMoments.UpdateSecond(fisher, grad, beta2);
        double eps = o.Eps * Math.Min(1, Rms(grad));
        Tensor denom = fisher.Pow(o.FisherPower).Add_(eps);
        Tensor natural = grad.Div(denom);
        natural.Div_(Math.Max(1, Rms(natural) / o.Clip));
        AdamMoments.UpdateFirst(m, natural, o.Beta1);
        Tensor decay = p.Div(denom);
        decay.Div_(Math.Max(1, Rms(decay) / o.Clip));
        p.Sub_(m.Add(decay, o.WeightDecay), lr);
    }

    private static double Rms(Tensor x) => x.Square().Mean().Sqrt_().Item();
}
