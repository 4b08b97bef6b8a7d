using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// NorMuon (Li et al., "NorMuon: Making Muon more efficient and scalable", arXiv 2510.05491; semantics of the
/// official <c>normuon.py</c>): Muon's orthogonalized momentum, then each row normalized by an EMA of its mean
/// square, with the Frobenius norm of the orthogonalized matrix kept:
/// <code>
/// B ← μB + (1−μ)G;  U = G + μ(B − G) (Nesterov) or B;  O = NS5(U)        as Muon (conv kernels as (out, −1))
/// r_i = mean_j O_ij²;  v ← β2·v + (1−β2)·r                           one second moment per row, no bias correction
/// Ô = O / (√v + ε);  Ô ← Ô·‖O‖_F / (‖Ô‖_F + ε)                        row-normalized, Muon's norm kept
/// θ ← θ·(1 − ηλ) − η·s·Ô                                              s = √max(1, m/n) (official) or another <see cref="MuonScale"/>
/// </code>
/// Defaults (official): η = 0.02, μ = 0.95, Nesterov, β2 = 0.95, ε = 1e-10, λ = 0, 5 quintic Newton–Schulz steps,
/// scale <see cref="MuonScale.Original"/>. With <see cref="MuonScale.MatchAdamWRms"/> use AdamW-like η ≈ 1e-3.
/// State: 4 + 4/n bytes per parameter (momentum and one float per row of the (m, n) matrix).
/// Uncertainty: the ε in the norm-restoring ratio is ours (it only guards a zero update).
/// </summary>
public sealed record NorMuonOptions : MatrixOptimizerOptions
{
    public NorMuonOptions() => LearningRate = 0.02;

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.95;

    public bool Nesterov { get; init; } = true;

    /// <summary>EMA rate β2 of the per-row second moment.</summary>
    public double Beta2 { get; init => field = OptionChecks.Beta(value, nameof(Beta2)); } = 0.95;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-10;

    public int NewtonSchulzSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(NewtonSchulzSteps)); } = 5;

    public NewtonSchulzCoefficients Coefficients { get; init => field = OptionChecks.NotNull(value, nameof(Coefficients)); } = NewtonSchulzCoefficients.Quintic;

    /// <summary>The factor s applied after normalization; the official code uses √max(1, m/n).</summary>
    public MuonScale Scale { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "Unknown MuonScale."); } = MuonScale.Original;

    public override string Name => "normuon";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new NorMuon(this, groups);

    /// <summary>The factor s for an (m, n) update.</summary>
    public double ScaleFor(long rows, long cols) => new MuonOptions { Scale = Scale }.ScaleFor(rows, cols);
}

/// <summary>The matrix side of NorMuon; see <see cref="NorMuonOptions"/>.</summary>
public sealed class NorMuon : ParameterwiseOptimizer<NorMuonOptions>
{
    internal NorMuon(NorMuonOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, NorMuonOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        long rows = p.Size(0);
        Tensor buf = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("row_second_moment", () => Tensor.Zeros(new long[] { rows, 1 }, ScalarType.Float32, p.Device));
        MatrixMomentum.Update(buf, grad, o.Momentum);
        Tensor u = MatrixMomentum.Direction(buf, grad, o.Momentum, o.Nesterov);
        Tensor matrix = u.Reshape(rows, -1);
        Tensor update = NewtonSchulz.Orthogonalize(matrix, o.Coefficients, o.NewtonSchulzSteps).To(ScalarType.Float32);

        Tensor norm = update.Norm();
        v.Lerp_(update.Square().Mean(1, keepDim: true), 1 - o.Beta2);
        update.Div_(v.Sqrt().Add_(o.Eps));
        update.Mul_(norm.Div_(update.Norm().Add_(o.Eps)));

        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(update.Reshape(p.Shape).To(p.Dtype), lr * o.ScaleFor(rows, matrix.Size(1)));
    }
}
