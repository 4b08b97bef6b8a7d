using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Conda, "Column-Normalized Adam" (arXiv 2509.24218), <b>in the variant of pytorch-optimizer's <c>conda.py</c></b>
/// (the paper's own formulation was not available to us): Adam run in the singular basis of the momentum, so each
/// row of the rotated matrix ("column" in the paper's orientation) gets its own second-moment normalization.
/// For an (m, n) matrix (conv kernels as (out, −1)), P is the full orthogonal factor on the smaller side:
/// <code>
/// M ← β1·M + (1−β1)·G
/// every T steps (steps 1, T+1, 2T+1, …): M = U·S·Vᵀ;  P = U (m×m) if m &lt; n, else P = V (n×n)
/// G̃ = proj(G), M̃ = proj(M)                              proj(X) = PᵀX if m &lt; n, else X·P
/// v ← β2·v + (1−β2)·G̃²                                   in the rotated space; not re-rotated when P changes
/// Δ = proj⁻¹(M̃ / (√v + ε))                               proj⁻¹(Y) = P·Y if m &lt; n, else Y·Pᵀ
/// θ ← θ·(1 − ηλ) − η·(√bc2 / bc1)·Δ
/// </code>
/// Defaults (pytorch-optimizer's): η = 1e-3, β = (0.9, 0.999), ε = 1e-8, T = 2000, λ = 0. Everything that is not a
/// hidden matrix goes to the AdamW fallback. State: 8 + 4·min(m, n)/max(m, n) bytes per parameter (M, v and P).
/// Uncertainties: the paper's exact rule (SVD of the momentum vs. of the gradient, refresh schedule, re-rotation of v)
/// is not known to us; the weight decay here is decoupled (AdamW-style).
/// </summary>
public sealed record CondaOptions : MatrixOptimizerOptions
{
    public CondaOptions() => LearningRate = 1e-3;

    public double Beta1 { get; init => field = OptionChecks.Beta(value, nameof(Beta1)); } = 0.9;

    public double Beta2 { get; init => field = OptionChecks.Beta(value, nameof(Beta2)); } = 0.999;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>Steps T between recomputations of the basis P from the SVD of the momentum.</summary>
    public int BasisUpdateInterval { get; init => field = OptionChecks.AtLeast(value, 1, nameof(BasisUpdateInterval)); } = 2000;

    public override string Name => "conda";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new Conda(this, groups);
}

/// <summary>The matrix side of Conda; see <see cref="CondaOptions"/>.</summary>
public sealed class Conda : ParameterwiseOptimizer<CondaOptions>
{
    internal Conda(CondaOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, CondaOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);

        long rows = p.Size(0);
        Tensor mMatrix = m.Reshape(rows, -1), gMatrix = grad.Reshape(rows, -1);
        bool left = rows < mMatrix.Size(1);
        if ((state.Step - 1) % o.BasisUpdateInterval == 0)
        {
            var (u, _, vh) = Linalg.Svd(mMatrix);
            state.Set("basis", left ? u : vh.MT.Contiguous());
        }
        Tensor basis = state.Get("basis");
        Tensor Project(Tensor x) => left ? basis.MT.Matmul(x) : x.Matmul(basis);
        Tensor ProjectBack(Tensor y) => left ? basis.Matmul(y) : y.Matmul(basis.MT);

        Tensor gRotated = Project(gMatrix), mRotated = Project(mMatrix);
        Tensor v = state.GetOrCreate("exp_avg_sq", () => gRotated.ZerosLike());
        AdamMoments.UpdateSecond(v, gRotated, o.Beta2);
        Tensor delta = ProjectBack(mRotated.Div_(v.Sqrt().Add_(o.Eps)));

        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(delta.Reshape(p.Shape), lr * Math.Sqrt(bc2) / bc1);
    }
}
