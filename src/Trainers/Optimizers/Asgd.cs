using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Averaged SGD (Polyak &amp; Juditsky, "Acceleration of Stochastic Approximation by Averaging", SIAM J. Control Optim. 1992),
/// as torch.optim.ASGD 1.13: g ← g + λθ; θ ← θ(1 − λ_a·η_t) − η_t·g; θ̄ ← θ̄ + μ_t(θ − θ̄) (θ̄ = θ while μ_t = 1);
/// then η_{t+1} = η/(1 + λ_a·η·t)^α and μ_{t+1} = 1/max(1, t − t0). The average θ̄ is state "ax"; the model keeps θ.
/// Defaults η = 1e-2, decay term λ_a = 1e-4, power α = 0.75, averaging start t0 = 1e6, λ = 0 (coupled L2).
/// State: 4 bytes/parameter, plus the scalars η_t and μ_t (rounded to float32, as torch keeps them in float32 tensors).
/// </summary>
public sealed record AsgdOptions : OptimizerOptions
{
    public AsgdOptions() => LearningRate = 1e-2;

    /// <summary>λ_a, the decay term (it both shrinks θ and anneals the step size).</summary>
    public double Lambd { get; init => field = OptionChecks.NonNegative(value, nameof(Lambd)); } = 1e-4;

    /// <summary>α, the power of the step-size annealing η/(1 + λ_a·η·t)^α.</summary>
    public double Alpha { get; init => field = OptionChecks.NonNegative(value, nameof(Alpha)); } = 0.75;

    /// <summary>t0, the step after which averaging starts.</summary>
    public double T0 { get; init => field = OptionChecks.NonNegative(value, nameof(T0)); } = 1e6;

    public override string Name => "asgd";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Asgd(this, groups);
}

/// <summary>ASGD; see <see cref="AsgdOptions"/>. The averaged parameters are in each parameter's state as "ax".</summary>
public sealed class Asgd : ParameterwiseOptimizer<AsgdOptions>
{
    public Asgd(AsgdOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AsgdOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        long t = state.Step;
        grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        double eta = state.GetScalar("eta", (float)lr);
        double mu = state.GetScalar("mu", 1);
        Tensor ax = state.GetOrCreate("ax", () => p.ZerosLike());

        p.Mul_(1 - o.Lambd * eta);
        p.Sub_(grad, eta);
        if (mu != 1) ax.Add_(p.Sub(ax).Mul_(mu));
        else ax.Copy_(p);

        state.SetScalar("eta", (float)(lr / Math.Pow(1 + o.Lambd * lr * t, o.Alpha)));
        state.SetScalar("mu", (float)(1 / Math.Max(1, t - o.T0)));
    }
}
