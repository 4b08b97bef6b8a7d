using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adadelta (Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv 1212.5701), as torch.optim.Adadelta 1.13:
/// g ← g + λθ; v ← ρv + (1−ρ)g²; Δ = √(u + ε)/√(v + ε)·g; u ← ρu + (1−ρ)Δ²; θ ← θ − ηΔ.
/// Defaults η = 1.0 (the paper has no learning rate; η scales Δ), ρ = 0.9, ε = 1e-6, λ = 0 (coupled L2).
/// State: 8 bytes/parameter.
/// </summary>
public sealed record AdadeltaOptions : OptimizerOptions
{
    public AdadeltaOptions() => LearningRate = 1.0;

    /// <summary>Decay ρ of both running averages, in [0, 1].</summary>
    public double Rho { get; init => field = OptionChecks.UnitInterval(value, nameof(Rho)); } = 0.9;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-6;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adadelta";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Adadelta(this, groups);
}

/// <summary>Adadelta; see <see cref="AdadeltaOptions"/>.</summary>
public sealed class Adadelta : ParameterwiseOptimizer<AdadeltaOptions>
{
    public Adadelta(AdadeltaOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdadeltaOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (FusedUpdates.TryAdadelta(group, o, p, grad, state)) return;
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        Tensor squareAvg = state.GetOrCreate("square_avg", () => p.ZerosLike());
        Tensor accDelta = state.GetOrCreate("acc_delta", () => p.ZerosLike());
        squareAvg.Mul_(o.Rho).Addcmul_(grad, grad, 1 - o.Rho);
        Tensor std = squareAvg.Add(o.Eps).Sqrt_();
        Tensor delta = accDelta.Add(o.Eps).Sqrt_().Div_(std).Mul_(grad);
        accDelta.Mul_(o.Rho).Addcmul_(delta, delta, 1 - o.Rho);
        p.Sub_(delta, group.LearningRate);
    }
}
