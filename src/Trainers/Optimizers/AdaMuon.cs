using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaMuon (Si et al., "AdaMuon: Adaptive Muon Optimizer", arXiv 2507.11005; semantics of the official
/// <c>adamuon.py</c>): an element-wise Adam second moment on top of Muon's orthogonalized momentum, then one
/// rescaling to AdamW's update RMS:
/// <code>
/// B ← μB + (1−μ)G;  U = G + μ(B − G) (Nesterov) or B;  O = NS5(U)        as Muon (conv kernels as (out, −1))
/// v ← β2·v + (1−β2)·O²;  Ô = O / (√(v/bc2) + ε)                       element-wise second moment of O, bias-corrected
/// Ô ← Ô·√min(m, n) / (‖Ô‖_F + ε)                                      Frobenius norm of an orthogonal matrix
/// θ ← θ·(1 − ηλ) − η·ρ·√max(m, n)·Ô                                    ρ = 0.2: update RMS = ρ, like AdamW
/// </code>
/// The 0.2 is applied <b>once</b>, as in the official code (pytorch-optimizer's AdaMuon applies it twice, giving an
/// update RMS of about 0.04·√max(m, n)). Defaults (official): η = 0.02, μ = 0.95, Nesterov, β2 = 0.999, ε = 1e-8,
/// λ = 0.01, 5 quintic Newton–Schulz steps, ρ = 0.2. State: 8 bytes per parameter (momentum and second moment).
/// Uncertainties, as options: some re-implementations take sign(U) before Newton–Schulz ("sign stabilization",
/// <see cref="SignStabilization"/>, off); the ε in the norm ratio is ours (it only guards a zero update).
/// </summary>
public sealed record AdaMuonOptions : MatrixOptimizerOptions
{
    public AdaMuonOptions()
    {
        LearningRate = 0.02;
        WeightDecay = 0.01;
    }

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.95;

    public bool Nesterov { get; init; } = true;

    /// <summary>EMA rate β2 of the element-wise second moment of the orthogonalized update.</summary>
    public double Beta2 { get; init => field = OptionChecks.Beta(value, nameof(Beta2)); } = 0.999;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    public int NewtonSchulzSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(NewtonSchulzSteps)); } = 5;

    public NewtonSchulzCoefficients Coefficients { get; init => field = OptionChecks.NotNull(value, nameof(Coefficients)); } = NewtonSchulzCoefficients.Quintic;

    /// <summary>The update RMS ρ (0.2 matches AdamW's typical update, so AdamW's weight decay carries over).</summary>
    public double TargetRms { get; init => field = OptionChecks.Positive(value, nameof(TargetRms)); } = 0.2;

    /// <summary>Orthogonalize sign(U) instead of U (a variant seen in re-implementations; not in the official code we follow).</summary>
    public bool SignStabilization { get; init; }

    public override string Name => "adamuon";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new AdaMuon(this, groups);
}

/// <summary>The matrix side of AdaMuon; see <see cref="AdaMuonOptions"/>.</summary>
public sealed class AdaMuon : ParameterwiseOptimizer<AdaMuonOptions>
{
    internal AdaMuon(AdaMuonOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AdaMuonOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        long rows = p.Size(0);
        Tensor buf = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
        MatrixMomentum.Update(buf, grad, o.Momentum);
        Tensor u = MatrixMomentum.Direction(buf, grad, o.Momentum, o.Nesterov).Reshape(rows, -1);
        if (o.SignStabilization) u = u.Sign();
        long cols = u.Size(1);
        Tensor update = NewtonSchulz.Orthogonalize(u, o.Coefficients, o.NewtonSchulzSteps);

        Tensor v = state.GetOrCreate("exp_avg_sq", () => Tensor.Zeros(new long[] { rows, cols }, update.Dtype, p.Device));
        AdamMoments.UpdateSecond(v, update, o.Beta2);
        update.Div_(AdamMoments.Denominator(v, AdamMoments.BiasCorrection(o.Beta2, state.Step), o.Eps));
        update.Mul_(update.Norm().Add_(o.Eps).Reciprocal_().Mul_(Math.Sqrt(Math.Min(rows, cols))));

        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(update.Reshape(p.Shape).To(p.Dtype), lr * o.TargetRms * Math.Sqrt(Math.Max(rows, cols)));
    }
}
