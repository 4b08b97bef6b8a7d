using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaBelief (Zhuang et al., "AdaBelief Optimizer: Adapting Stepsizes by the Belief in Observed Gradients",
/// arXiv 2010.07468), as the paper's Algorithm 2 and the official adabelief-pytorch v0.2:
/// m ← β1m + (1−β1)g; s ← β2s + (1−β2)(g−m)² + ε; θ ← θ − η·(m/bc1)/(√(s/bc2) + ε).
/// With <see cref="Rectify"/> (official v0.2 default, RAdam's rectifier): when ρ_t ≥ 5,
/// θ ← θ − η·r_t·m/(√s + ε) with r_t = √(bc2·(ρ_t−4)(ρ_t−2)ρ∞/((ρ∞−4)(ρ∞−2)ρ_t))/bc1; otherwise an SGD-momentum
/// step θ ← θ − η·m/bc1 (or none, <see cref="DegenerateToSgd"/> = false). Defaults η = 1e-3, β = (0.9, 0.999),
/// ε = 1e-16, λ = 0 decoupled, rectify on (timm too; pytorch-optimizer defaults to off). State: 8 bytes/parameter.
/// </summary>
/// <remarks>ε (<see cref="AdaptiveMomentOptions.Eps"/>): added to s every step (it accumulates, as in the paper) and to the denominator.</remarks>
public sealed record AdaBeliefOptions : AdaptiveMomentOptions
{
    public AdaBeliefOptions()
    {
        LearningRate = 1e-3;
        Eps = 1e-16;
    }

    /// <summary>RAdam-style variance rectification (official v0.2 default).</summary>
    public bool Rectify { get; init; } = true;

    /// <summary>With <see cref="Rectify"/>, take an SGD-momentum step while ρ_t &lt; 5 (official default) instead of none.</summary>
    public bool DegenerateToSgd { get; init; } = true;

    /// <summary>Decoupled weight decay θ ← θ(1 − ηλ) (official default) instead of L2 g ← g + λθ.</summary>
    public bool DecoupledWeightDecay { get; init; } = true;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adabelief";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaBelief(this, groups);
}

/// <summary>AdaBelief; see <see cref="AdaBeliefOptions"/>.</summary>
public sealed class AdaBelief : ParameterwiseOptimizer<AdaBeliefOptions>
{
    public AdaBelief(AdaBeliefOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdaBeliefOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        var (step, coefficient) = StepOf(o, lr, state.Step, bc1, bc2);
        if (FusedUpdates.TryAdaBelief(o, p, grad, state, lr, step, coefficient, bc2)) return;

        if (o.DecoupledWeightDecay) WeightDecay.Decoupled(p, lr, o.WeightDecay);
        else grad = WeightDecay.Coupled(grad, p, o.WeightDecay);

        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor s = state.GetOrCreate("exp_avg_var", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        Tensor residual = grad.Sub(m);
        AdamMoments.UpdateSecond(s, residual, o.Beta2);
        s.Add_(o.Eps);

        switch (step)
        {
            case AdaBeliefStep.Adam: p.Addcdiv_(m, AdamMoments.Denominator(s, bc2, o.Eps), coefficient); break;
            case AdaBeliefStep.Rectified: p.Addcdiv_(m, s.Sqrt().Add_(o.Eps), coefficient); break;
            case AdaBeliefStep.Sgd: p.Add_(m, coefficient); break;
        }
    }

    /// <summary>
    /// The step after the moments and its coefficient: Adam's −η/bc1 unrectified; with the rectifier −η·r_t when
    /// ρ_t ≥ 5, else SGD's −η/bc1 (or none).
    /// </summary>
    private static (AdaBeliefStep Step, double Coefficient) StepOf(AdaBeliefOptions o, double lr, long t, double bc1, double bc2)
    {
        if (!o.Rectify) return (AdaBeliefStep.Adam, -lr / bc1);
        double rhoInf = 2 / (1 - o.Beta2) - 1;
        double rho = rhoInf - 2 * t * Math.Pow(o.Beta2, t) / bc2;
        if (rho >= 5)
        {
            double r = Math.Sqrt(bc2 * (rho - 4) / (rhoInf - 4) * (rho - 2) / rho * rhoInf / (rhoInf - 2)) / bc1;
            return (AdaBeliefStep.Rectified, -lr * r);
        }
        return o.DegenerateToSgd ? (AdaBeliefStep.Sgd, -lr / bc1) : (AdaBeliefStep.None, 0);
    }
}
