using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SOAP (Vyas et al., "SOAP: Improving and Stabilizing Shampoo using Adam", arXiv 2409.11321): Adam run in the eigenbasis
/// of Shampoo's preconditioners. This is the variant with the momentum kept in the original space (the first official
/// release and pytorch-optimizer's soap.py; later official versions keep m in the rotated basis). For G viewed as (m, n):
/// <code>
/// step 1: L = (1−β_s)GGᵀ, R = (1−β_s)GᵀG; Q_L, Q_R = eigenvectors (eigh, descending eigenvalues); θ unchanged
/// then (t counts these updates):
///   m ← β1·m + (1−β1)·G;  v ← β2·v + (1−β2)·(Q_LᵀGQ_R)²
///   N = Q_L·[(Q_LᵀmQ_R)/(√v + ε)]·Q_Rᵀ;  θ ← θ − η·(√bc2/bc1)·N;  θ ← θ − ηλθ
///   L ← β_sL + (1−β_s)GGᵀ;  R ← β_sR + (1−β_s)GᵀG
///   every f updates: sort Q's columns by diag(QᵀLQ) descending (v permuted alike), Q ← QR(L·Q).Q (one power iteration)
/// </code>
/// β_s = β2. 1-D tensors get plain Adam (the official default precondition_1d = false); a side longer than
/// <see cref="MaxPreconditionDim"/> is not rotated; conv kernels are (size(0), −1) matrices. The first step only builds the
/// preconditioners, so the current gradient is never used in its own projection (as the official code). Defaults η = 3e-3,
/// β = (0.95, 0.95), ε = 1e-8, λ = 0.01, f = 10, max dim 10000. eigh/QR run in float32 with LAPACK.
/// State: 8 bytes/parameter + 8(m² + n²)/(mn) (L, R, Q_L, Q_R).
/// </summary>
/// <remarks><see cref="MomentOptions.Beta2"/> is also the decay β_s of the preconditioner statistics L and R.</remarks>
public sealed record SoapOptions : AdaptiveMomentOptions
{
    public SoapOptions()
    {
        LearningRate = 3e-3;
        WeightDecay = 0.01;
        Beta1 = 0.95;
        Beta2 = 0.95;
    }

    /// <summary>f: updates between eigenbasis refreshes.</summary>
    public int PreconditionFrequency { get; init => field = OptionChecks.AtLeast(value, 1, nameof(PreconditionFrequency)); } = 10;

    /// <summary>Sides longer than this are left unrotated (their preconditioner would cost too much).</summary>
    public int MaxPreconditionDim { get; init => field = OptionChecks.AtLeast(value, 1, nameof(MaxPreconditionDim)); } = 10000;

    public override string Name => "soap";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Soap(this, groups);
}

/// <summary>SOAP; see <see cref="SoapOptions"/>.</summary>
public sealed class Soap : ParameterwiseOptimizer<SoapOptions>
{
    public Soap(SoapOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, SoapOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        bool matrix = p.Dim >= 2;
        Tensor g = matrix ? grad.Reshape(p.Size(0), -1) : grad;
        if (state.Step == 1)
        {
            state.GetOrCreate("exp_avg", () => g.ZerosLike());
            state.GetOrCreate("exp_avg_sq", () => g.ZerosLike());
            if (matrix) InitializePreconditioners(o, g, state);
            return;
        }
        long t = state.Step - 1;
        double lr = group.LearningRate;
        Tensor m = state.Get("exp_avg"), v = state.Get("exp_avg_sq");
        AdamMoments.UpdateFirst(m, g, o.Beta1);
        Tensor direction;
        if (matrix)
        {
            Tensor rotated = Project(g, state);
            v.Mul_(o.Beta2).Addcmul_(rotated, rotated, 1 - o.Beta2);
            direction = ProjectBack(Project(m, state).Div(v.Sqrt().Add_(o.Eps)), state);
        }
        else
        {
            AdamMoments.UpdateSecond(v, g, o.Beta2);
            direction = m.Div(v.Sqrt().Add_(o.Eps));
        }
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, t), bc2 = AdamMoments.BiasCorrection(o.Beta2, t);
        p.Sub_(direction.View(p.Shape), lr * Math.Sqrt(bc2) / bc1);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        if (!matrix) return;
        UpdateStatistics(g, state, o.Beta2);
        if (t % o.PreconditionFrequency == 0) RefreshBases(state);
    }

    private static void InitializePreconditioners(SoapOptions o, Tensor g, ParameterState state)
    {
        if (g.Size(0) <= o.MaxPreconditionDim) state.GetOrCreate("L", () => Tensor.Zeros(new[] { g.Size(0), g.Size(0) }, g.Dtype, g.Device));
        if (g.Size(1) <= o.MaxPreconditionDim) state.GetOrCreate("R", () => Tensor.Zeros(new[] { g.Size(1), g.Size(1) }, g.Dtype, g.Device));
        UpdateStatistics(g, state, o.Beta2);
        foreach (string side in new[] { "L", "R" })
        {
            if (!state.TryGet(side, out Tensor stats)) continue;
            var (values, vectors) = Linalg.Eigh(stats.Add(Tensor.Eye(stats.Size(0), dtype: stats.Dtype, device: stats.Device), 1e-30));
            values.Dispose();
            state.Set("Q" + side, vectors.Flip(1));
            vectors.Dispose();
        }
    }

    private static void UpdateStatistics(Tensor g, ParameterState state, double beta)
    {
        if (state.TryGet("L", out Tensor l)) l.Mul_(beta).Add_(Linalg.Gram(g), 1 - beta);
        if (state.TryGet("R", out Tensor r)) r.Mul_(beta).Add_(Linalg.Gram(g.MT), 1 - beta);
    }

    /// <summary>One power iteration per side, after ordering the basis by its estimated eigenvalues (v's axis follows).</summary>
    private static void RefreshBases(ParameterState state)
    {
        Tensor v = state.Get("exp_avg_sq");
        Tensor permuted = v;
        foreach (var (side, axis) in new[] { ("L", 0L), ("R", 1L) })
        {
            if (!state.TryGet(side, out Tensor stats)) continue;
            Tensor q = state.Get("Q" + side);
            Tensor estimates = Linalg.Diag(q.MT.Matmul(stats).Matmul(q));
            var (_, order) = estimates.Sort(descending: true);
            permuted = permuted.IndexSelect(axis, order);
            var (basis, r) = Linalg.Qr(stats.Matmul(q.IndexSelect(1, order)));
            r.Dispose();
            state.Set("Q" + side, basis);
        }
        if (!ReferenceEquals(permuted, v)) v.Copy_(permuted);
    }

    private static Tensor Project(Tensor x, ParameterState state)
    {
        if (state.TryGet("QL", out Tensor ql)) x = ql.MT.Matmul(x);
        if (state.TryGet("QR", out Tensor qr)) x = x.Matmul(qr);
        return x;
    }

    private static Tensor ProjectBack(Tensor x, ParameterState state)
    {
        if (state.TryGet("QL", out Tensor ql)) x = ql.Matmul(x);
        if (state.TryGet("QR", out Tensor qr)) x = x.Matmul(qr.MT);
        return x;
    }
}
