using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// RMSprop (Hinton, Neural Networks for Machine Learning, lecture 6e; centered form: Graves, arXiv 1308.0850), as
/// torch.optim.RMSprop 1.13: g ← g + λθ; v ← αv + (1−α)g²; d = √(v − ḡ²) + ε with ḡ ← αḡ + (1−α)g when centered, else √v + ε;
/// b ← μb + g/d and θ ← θ − ηb with momentum, else θ ← θ − ηg/d.
/// Defaults η = 1e-2, α = 0.99, ε = 1e-8 (outside the root), μ = 0, not centered, λ = 0 (coupled L2).
/// State: 4 bytes/parameter, +4 with momentum, +4 when centered.
/// </summary>
public sealed record RmsPropOptions : OptimizerOptions
{
    public RmsPropOptions() => LearningRate = 1e-2;

    /// <summary>Smoothing constant α of the running averages, in [0, 1].</summary>
    public double Alpha { get; init => field = OptionChecks.UnitInterval(value, nameof(Alpha)); } = 0.99;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>Momentum μ in [0, 1) on the normalized gradient (no dampening).</summary>
    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); }

    /// <summary>Normalize by an estimate of the gradient's variance (v − ḡ²) instead of its raw second moment.</summary>
    public bool Centered { get; init; }

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "rmsprop";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new RmsProp(this, groups);
}

/// <summary>RMSprop; see <see cref="RmsPropOptions"/>.</summary>
public sealed class RmsProp : ParameterwiseOptimizer<RmsPropOptions>
{
    public RmsProp(RmsPropOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, RmsPropOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (FusedUpdates.TryRmsProp(group, o, p, grad, state)) return;
        double lr = group.LearningRate;
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        Tensor squareAvg = state.GetOrCreate("square_avg", () => p.ZerosLike());
        squareAvg.Mul_(o.Alpha).Addcmul_(grad, grad, 1 - o.Alpha);

        Tensor avg;
        if (o.Centered)
        {
            Tensor gradAvg = state.GetOrCreate("grad_avg", () => p.ZerosLike());
            gradAvg.Mul_(o.Alpha).Add_(grad, 1 - o.Alpha);
            avg = squareAvg.Addcmul(gradAvg, gradAvg, -1).Sqrt_();
        }
        else
        {
            avg = squareAvg.Sqrt();
        }
        avg.Add_(o.Eps);

        if (o.Momentum > 0)
        {
            Tensor buf = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
            buf.Mul_(o.Momentum).Addcdiv_(grad, avg);
            p.Sub_(buf, lr);
        }
        else
        {
            p.Addcdiv_(grad, avg, -lr);
        }
    }
}
