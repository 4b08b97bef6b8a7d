using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adamax, the infinity-norm variant of Adam (Kingma &amp; Ba, arXiv 1412.6980, §7.1), as torch.optim.Adamax 1.13:
/// g ← g + λθ; m ← β1m + (1−β1)g; u ← max(β2u, |g| + ε); θ ← θ − (η/bc1)·m/u.
/// Defaults η = 2e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0 (coupled L2). State: 8 bytes/parameter.
/// </summary>
/// <remarks>ε (<see cref="AdaptiveMomentOptions.Eps"/>): added to |g| before the maximum (torch's placement), so u ≥ ε and the division is safe.</remarks>
public sealed record AdamaxOptions : AdaptiveMomentOptions
{
    public AdamaxOptions() => LearningRate = 2e-3;

    public override string Name => "adamax";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Adamax(this, groups);
}

/// <summary>Adamax; see <see cref="AdamaxOptions"/>.</summary>
public sealed class Adamax : ParameterwiseOptimizer<AdamaxOptions>
{
    public Adamax(AdamaxOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdamaxOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor u = state.GetOrCreate("exp_inf", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        u.Mul_(o.Beta2).Maximum_(grad.Abs().Add_(o.Eps));
        double stepSize = group.LearningRate / AdamMoments.BiasCorrection(o.Beta1, state.Step);
        p.Addcdiv_(m, u, -stepSize);
    }
}
