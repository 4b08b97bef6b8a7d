using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// NAdam (Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop), as torch.optim.NAdam 1.13:
/// μ_t = β1(1 − ½·0.96^(tψ)), Π_t = Π_{t−1}μ_t; g ← g + λθ; Adam moments; d = √(v/bc2) + ε;
/// θ ← θ − η(1−μ_t)/(1−Π_t)·g/d − ημ_{t+1}/(1−Π_tμ_{t+1})·m/d.
/// Defaults η = 2e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0 (coupled L2), momentum decay ψ = 4e-3.
/// State: 8 bytes/parameter (plus the scalar Π, kept in float32 arithmetic as torch keeps it in a float32 tensor).
/// </summary>
public sealed record NAdamOptions : AdaptiveMomentOptions
{
    public NAdamOptions() => LearningRate = 2e-3;

    /// <summary>Momentum decay ψ of the schedule μ_t = β1(1 − ½·0.96^(tψ)).</summary>
    public double MomentumDecay { get; init => field = OptionChecks.NonNegative(value, nameof(MomentumDecay)); } = 4e-3;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "nadam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new NAdam(this, groups);
}

/// <summary>NAdam; see <see cref="NAdamOptions"/>.</summary>
public sealed class NAdam : ParameterwiseOptimizer<NAdamOptions>
{
    public NAdam(NAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, NAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        long t = state.Step;
        double mu = MomentumCoefficient(o, t);
        double muNext = MomentumCoefficient(o, t + 1);
        // Π_t lives in a float32 tensor in torch, so its products round to float32 at every step.
        float muProduct = (float)state.GetScalar("mu_product", 1) * (float)mu;
        float muProductNext = muProduct * (float)mu * (float)muNext;
        state.SetScalar("mu_product", muProduct);
        double gradCoef = -lr * (1 - mu) / (1 - muProduct), momentumCoef = -lr * muNext / (1 - muProductNext);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, t);
        if (FusedUpdates.TryNAdam(o, p, grad, state, bc2, gradCoef, momentumCoef)) return;

        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        var (m, v, _, _) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        // torch's NAdam divides before the square root (Adam takes √v first), so not AdamMoments.Denominator.
        Tensor denom = v.Div(bc2).Sqrt_().Add_(o.Eps);
        p.Addcdiv_(grad, denom, gradCoef);
        p.Addcdiv_(m, denom, momentumCoef);
    }

    /// <summary>μ_t = β1(1 − ½·0.96^(tψ)), Dozat's warming momentum schedule.</summary>
    private static double MomentumCoefficient(NAdamOptions o, long step) => o.Beta1 * (1 - 0.5 * Math.Pow(0.96, step * o.MomentumDecay));
}
