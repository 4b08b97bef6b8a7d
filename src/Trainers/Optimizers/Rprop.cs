using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Rprop (Riedmiller &amp; Braun, "A Direct Adaptive Method for Faster Backpropagation Learning: The RPROP Algorithm",
/// ICNN 1993), as torch.optim.Rprop 1.13 (the iRprop− variant): per coordinate, s ← clamp(s·η±, s_min, s_max) with η+ when
/// g·g_prev &gt; 0, η− when &lt; 0, 1 when = 0; where the sign flipped, g ← 0; θ ← θ − sign(g)·s; g_prev ← g.
/// Defaults η = 1e-2 (the initial step s₀), η± = (0.5, 1.2), step sizes [1e-6, 50]. State: 8 bytes/parameter.
/// torch 1.13's Rprop has no weight decay; a nonzero <see cref="OptimizerOptions.WeightDecay"/> here adds coupled L2 (g ← g + λθ).
/// </summary>
public sealed record RpropOptions : OptimizerOptions
{
    public RpropOptions() => LearningRate = 1e-2;

    /// <summary>η−, the factor in (0, 1) that shrinks a step whose gradient changed sign.</summary>
    public double EtaMinus { get; init => field = OptionChecks.OpenUnitInterval(value, nameof(EtaMinus)); } = 0.5;

    /// <summary>η+ &gt; 1, the factor that grows a step whose gradient kept its sign.</summary>
    public double EtaPlus { get; init => field = OptionChecks.GreaterThanOne(value, nameof(EtaPlus)); } = 1.2;

    /// <summary>The smallest step size (≤ <see cref="StepSizeMax"/>, checked when the optimizer is created).</summary>
    public double StepSizeMin { get; init => field = OptionChecks.NonNegative(value, nameof(StepSizeMin)); } = 1e-6;

    /// <summary>The largest step size.</summary>
    public double StepSizeMax { get; init => field = OptionChecks.Positive(value, nameof(StepSizeMax)); } = 50;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "rprop";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Rprop(this, groups);
}

/// <summary>Rprop; see <see cref="RpropOptions"/>.</summary>
public sealed class Rprop : ParameterwiseOptimizer<RpropOptions>
{
    public Rprop(RpropOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (ParamGroup g in Groups)
        {
            var o = (RpropOptions)g.Options;
            if (o.StepSizeMin > o.StepSizeMax)
                throw new ArgumentException($"RpropOptions.StepSizeMin must not exceed StepSizeMax (group {g.Name} has {o.StepSizeMin} > {o.StepSizeMax}).");
        }
    }

    protected override void Update(ParamGroup group, RpropOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        Tensor prev = state.GetOrCreate("prev", () => p.ZerosLike());
        Tensor stepSize = state.GetOrCreate("step_size", () => p.ZerosLike().Fill_(group.LearningRate));
        if (FusedUpdates.TryRprop(o, p, grad, prev, stepSize)) return;
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);

        // The factor η+, η− or 1 per coordinate, from the sign of g·g_prev.
        Tensor sign = grad.Mul(prev).Sign_();
        Tensor flipped = sign.Lt(0);
        Tensor factor = sign.MaskedFill(sign.Gt(0), o.EtaPlus).MaskedFill_(flipped, o.EtaMinus).MaskedFill_(sign.Eq(0), 1);
        stepSize.Mul_(factor).Clamp_(o.StepSizeMin, o.StepSizeMax);

        // Where the sign flipped, skip this step and forget the gradient, so the next step does not shrink again.
        Tensor direction = grad.MaskedFill(flipped, 0);
        p.Addcmul_(direction.Sign(), stepSize, -1);
        prev.Copy_(direction);
    }
}
