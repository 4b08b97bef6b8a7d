using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// NAG-GS (Leplat et al., "NAG-GS: Semi-Implicit, Accelerated and Robust Stochastic Optimizer", arXiv 2209.14937; official
/// skolai/nag-gs): the accelerated Nesterov flow integrated by a semi-implicit Gauss–Seidel step, α being the step size:
/// <code>
/// v₀ = θ₀;  b = αμ/(αμ + γ);  v ← (1 − b)·v + b·θ − (b/μ)·g;  γ ← (αμ + γ)/(1 + α);  θ ← (θ + α·v)/(1 + α)
/// </code>
/// <see cref="OptimizerOptions.LearningRate"/> is α. γ evolves per parameter (a scalar in the state). Defaults (official code)
/// α = 1e-2, μ = 1, γ₀ = 1 (its README example: α = 0.05, γ₀ = 1.5). No weight decay in the method: λ is applied as
/// coupled L2 (g ← g + λθ), default 0. State: 4 bytes/parameter (v) + one scalar.
/// </summary>
public sealed record NagGsOptions : OptimizerOptions
{
    public NagGsOptions() => LearningRate = 1e-2;

    /// <summary>μ: the (assumed) strong-convexity constant.</summary>
    public double Mu { get; init => field = OptionChecks.Positive(value, nameof(Mu)); } = 1.0;

    /// <summary>γ₀: the initial value of the damping γ.</summary>
    public double Gamma { get; init => field = OptionChecks.Positive(value, nameof(Gamma)); } = 1.0;

    public override string Name => "naggs";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new NagGs(this, groups);
}

/// <summary>NAG-GS; see <see cref="NagGsOptions"/>.</summary>
public sealed class NagGs : ParameterwiseOptimizer<NagGsOptions>
{
    public NagGs(NagGsOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, NagGsOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double alpha = group.LearningRate, mu = o.Mu;
        if (o.WeightDecay != 0) grad = grad.Add(p, o.WeightDecay);
        Tensor v = state.GetOrCreate("v", () => p.Detach().Clone());
        double gamma = state.GetScalar("gamma", o.Gamma);
        double b = alpha * mu / (alpha * mu + gamma);
        v.Mul_(1 - b).Add_(p, b).Add_(grad, -b / mu);
        state.SetScalar("gamma", (alpha * mu + gamma) / (1 + alpha));
        p.Add_(v, alpha).Div_(1 + alpha);
    }
}
