using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Sophia (Liu et al., "Sophia: A Scalable Stochastic Second-order Optimizer for Language Model Pre-training",
/// arXiv 2305.14342) with the Hutchinson estimator (Sophia-H; the Gauss–Newton–Bartlett estimator needs labels sampled
/// from the model's output distribution, which a generic loss closure cannot provide). Algorithm 1 of the paper:
/// <code>
/// m ← β1·m + (1−β1)·g
/// every k steps (1, 1 + k, …): h ← β2·h + (1−β2)·z⊙(Hz), z Rademacher
/// θ ← θ·(1 − ηλ);  θ ← θ − η·clip(m / max(γ·h, ε), −1, 1)
/// </code>
/// Needs the loss closure (<see cref="Optimizer.Step(Func{double})"/>). Defaults from the paper: η = 1e-4 (its GPT-2 small
/// peak is 6e-4 with the GNB estimator), β = (0.965, 0.99), γ = 0.01, ε = 1e-12, λ = 0.1 (decoupled), k = 10. Negative
/// curvature estimates fall to ε, so the step becomes a clipped sign step there. State: 8 bytes/parameter (+ the generator state).
/// </summary>
public sealed record SophiaOptions : AdaptiveMomentOptions
{
    public SophiaOptions()
    {
        LearningRate = 1e-4;
        WeightDecay = 0.1;
        Beta1 = 0.965;
        Beta2 = 0.99;
        Eps = 1e-12;
    }

    /// <summary>γ: scales the curvature in the denominator (the paper's ρ in its code).</summary>
    public double Gamma { get; init => field = OptionChecks.Positive(value, nameof(Gamma)); } = 0.01;

    /// <summary>k: steps between Hessian estimates.</summary>
    public int HessianUpdatePeriod { get; init => field = OptionChecks.AtLeast(value, 1, nameof(HessianUpdatePeriod)); } = 10;

    /// <summary>Seed of the Rademacher vectors.</summary>
    public int Seed { get; init => field = OptionChecks.AtLeast(value, 0, nameof(Seed)); }

    public override string Name => "sophia";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Sophia(this, groups);
}

/// <summary>Sophia-H; see <see cref="SophiaOptions"/>.</summary>
public sealed class Sophia : CurvatureOptimizer<SophiaOptions>
{
    public Sophia(SophiaOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups, options.Seed) { }

    protected override bool EstimatesThisStep => StepCount % Options.HessianUpdatePeriod == 0;

    protected override void Update(ParamGroup group, SophiaOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor h = state.GetOrCreate("hessian", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        // Maximize ascends f, i.e. descends −f, whose Hessian is −H.
        if (Estimate(p) is { } estimate) h.Mul_(o.Beta2).Add_(estimate, o.Maximize ? -(1 - o.Beta2) : 1 - o.Beta2);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor ratio = m.Div(h.Mul(o.Gamma).Clamp_(min: o.Eps)).Clamp_(-1, 1);
        p.Sub_(ratio, lr);
    }
}
