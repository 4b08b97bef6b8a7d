using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SGDP (Heo et al., arXiv 2006.08217), as the official clovaai/AdamP sgdp.py: b ← μb + (1−τ)g (b starts at 0);
/// d = g + μb (Nesterov) or b; for tensors with ≥ 2 dims whose gradient is nearly orthogonal to the weight the radial
/// part of d is projected out (see <see cref="RadialProjection"/>) and the weight decay scaled by wd_ratio;
/// θ ← θ(1 − ηλ·ratio/(1−μ)) − η·d. The official code projects the momentum buffer itself in place when Nesterov is
/// off; we project a copy, as the paper's algorithm. Defaults η = 0.01 (the official code requires one), μ = 0, τ = 0,
/// λ = 0, δ = 0.1, wd_ratio = 0.1, ε = 1e-8. State: 4 bytes/parameter.
/// </summary>
public sealed record SgdpOptions : OptimizerOptions
{
    public SgdpOptions() => LearningRate = 0.01;

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); }

    public double Dampening { get; init => field = OptionChecks.UnitInterval(value, nameof(Dampening)); }

    public bool Nesterov { get; init; }

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>The cosine threshold δ (compared with δ/√dim).</summary>
    public double Delta { get; init => field = OptionChecks.NonNegative(value, nameof(Delta)); } = 0.1;

    /// <summary>The factor applied to the weight decay of projected (scale-invariant) tensors.</summary>
    public double WeightDecayRatio { get; init => field = OptionChecks.NonNegative(value, nameof(WeightDecayRatio)); } = 0.1;

    public override string Name => "sgdp";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Sgdp(this, groups);
}

/// <summary>SGDP; see <see cref="SgdpOptions"/>.</summary>
public sealed class Sgdp : ParameterwiseOptimizer<SgdpOptions>
{
    public Sgdp(SgdpOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, SgdpOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor buf = state.GetOrCreate("momentum", () => p.ZerosLike());
        buf.Mul_(o.Momentum).Add_(grad, 1 - o.Dampening);
        long? projected = p.Dim > 1 ? RadialProjection.ProjectedRows(p, grad, o.Delta, o.Eps) : null;
        // The momentum buffer itself is the step unless the projection has to change it (a copy then).
        Tensor d = o.Nesterov ? grad.Add(buf, o.Momentum) : projected is null ? buf : buf.Clone();
        if (projected is { } rows) RadialProjection.Project_(p, d, rows, o.Eps);
        double ratio = projected is null ? 1 : o.WeightDecayRatio;
        WeightDecay.Decoupled(p, lr, o.WeightDecay * ratio / (1 - o.Momentum));
        p.Sub_(d, lr);
    }
}
