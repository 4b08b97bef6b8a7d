using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adafactor (Shazeer &amp; Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost", arXiv 1804.04235),
/// Algorithms 4–5 with relative step sizes: β̂_t = 1 − t^c (c = −0.8); for tensors of two or more dimensions the second
/// moment is factored (R ← β̂R + (1−β̂)·rowmean(G² + ε1), C likewise over columns, V̂ = R·Cᵀ/mean(R), see
/// <see cref="FactoredSecondMoment"/>), for vectors V ← β̂V + (1−β̂)(G² + ε1); U = G/√V̂; update clipping
/// Û = U / max(1, RMS(U)/d) (it only ever shrinks: pytorch-optimizer 3.9 divides by min(1, RMS/d), inverting it);
/// ρ_t = min(η, 1/√t) with <see cref="RelativeStep"/> (the paper's min(10⁻², 1/√t), η = 10⁻² being the learning rate
/// schedules scale), else ρ_t = η; α_t = max(ε2, RMS(θ_{t−1}))·ρ_t with <see cref="ScaleParameter"/>, else ρ_t;
/// optional momentum m ← β1m + (1−β1)Û (the paper's β1 experiments; off by default) applied instead of Û;
/// θ ← θ·(1 − λα_t) − α_t·Û (decoupled weight decay scaled by α_t, as Hugging Face/timm).
/// Defaults η = 1e-2, ε1 = 1e-30, ε2 = 1e-3, d = 1, c = −0.8, β1 = 0 (no momentum), λ = 0; every tensor with two or more
/// dimensions is factored over its last two (pytorch-optimizer; timm and optax factor only large dimensions, see
/// <see cref="MinDimensionToFactor"/>). State: 4(m + n)/(mn) bytes/parameter for matrices (≈ 0), 4 for vectors,
/// +4 with momentum.
/// </summary>
public sealed record AdafactorOptions : OptimizerOptions
{
    public AdafactorOptions() => LearningRate = 1e-2;

    /// <summary>ε1, added to G² before averaging.</summary>
    public double Eps1 { get; init => field = OptionChecks.Positive(value, nameof(Eps1)); } = 1e-30;

    /// <summary>ε2, the floor of RMS(θ) in the relative step size.</summary>
    public double Eps2 { get; init => field = OptionChecks.Positive(value, nameof(Eps2)); } = 1e-3;

    /// <summary>d, the RMS above which an update is shrunk.</summary>
    public double ClipThreshold { get; init => field = OptionChecks.Positive(value, nameof(ClipThreshold)); } = 1.0;

    /// <summary>c in β̂_t = 1 − t^c; must be negative (the paper's −0.8).</summary>
    public double DecayRate
    {
        get;
        init => field = value < 0 && value >= -1 ? value : throw new ArgumentOutOfRangeException(nameof(DecayRate), value, "DecayRate must be in [−1, 0).");
    } = -0.8;

    /// <summary>Momentum β1 on the clipped update; 0 turns momentum off (no state).</summary>
    public double Beta1 { get; init => field = OptionChecks.Beta(value, nameof(Beta1)); }

    /// <summary>ρ_t = min(η, 1/√t) instead of η.</summary>
    public bool RelativeStep { get; init; } = true;

    /// <summary>Multiply the step by max(ε2, RMS(θ)).</summary>
    public bool ScaleParameter { get; init; } = true;

    /// <summary>Factor only when both of the last two dimensions are at least this (1 = every tensor of ≥ 2 dimensions).</summary>
    public int MinDimensionToFactor { get; init => field = OptionChecks.AtLeast(value, 1, nameof(MinDimensionToFactor)); } = 1;

    public override string Name => "adafactor";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Adafactor(this, groups);

    internal bool Factors(Tensor p) => p.Dim >= 2 && p.Size(-1) >= MinDimensionToFactor && p.Size(-2) >= MinDimensionToFactor;
}

/// <summary>Adafactor; see <see cref="AdafactorOptions"/>.</summary>
public sealed class Adafactor : ParameterwiseOptimizer<AdafactorOptions>
{
    public Adafactor(AdafactorOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdafactorOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        long t = state.Step;
        double rho = o.RelativeStep ? Math.Min(group.LearningRate, 1 / Math.Sqrt(t)) : group.LearningRate;
        double alpha = o.ScaleParameter ? Math.Max(o.Eps2, FactoredSecondMoment.Rms(p).Item()) * rho : rho;
        double beta2 = 1 - Math.Pow(t, o.DecayRate);

        bool factored = o.Factors(p);
        Tensor g2 = grad.Square().Add_(o.Eps1);
        FactoredSecondMoment.Update(state, "exp_avg_sq", factored ? g2 : g2.Reshape(-1), beta2);
        Tensor preconditioner = FactoredSecondMoment.InverseSqrt(state, "exp_avg_sq", factored ? p.Dim : 1);
        Tensor u = grad.Mul(factored ? preconditioner : preconditioner.View(p.Shape));
        FactoredSecondMoment.ClipByRms(u, o.ClipThreshold);
        if (o.Beta1 > 0)
        {
            Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
            AdamMoments.UpdateFirst(m, u, o.Beta1);
            u = m;
        }
        WeightDecay.Decoupled(p, alpha, o.WeightDecay);
        p.Sub_(u, alpha);
    }
}
