using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// CAME (Luo et al., "CAME: Confidence-guided Adaptive Memory Efficient Optimization", ACL 2023, arXiv 2307.02047),
/// Algorithm 1 and the official code: Adafactor's factored second moment of G² + ε1 with rate β2 (no decay
/// schedule, no bias correction; <see cref="FactoredSecondMoment"/>); U = G/√V̂; U ← U/max(1, RMS(U)/d);
/// m ← β1m + (1−β1)U; the instability S = (U − m)² + ε2 gets its own factored EMA with rate β3, Ŝ = R_S·C_Sᵀ/mean(R_S);
/// θ ← θ(1 − ηλ) − η·m/√Ŝ. Vectors keep a full second moment and, as in the official code, step by η·m without the
/// confidence factor. Defaults η = 2e-4, β = (0.9, 0.999, 0.9999), ε = (1e-30, 1e-16), d = 1, λ = 0.
/// State: 4 + 8(m + n)/(mn) bytes/parameter for an m×n matrix (≈ 4), 8 for vectors.
/// </summary>
public sealed record CameOptions : MomentOptions
{
    public CameOptions() => LearningRate = 2e-4;

    /// <summary>β3, the rate of the instability (confidence) EMA.</summary>
    public double Beta3 { get; init => field = OptionChecks.Beta(value, nameof(Beta3)); } = 0.9999;

    /// <summary>ε1, added to G².</summary>
    public double Eps1 { get; init => field = OptionChecks.Positive(value, nameof(Eps1)); } = 1e-30;

    /// <summary>ε2, added to the instability (U − m)².</summary>
    public double Eps2 { get; init => field = OptionChecks.Positive(value, nameof(Eps2)); } = 1e-16;

    /// <summary>d, the RMS above which U is shrunk.</summary>
    public double ClipThreshold { get; init => field = OptionChecks.Positive(value, nameof(ClipThreshold)); } = 1.0;

    public override string Name => "came";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Came(this, groups);
}

/// <summary>CAME; see <see cref="CameOptions"/>.</summary>
public sealed class Came : ParameterwiseOptimizer<CameOptions>
{
    public Came(CameOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, CameOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        bool factored = FactoredSecondMoment.IsFactored(p);
        FactoredSecondMoment.Update(state, "exp_avg_sq", grad.Square().Add_(o.Eps1), o.Beta2);
        Tensor u = FactoredSecondMoment.InverseSqrt(state, "exp_avg_sq", p.Dim).Mul_(grad);
        FactoredSecondMoment.ClipByRms(u, o.ClipThreshold);

        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, u, o.Beta1);
        Tensor step = m;
        if (factored)
        {
            Tensor instability = u.Sub(m).Square_().Add_(o.Eps2);
            FactoredSecondMoment.Update(state, "exp_avg_res", instability, o.Beta3);
            step = FactoredSecondMoment.InverseSqrt(state, "exp_avg_res", p.Dim).Mul_(m);
        }
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(step, lr);
    }
}
