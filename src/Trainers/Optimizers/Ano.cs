using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// ANO (Kegreisz, "Faster is Better in Noisy Landscape: ANO", arXiv 2508.18258): the direction from momentum, the magnitude
/// from the current gradient:
/// <code>
/// m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·sign(g² − v)·g²  (Yogi-style);  θ ← θ·(1 − ηλ) − η·|g|⊙sign(m)/(√(v/bc2) + ε)
/// </code>
/// The exact form of the paper's v update is UNCERTAIN (this is the Yogi-style one in pytorch-optimizer's ano.py as described
/// in our notes). Defaults η = 1e-4, β = (0.92, 0.99), ε = 1e-8, λ = 0 (decoupled). State: 8 bytes/parameter.
/// <see cref="AnologOptions"/> replaces β1 by the schedule 1 − 1/ln(max(2, t)).
/// </summary>
public record AnoOptions : AdaptiveMomentOptions
{
    public AnoOptions()
    {
        LearningRate = 1e-4;
        Beta1 = 0.92;
        Beta2 = 0.99;
    }

    public override string Name => "ano";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Ano(this, groups);

    /// <summary>β1 at step t.</summary>
    public virtual double Beta1At(long step) => Beta1;
}

/// <summary>Anolog: ANO with the logarithmic momentum schedule β1_t = 1 − 1/ln(max(2, t)) (<see cref="MomentOptions.Beta1"/> unused).</summary>
public sealed record AnologOptions : AnoOptions
{
    public override string Name => "anolog";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Ano(this, groups);

    public override double Beta1At(long step) => 1 - 1 / Math.Log(Math.Max(2, step));
}

/// <summary>ANO and Anolog; see <see cref="AnoOptions"/>.</summary>
public sealed class Ano : ParameterwiseOptimizer<AnoOptions>
{
    public Ano(AnoOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AnoOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1At(state.Step));
        Tensor g2 = grad.Mul(grad);
        v.Mul_(o.Beta2).Add_(g2.Sub(v).Sign_().Mul_(g2), 1 - o.Beta2);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor denom = AdamMoments.Denominator(v, AdamMoments.BiasCorrection(o.Beta2, state.Step), o.Eps);
        p.Addcdiv_(grad.Abs().Mul_(m.Sign()), denom, -lr);
    }
}
