using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov and coupled (L2) weight decay, with
/// torch.optim.SGD's semantics: g ← g + λθ; b ← μb + (1−τ)g (b = g on the first step); d = g + μb (Nesterov) or b;
/// θ ← θ − ηd. Defaults: η = 0.01 (torch requires one), μ = 0, τ = 0. State: 4 bytes/parameter with momentum.
/// Float32 CPU parameters take one fused pass (<see cref="Fused"/>).
/// </summary>
public sealed record SgdOptions : OptimizerOptions, IMomentumOptions
{
    public SgdOptions() => LearningRate = 0.01;

    /// <summary>Momentum μ in [0, 1).</summary>
    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); }

    /// <summary>Dampening τ in [0, 1].</summary>
    public double Dampening { get; init => field = OptionChecks.UnitInterval(value, nameof(Dampening)); }

    /// <summary>Nesterov momentum (needs Momentum &gt; 0 and Dampening = 0).</summary>
    public bool Nesterov { get; init; }

    /// <summary>
    /// Use the fused native update when the parameter, gradient and momentum buffer are contiguous float32 CPU tensors
    /// (<see cref="FusedUpdates"/>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    double IMomentumOptions.MomentumValue => Momentum;

    OptimizerOptions IMomentumOptions.WithMomentum(double momentum) => this with { Momentum = momentum };

    public override string Name => "sgd";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Sgd(this, groups);
}

/// <summary>SGD; see <see cref="SgdOptions"/>.</summary>
public sealed class Sgd : ParameterwiseOptimizer<SgdOptions>
{
    public Sgd(SgdOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (ParamGroup g in Groups)
        {
            var o = (SgdOptions)g.Options;
            if (o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0))
                throw new ArgumentException($"SgdOptions.Nesterov needs Momentum > 0 and Dampening = 0 (group {g.Name} has Momentum {o.Momentum}, Dampening {o.Dampening}).");
        }
    }

    protected override void Update(ParamGroup group, SgdOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (FusedUpdates.TrySgd(group, o, p, grad, state)) return;
        Tensor d = WeightDecay.Coupled(grad, p, o.WeightDecay);
        if (o.Momentum != 0)
        {
            if (!state.TryGet("momentum_buffer", out Tensor buf))
                buf = state.GetOrCreate("momentum_buffer", () => d.Clone());
            else
                buf.Mul_(o.Momentum).Add_(d, 1 - o.Dampening);
            d = o.Nesterov ? d.Add(buf, o.Momentum) : buf;
        }
        p.Sub_(d, group.LearningRate);
    }
}
