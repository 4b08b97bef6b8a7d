using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaLomo (Lv et al., "AdaLomo: Low-memory Optimization with Adaptive Learning Rate", arXiv 2310.10195), the update
/// of the paper's Algorithm 1 and the official collie <c>adalomo.py</c>: no first moment; Adafactor's factored second
/// moment of G² + ε1 with β̂_t = 1 − t^c (<see cref="FactoredSecondMoment"/>); U = G/√V̂; grouped update normalization
/// U ← U/max(1, RMS(U)/d) per parameter; θ ← θ(1 − α_tλ) − α_t·U with α_t = η·max(ε2, RMS(θ)). The preconditioned U is
/// applied (pytorch-optimizer 3.9's AdaLOMO computes it and then subtracts the raw gradient).
/// The paper fuses this update into the backward pass (each gradient is consumed and freed as soon as it is computed,
/// with a first pass for global gradient-norm clipping and a loss scale for fp16); here it runs in <c>Step()</c> on
/// stored gradients, so the rule is the same but the gradient memory saving is not. Defaults η = 1e-3, ε = (1e-30, 1e-3),
/// d = 1, c = −0.8, λ = 0. State: 4(m + n)/(mn) bytes/parameter for matrices (≈ 0), 4 for vectors.
/// </summary>
public sealed record AdaLomoOptions : OptimizerOptions
{
    public AdaLomoOptions() => LearningRate = 1e-3;

    /// <summary>ε1, added to G².</summary>
    public double Eps1 { get; init => field = OptionChecks.Positive(value, nameof(Eps1)); } = 1e-30;

    /// <summary>ε2, the floor of RMS(θ) in the step size.</summary>
    public double Eps2 { get; init => field = OptionChecks.Positive(value, nameof(Eps2)); } = 1e-3;

    /// <summary>d, the RMS above which an update is shrunk.</summary>
    public double ClipThreshold { get; init => field = OptionChecks.Positive(value, nameof(ClipThreshold)); } = 1.0;

    /// <summary>c in β̂_t = 1 − t^c (the official −0.8).</summary>
    public double DecayRate
    {
        get;
        init => field = value < 0 && value >= -1 ? value : throw new ArgumentOutOfRangeException(nameof(DecayRate), value, "DecayRate must be in [−1, 0).");
    } = -0.8;

    public override string Name => "adalomo";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaLomo(this, groups);
}

/// <summary>AdaLomo; see <see cref="AdaLomoOptions"/>.</summary>
public sealed class AdaLomo : ParameterwiseOptimizer<AdaLomoOptions>
{
    public AdaLomo(AdaLomoOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdaLomoOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double beta2 = 1 - Math.Pow(state.Step, o.DecayRate);
        FactoredSecondMoment.Update(state, "exp_avg_sq", grad.Square().Add_(o.Eps1), beta2);
        Tensor u = FactoredSecondMoment.InverseSqrt(state, "exp_avg_sq", p.Dim).Mul_(grad);
        FactoredSecondMoment.ClipByRms(u, o.ClipThreshold);
        double alpha = group.LearningRate * Math.Max(o.Eps2, FactoredSecondMoment.Rms(p).Item());
        WeightDecay.Decoupled(p, alpha, o.WeightDecay);
        p.Sub_(u, alpha);
    }
}
