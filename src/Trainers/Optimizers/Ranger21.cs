using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Ranger21 (Wright &amp; Demeure, "Ranger21: a synergistic deep learning optimizer", arXiv 2106.13731): AdamW's core with
/// the paper's components, in this order each step (t global, 1-based; T = <see cref="TotalIterations"/>):
/// <code>
/// per tensor:  AGC (unit-wise: ‖G_i‖ ≤ c·max(‖W_i‖, ε_agc)) → gradient centralization (≥ 2-D: minus the mean over dims 1..)
///              → gradient normalization g/(std(g) + 1e-8) (more than 2 elements);  v ← β2·v + (1−β2)·g² (AMSGrad: v̂ = max)
/// η_t = η·min(1, t/W), W = min(⌈2/(1−β2)⌉, ⌊0.22·T⌋); after ⌊0.72·T⌋ a linear warm-down to 3e-5 at T
/// stable decay θ ← θ·(1 − λη_t/√(mean over every parameter element of v/bc2))
/// norm loss   θ ← θ·(1 − η_t·2ν·(1 − 1/(‖θ_unit‖ + ε)))          (unit = output row / filter)
/// positive-negative momentum: the EMA of this step's parity gets g with decay β1²;
///              p = ((1 + f)·m_this − f·m_other)/√((1 + β2)² + β2²)
/// θ ← θ − (η_t/bc1)·p / softplus_50(√(v/bc2) + ε);  every k steps Lookahead: φ ← φ + α(θ − φ), θ ← φ
/// </code>
/// The noise normalization uses β2 as the official code does (the PNM paper's β0 would be f). AMSGrad is off by default and,
/// when on, really keeps the maximum (pytorch-optimizer's ranger21.py writes the maximum to the wrong tensor, a no-op).
/// Defaults: η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 1e-4, AGC c = 1e-2 / ε_agc = 1e-3, softplus β = 50, ν = 1e-4, f = 1,
/// Lookahead k = 5, α = 0.5. <see cref="TotalIterations"/> must be set to the run's length (the warm-down depends on it);
/// 1000 is only a placeholder. Schedules multiply η before Ranger21's own warm-up/warm-down. State: 16 bytes/parameter
/// (m, m_neg, v, slow weights; 20 with AMSGrad).
/// </summary>
public sealed record Ranger21Options : AdaptiveMomentOptions
{
    public Ranger21Options()
    {
        LearningRate = 1e-3;
        WeightDecay = 1e-4;
    }

    /// <summary>T: the run's total steps, which place the warm-up (0.22·T at most) and the warm-down (from 0.72·T).</summary>
    public int TotalIterations { get; init => field = OptionChecks.AtLeast(value, 1, nameof(TotalIterations)); } = 1000;

    /// <summary>The largest warm-up as a fraction of <see cref="TotalIterations"/>.</summary>
    public double WarmupFraction { get; init => field = OptionChecks.UnitInterval(value, nameof(WarmupFraction)); } = 0.22;

    /// <summary>Where the warm-down starts, as a fraction of <see cref="TotalIterations"/>.</summary>
    public double WarmdownStart { get; init => field = OptionChecks.UnitInterval(value, nameof(WarmdownStart)); } = 0.72;

    /// <summary>The learning rate the warm-down ends at.</summary>
    public double WarmdownMinLearningRate { get; init => field = OptionChecks.NonNegative(value, nameof(WarmdownMinLearningRate)); } = 3e-5;

    /// <summary>AGC's clipping factor c (unit-wise ‖G_i‖ ≤ c·‖W_i‖).</summary>
    public double AgcClip { get; init => field = OptionChecks.Positive(value, nameof(AgcClip)); } = 1e-2;

    public double AgcEps { get; init => field = OptionChecks.Positive(value, nameof(AgcEps)); } = 1e-3;

    public double SoftplusBeta { get; init => field = OptionChecks.Positive(value, nameof(SoftplusBeta)); } = 50;

    /// <summary>ν: the norm-loss factor pulling each unit's norm towards 1.</summary>
    public double NormLoss { get; init => field = OptionChecks.NonNegative(value, nameof(NormLoss)); } = 1e-4;

    /// <summary>f: the positive-negative momentum factor.</summary>
    public double PnmFactor { get; init => field = OptionChecks.NonNegative(value, nameof(PnmFactor)); } = 1.0;

    public int LookaheadSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(LookaheadSteps)); } = 5;

    public double LookaheadAlpha { get; init => field = OptionChecks.UnitInterval(value, nameof(LookaheadAlpha)); } = 0.5;

    public bool AmsGrad { get; init; }

    public override string Name => "ranger21";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Ranger21(this, groups);

    /// <summary>η_t: the warm-up and warm-down applied to <paramref name="lr"/> at global step <paramref name="t"/>.</summary>
    public double LearningRateAt(double lr, long t)
    {
        long warmup = Math.Min((long)Math.Ceiling(2 / (1 - Beta2)), (long)(WarmupFraction * TotalIterations));
        if (warmup > 0) lr *= Math.Min(1.0, (double)t / warmup);
        long start = (long)(WarmdownStart * TotalIterations);
        if (t > start && TotalIterations > start)
            lr = Math.Max(WarmdownMinLearningRate, lr - (lr - WarmdownMinLearningRate) * (t - start) / (TotalIterations - start));
        return lr;
    }
}

