using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adam with a subset-norm second moment (AdamW-SN; Nguyen et al., "Lean and Mean Adaptive Optimization via
/// Subset-Norm and Subspace-Momentum with Convergence Guarantees", arXiv 2411.07120): the coordinates of each tensor of
/// two or more dimensions (viewed as (rows, −1)) are split into subsets S, and one second moment per subset tracks the
/// squared subset norm: v_S ← β2v_S + (1−β2)·‖g_S‖² (or the mean of g² over S with <see cref="MeanOverSubset"/>, the
/// authors' <c>correct_dim</c>); m is full; θ ← θ(1 − ηλ) − η(m/bc1)/(√(v_S/bc2) + ε). Subsets:
/// <see cref="SubsetSize"/> = 0 (default, the authors' "heuristics") — the rows when rows ≥ columns, else the columns
/// (subsets along the shorter side, one v per entry of the longer side); k &gt; 0 — contiguous runs of the flattened
/// tensor of size d, the largest divisor of the element count not above k. Vectors use plain AdamW. Subspace-Momentum
/// (the paper's low-rank momentum) is not implemented. UNCERTAIN: the authors' code applies √bc2 without 1/bc1 and
/// decays after the step; here standard Adam bias corrections and decay first. Defaults η = 1e-3, β = (0.9, 0.999),
/// ε = 1e-6 (authors' code), λ = 0. State: 4 + 4/k bytes/parameter (k = subset size; ≈ 4).
/// </summary>
public sealed record SubsetNormAdamOptions : AdaptiveMomentOptions
{
    public SubsetNormAdamOptions()
    {
        LearningRate = 1e-3;
        Eps = 1e-6;
    }

    /// <summary>0: rows or columns (the shorter side); k &gt; 0: flattened subsets of the largest divisor of numel ≤ k.</summary>
    public int SubsetSize { get; init => field = OptionChecks.AtLeast(value, 0, nameof(SubsetSize)); }

    /// <summary>Average g² over a subset instead of summing it (the subset norm squared).</summary>
    public bool MeanOverSubset { get; init; }

    public override string Name => "adamw_sn";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new SubsetNormAdam(this, groups);

    /// <summary>The (subsets, size) layout of a tensor's squared gradient, and whether the subsets are columns.</summary>
    internal (long Subsets, long Size, bool Columns) LayoutOf(long[] shape)
    {
        long numel = shape.Aggregate(1L, (a, b) => a * b);
        if (SubsetSize == 0)
        {
            long rows = shape[0], cols = numel / rows;
            return rows >= cols ? (rows, cols, false) : (cols, rows, true);
        }
        long d = Math.Min(SubsetSize, numel);
        while (numel % d != 0) d--;
        return (numel / d, d, false);
    }
}

/// <summary>AdamW-SN; see <see cref="SubsetNormAdamOptions"/>.</summary>
public sealed class SubsetNormAdam : ParameterwiseOptimizer<SubsetNormAdamOptions>
{
    public SubsetNormAdam(SubsetNormAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, SubsetNormAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        if (p.Dim < 2)
        {
            Tensor v1 = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
            AdamMoments.UpdateSecond(v1, grad, o.Beta2);
            p.Addcdiv_(m, AdamMoments.Denominator(v1, bc2, o.Eps), -lr / bc1);
            return;
        }

        var (subsets, size, columns) = o.LayoutOf(p.Shape);
        // View g² so that each row is one subset (columns of the (rows, −1) matrix are transposed first).
        Tensor g2 = grad.Square().Reshape(columns ? size : subsets, -1);
        if (columns) g2 = g2.MT;
        Tensor squaredNorm = o.MeanOverSubset ? g2.Mean(1, keepDim: true) : g2.Sum(1, keepDim: true);
        Tensor v = state.GetOrCreate("exp_avg_sq_subset", () => Tensor.Zeros(new[] { subsets, 1L }));
        v.Mul_(o.Beta2).Add_(squaredNorm, 1 - o.Beta2);
        Tensor denom = AdamMoments.Denominator(v, bc2, o.Eps);
        if (columns) denom = denom.MT;   // (1, cols): one value per column
        Tensor step = m.Reshape(columns ? size : subsets, -1).Div(denom).View(p.Shape);
        p.Sub_(step, lr / bc1);
    }
}
