using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// EXAdam (Adly, "EXAdam: The Power of Adaptive Cross-Moments", arXiv 2412.20302 v2, and the official
/// AhmedMostafa16/EXAdam code): Adam's moments with cross-moment debiasing d1 = 1 + β2^t·v/(v+ε),
/// d2 = 1 + β1^t·m²/(m²+ε); m̃ = d1·m/bc1, ṽ = d2·v/bc2, g̃ = d1·g/bc1; θ ← θ − η(m̃ + g̃)/(√ṽ + ε), after a decoupled
/// decay θ ← θ(1 − ηλ). v1 of the paper also grew the step size as α·ln(√2·√(t+1)); v2 and the code drop it, as we do.
/// Defaults η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0. State: 8 bytes/parameter.
/// </summary>
public sealed record EXAdamOptions : AdaptiveMomentOptions
{
    public EXAdamOptions() => LearningRate = 1e-3;

    public override string Name => "exadam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new EXAdam(this, groups);
}

/// <summary>EXAdam; see <see cref="EXAdamOptions"/>.</summary>
public sealed class EXAdam : ParameterwiseOptimizer<EXAdamOptions>
{
    public EXAdam(EXAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, EXAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        var (m, v, bc1, bc2) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
        Tensor d1 = v.Div(v.Add(o.Eps)).Mul_(Math.Pow(o.Beta2, state.Step)).Add_(1);
        Tensor m2 = m.Square();
        Tensor d2 = m2.Div(m2.Add(o.Eps)).Mul_(Math.Pow(o.Beta1, state.Step)).Add_(1);
        Tensor mTilde = m.Div(bc1).Mul_(d1);
        Tensor vTilde = v.Div(bc2).Mul_(d2);
        Tensor gTilde = grad.Div(bc1).Mul_(d1);
        p.Addcdiv_(mTilde.Add_(gTilde), vTilde.Sqrt_().Add_(o.Eps), -lr);
    }
}