/// <summary>Ranger21; see <see cref="Ranger21Options"/>.</summary>
public sealed class Ranger21 : ParameterwiseOptimizer<Ranger21Options>
{
    private readonly Dictionary<Parameter, Tensor> processed = new(ReferenceEqualityComparer.Instance);
    private double varianceNorm;

    public Ranger21(Ranger21Options options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    /// <summary>Norm per output unit (dims 1.. kept) for ≥ 2-D tensors, of the whole tensor otherwise.</summary>
    private static Tensor UnitNorm(Tensor x) =>
        x.Dim <= 1 ? x.Norm() : x.Norm(2, Enumerable.Range(1, (int)x.Dim - 1).Select(d => (long)d).ToArray(), keepDim: true);

    public override void Step()
    {
        // Pass 1 (every tensor): gradient preprocessing and the second moment, whose global mean the stable decay needs.
        long t = StepCount + 1;
        double sum = 0;
        long count = 0;
        try
        {
            using (Autograd.NoGrad())
                foreach (var (group, p, state) in Entries())
                {
                    using var scope = DisposeScope.Enter();
                    Tensor? grad = p.Grad;
                    if (grad is null) continue;
                    var o = (Ranger21Options)group.Options;
                    Tensor g = o.Maximize ? grad.Neg() : grad;
                    Tensor limit = UnitNorm(p).Clamp_(min: o.AgcEps).Mul_(o.AgcClip);
                    Tensor norm = UnitNorm(g);
                    g = Tensor.Where(norm.Gt(limit), g.Mul(limit.Div(norm.Clamp(min: 1e-6))), g);
                    if (g.Dim > 1) g = g.Sub(g.Mean(Enumerable.Range(1, (int)g.Dim - 1).Select(d => (long)d).ToArray(), keepDim: true));
                    if (g.NumberOfElements > 2) g = g.Div(g.Std().Add_(1e-8));
                    state.GetOrCreate("exp_avg", () => p.ZerosLike());
                    state.GetOrCreate("exp_avg_neg", () => p.ZerosLike());
                    state.GetOrCreate("slow", () => p.Detach().Clone());
                    Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
                    AdamMoments.UpdateSecond(v, g, o.Beta2);
                    if (o.AmsGrad)
                    {
                        Tensor vmax = state.GetOrCreate("max_exp_avg_sq", () => p.ZerosLike());
                        vmax.Maximum_(v);
                        v = vmax;
                    }
                    sum += v.Div(AdamMoments.BiasCorrection(o.Beta2, t)).Sum().Item();
                    count += p.NumberOfElements;
                    processed[p] = g.Clone().DetachFromDisposeScope();
                }
            varianceNorm = Math.Sqrt(sum / Math.Max(count, 1));
            StepParameters();
        }
        finally
        {
            foreach (Tensor g in processed.Values) g.Dispose();
            processed.Clear();
        }
    }

    protected override void Update(ParamGroup group, Ranger21Options o, Parameter p, Tensor grad, ParameterState state)
    {
        long t = StepCount;
        double lr = o.LearningRateAt(group.LearningRate, t);
        Tensor g = processed[p];
        // Stable weight decay, then the norm loss.
        if (o.WeightDecay != 0) p.Mul_(1 - o.WeightDecay * lr / varianceNorm);
        Tensor correction = UnitNorm(p).Add_(o.Eps).Reciprocal_().Neg_().Add_(1).Mul_(2 * o.NormLoss);
        p.Mul_(correction.Mul_(-lr).Add_(1));
        // Positive-negative momentum: the two EMAs take turns by step parity.
        Tensor current = state.Get(t % 2 == 1 ? "exp_avg" : "exp_avg_neg");
        Tensor other = state.Get(t % 2 == 1 ? "exp_avg_neg" : "exp_avg");
        double beta1Squared = o.Beta1 * o.Beta1;
        current.Mul_(beta1Squared).Add_(g, 1 - beta1Squared);
        Tensor direction = current.Mul(1 + o.PnmFactor).Sub_(other.Mul(o.PnmFactor))
            .Div_(Math.Sqrt((1 + o.Beta2) * (1 + o.Beta2) + o.Beta2 * o.Beta2));
        Tensor v = state.Get(o.AmsGrad ? "max_exp_avg_sq" : "exp_avg_sq");
        Tensor denom = v.Div(AdamMoments.BiasCorrection(o.Beta2, t)).Sqrt_().Add_(o.Eps);
        // softplus with β: log(1 + exp(β·x))/β (linear above β·x = 20, as torch).
        denom = denom.Mul(o.SoftplusBeta).Softplus().Div_(o.SoftplusBeta);
        p.Addcdiv_(direction, denom, -lr / AdamMoments.BiasCorrection(o.Beta1, t));
        if (t % o.LookaheadSteps != 0) return;
        Tensor slow = state.Get("slow");
        slow.Add_(p.Sub(slow), o.LookaheadAlpha);
        p.Copy_(slow);
    }
}
