using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adagrad (Duchi, Hazan &amp; Singer, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization",
/// JMLR 2011), as torch.optim.Adagrad 1.13 (dense gradients):
/// g ← g + λθ; s ← s + g²; θ ← θ − η/(1 + (t−1)·δ) · g/(√s + ε).
/// Defaults η = 1e-2, lr decay δ = 0, initial accumulator s₀ = 0, ε = 1e-10, λ = 0 (coupled L2). State: 4 bytes/parameter.
/// </summary>
public sealed record AdagradOptions : OptimizerOptions
{
    public AdagradOptions() => LearningRate = 1e-2;

    /// <summary>δ in the step size η/(1 + (t−1)·δ).</summary>
    public double LearningRateDecay { get; init => field = OptionChecks.NonNegative(value, nameof(LearningRateDecay)); }

    /// <summary>The value s₀ the sum of squared gradients starts from.</summary>
    public double InitialAccumulatorValue { get; init => field = OptionChecks.NonNegative(value, nameof(InitialAccumulatorValue)); }

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-10;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adagrad";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Adagrad(this, groups);
}

/// <summary>Adagrad; see <see cref="AdagradOptions"/>.</summary>
public sealed class Adagrad : ParameterwiseOptimizer<AdagradOptions>
{
    public Adagrad(AdagradOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdagradOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double stepSize = group.LearningRate / (1 + (state.Step - 1) * o.LearningRateDecay);
        if (FusedUpdates.TryAdagrad(o, p, grad, state, stepSize)) return;
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        Tensor sum = state.GetOrCreate("sum", () => p.ZerosLike().Fill_(o.InitialAccumulatorValue));
        sum.Addcmul_(grad, grad);
        Tensor std = sum.Sqrt().Add_(o.Eps);
        p.Addcdiv_(grad, std, -stepSize);
    }
}
