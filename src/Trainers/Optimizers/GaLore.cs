using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// GaLore AdamW (Zhao et al., "GaLore: Memory-Efficient LLM Training by Gradient Low-Rank Projection", arXiv 2403.03507),
/// as the official <c>galore_torch</c> AdamW with the "std" projector. Each tensor of two or more dimensions (kernels as
/// (out, −1)), an m×n G, is projected on its smaller side with r = min(<see cref="Rank"/>, m, n):
/// <code>
/// at steps 1, T+1, 2T+1, …: G = U·S·Vᵀ (SVD);  P = V[:, :r] (n×r) if m ≥ n, else P = U[:, :r] (m×r)
/// R = G·P (m ≥ n) or Pᵀ·G;  m ← β1m + (1−β1)R;  v ← β2v + (1−β2)R²   (the moments live in the projected space)
/// N = m/(√v + ε);  Ñ = α·N·Pᵀ (m ≥ n) or α·P·N
/// θ ← θ − η·(√bc2/bc1)·Ñ;  θ ← θ − ηλθ
/// </code>
/// The moments are kept when P is refreshed (as official). Vectors get that AdamW step in full rank. Every tensor of two
/// or more dimensions is projected (embeddings included): give the ones you want in full rank their own optimizer.
/// Defaults (the paper's pre-training recipe and official code): η = 1e-2, β = (0.9, 0.999), ε = 1e-6, λ = 0, r = 128,
/// T = 200, α = 0.25. State for a matrix: 8r·max(m, n) + 4r·min(m, n) bytes (m, v and P), i.e. 12r/min(m, n)
/// per parameter; 8 for vectors.
/// </summary>
public sealed record GaLoreAdamWOptions : AdaptiveMomentOptions
{
    public GaLoreAdamWOptions()
    {
        LearningRate = 1e-2;
        Eps = 1e-6;
    }

    /// <summary>r, the projection rank (capped at the matrix's smaller side).</summary>
    public int Rank { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Rank)); } = 128;

    /// <summary>T: the projection is recomputed from the current gradient's SVD every T steps.</summary>
    public int ProjectionUpdateInterval { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ProjectionUpdateInterval)); } = 200;

    /// <summary>α, the scale of the projected-back update.</summary>
    public double Scale { get; init => field = OptionChecks.Positive(value, nameof(Scale)); } = 0.25;

    public override string Name => "galore_adamw";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new GaLoreAdamW(this, groups);
}

/// <summary>GaLore AdamW; see <see cref="GaLoreAdamWOptions"/>.</summary>
public sealed class GaLoreAdamW : ParameterwiseOptimizer<GaLoreAdamWOptions>
{
    public GaLoreAdamW(GaLoreAdamWOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, GaLoreAdamWOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        bool matrix = p.Dim >= 2;
        long rows = p.Size(0);
        Tensor g = matrix ? grad.Reshape(rows, -1) : grad;
        bool right = matrix && rows >= g.Size(1);
        if (matrix && (state.Step - 1) % o.ProjectionUpdateInterval == 0)
        {
            long rank = Math.Min(o.Rank, Math.Min(rows, g.Size(1)));
            var (u, _, vh) = Linalg.Svd(g);
            state.Set("projection", right ? vh.Narrow(0, 0, rank).MT.Contiguous() : u.Narrow(1, 0, rank).Contiguous());
        }
        Tensor? projection = matrix ? state.Get("projection") : null;
        Tensor low = projection is null ? g : right ? g.Matmul(projection) : projection.MT.Matmul(g);

        Tensor m = state.GetOrCreate("exp_avg", () => low.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => low.ZerosLike());
        AdamMoments.UpdateFirst(m, low, o.Beta1);
        AdamMoments.UpdateSecond(v, low, o.Beta2);
        Tensor normalized = m.Div(v.Sqrt().Add_(o.Eps));
        if (projection is not null)
            normalized = (right ? normalized.Matmul(projection.MT) : projection.Matmul(normalized)).Mul_(o.Scale);

        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        p.Sub_(normalized.View(p.Shape), lr * Math.Sqrt(bc2) / bc1);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
    }
}
