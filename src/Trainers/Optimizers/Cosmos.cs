using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// COSMOS (Liu et al., "COSMOS: A Hybrid Adaptive Optimizer for Memory-Efficient Training of LLMs", arXiv 2502.17410):
/// SOAP-like adaptive steps on the leading rank-r eigenspace of the gradient's column covariance, and a Muon-like
/// Newton–Schulz step on its complement. This follows the authors' later official code (<c>COSMOS_optim.py</c>); for an
/// (m, n) matrix G (conv kernels as (out, −1)), t = 1, 2, …, r = min(<see cref="Rank"/>, m, n):
/// <code>
/// M ← β1·M + G                                                 unnormalized momentum
/// t = 1: P = leading r left singular vectors of GᵀG (n×r);  S = (1−β3)·(GP)ᵀ(GP)
/// t > 1: P' = QR(β3·P·S + (1−β3)·Gᵀ(GP)).Q;  T = PᵀP';  S ← β3·TᵀST + (1−β3)·(GP')ᵀ(GP');  P ← P'
/// V ← β2·V + (1−β2)·(GP)²                                      (m×r, the Adam second moment in the eigenbasis)
/// Ĝ = (G + β1·M) / (1 + β1·(1−β1^t)/(1−β1))                    normalized Nesterov look-ahead
/// A = [(ĜP) / (√(V/bc2) + ε)]·Pᵀ                                 SOAP/Adam part on the subspace
/// O = NS5(Ĝ − ĜPPᵀ);  Δ = A + ρ·√(mn)·O/(‖O‖ + ε)               Muon part on the complement, ρ = 0.2
///                                                               (dropped when ‖Ĝ − ĜPPᵀ‖ ≤ τ‖Ĝ‖)
/// θ ← θ·(1 − ηλ) − η·κ·√(mn)·Δ/(‖Δ‖ + ε)                        κ = LearningRateRatio
/// </code>
/// Matrices with more than <see cref="MaxPreconditionRows"/> rows get an AdamW step with the same M, V (as official).
/// Embeddings, the head, biases and norms go to <see cref="MatrixOptimizerOptions.Fallback"/> (AdamW at η, as official,
/// where κ scales only the hidden matrices). Newton–Schulz: Muon's quintic, 5 steps, float32 (official: bf16).
/// <para>
/// Uncertain, and therefore options: the README recommends β = (0.9, 0.95, 0.95) while the code's default is
/// (0.9, 0.999) with the basis sharing β2 (<see cref="Beta3"/> = <see cref="Beta2"/> reproduces it); the first official
/// release projected the rows instead, used an EMA momentum and had no ρ or weight decay — we follow the later code.
/// We cap the rank at min(m, n) (the official code fails beyond n) and drop a rounding-level residual
/// (<see cref="ResidualTolerance"/>). Defaults η = 1e-3, κ = 0.1, r = 64,
/// β = (0.9, 0.95, 0.95), ε = 1e-8, λ = 0, ρ = 0.2, max rows 10000.
/// State: 4 + 4r/n + 4r/m + 4r²/(mn) bytes/parameter (M, V, P, S).
/// </para>
/// </summary>
public sealed record CosmosOptions : MatrixOptimizerOptions
{
    public CosmosOptions() => LearningRate = 1e-3;

    /// <summary>β1, the momentum M ← β1·M + G (an unnormalized sum, normalized in Ĝ).</summary>
    public double Beta1 { get; init => field = OptionChecks.Beta(value, nameof(Beta1)); } = 0.9;

    /// <summary>β2, the rate of the second moment V in the eigenbasis.</summary>
    public double Beta2 { get; init => field = OptionChecks.Beta(value, nameof(Beta2)); } = 0.95;

    /// <summary>β3, the rate of the subspace statistics (P, S) (the official code uses β2 here).</summary>
    public double Beta3 { get; init => field = OptionChecks.Beta(value, nameof(Beta3)); } = 0.95;

    /// <summary>ε in the Adam denominator and in both normalizations.</summary>
    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>r, the dimension of the adaptive subspace (capped at min(m, n)).</summary>
    public int Rank { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Rank)); } = 64;

    /// <summary>κ, the hidden matrices' step relative to <see cref="OptimizerOptions.LearningRate"/> (official lr_ratio).</summary>
    public double LearningRateRatio { get; init => field = OptionChecks.Positive(value, nameof(LearningRateRatio)); } = 0.1;

    /// <summary>ρ, the weight of the normalized Newton–Schulz part relative to √(mn) before the final normalization.</summary>
    public double ResidualScale { get; init => field = OptionChecks.NonNegative(value, nameof(ResidualScale)); } = 0.2;

    /// <summary>
    /// τ: the Newton–Schulz part is dropped when ‖Ĝ − ĜPPᵀ‖ ≤ τ·‖Ĝ‖, i.e. when Ĝ lies in the subspace up to rounding
    /// (always when r = n; at step 1 when rank(G) ≤ r), where orthogonalizing would blow rounding noise up to a full-size
    /// step. Ours, not the paper's: 0 reproduces the official code.
    /// </summary>
    public double ResidualTolerance { get; init => field = OptionChecks.NonNegative(value, nameof(ResidualTolerance)); } = 1e-5;

    /// <summary>Matrices with more rows get a plain AdamW step (official: 10000).</summary>
    public int MaxPreconditionRows { get; init => field = OptionChecks.AtLeast(value, 1, nameof(MaxPreconditionRows)); } = 10000;

    public int NewtonSchulzSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(NewtonSchulzSteps)); } = 5;

    public override string Name => "cosmos";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new Cosmos(this, groups);
}

/// <summary>The matrix side of COSMOS; see <see cref="CosmosOptions"/>.</summary>
public sealed class Cosmos : ParameterwiseOptimizer<CosmosOptions>
{
    internal Cosmos(CosmosOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, CosmosOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        long rows = p.Size(0);
        Tensor g = grad.Reshape(rows, -1);
        long cols = g.Size(1);
        if (rows > o.MaxPreconditionRows)
        {
            var (m1, v1, c1, c2) = AdamMoments.Advance(state, p, grad, o.Beta1, o.Beta2);
            WeightDecay.Decoupled(p, lr, o.WeightDecay);
            p.Addcdiv_(m1, AdamMoments.Denominator(v1, c2, o.Eps), -lr / c1);
            return;
        }

        Tensor m = state.GetOrCreate("exp_avg", () => g.ZerosLike());
        m.Mul_(o.Beta1).Add_(g);
        Tensor basis = UpdateSubspace(o, g, state);
        Tensor projected = g.Matmul(basis);
        Tensor v = state.GetOrCreate("exp_avg_sq", () => projected.ZerosLike());
        AdamMoments.UpdateSecond(v, projected, o.Beta2);

        double momentumWeight = (1 - Math.Pow(o.Beta1, state.Step)) / (1 - o.Beta1);
        Tensor lookahead = g.Add(m, o.Beta1).Div_(1 + o.Beta1 * momentumWeight);
        Tensor inside = lookahead.Matmul(basis);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        Tensor delta = inside.Div(AdamMoments.Denominator(v, bc2, o.Eps)).Matmul(basis.MT);

        double scale = Math.Sqrt(rows * cols);
        Tensor residual = lookahead.Sub(inside.Matmul(basis.MT));
        // A residual at rounding level (Ĝ inside the subspace) is dropped: orthogonalizing it would only amplify noise.
        Tensor keep = residual.Norm().Gt(lookahead.Norm().Mul_(o.ResidualTolerance)).To(residual.Dtype);
        Tensor orthogonal = NewtonSchulz.Orthogonalize(residual, NewtonSchulzCoefficients.Quintic, o.NewtonSchulzSteps);
        delta.Add_(orthogonal.Div_(orthogonal.Norm().Add_(o.Eps)).Mul_(keep), o.ResidualScale * scale);

        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(delta.Div_(delta.Norm().Add_(o.Eps)).View(p.Shape), lr * o.LearningRateRatio * scale);
    }

    /// <summary>One power-iteration step of the rank-r eigenbasis P of EMA(GᵀG) and its rotated r×r statistics S.</summary>
    private static Tensor UpdateSubspace(CosmosOptions o, Tensor g, ParameterState state)
    {
        if (!state.TryGet("basis", out Tensor previous))
        {
            long rank = Math.Min(o.Rank, Math.Min(g.Size(0), g.Size(1)));
            var (u, _, _) = Linalg.Svd(g.MT.Matmul(g));
            Tensor first = u.Narrow(1, 0, rank).Contiguous();
            Tensor gp = g.Matmul(first);
            state.Set("subspace_stats", gp.MT.Matmul(gp).Mul_(1 - o.Beta3));
            state.Set("basis", first);
            return first;
        }
        Tensor stats = state.Get("subspace_stats");
        Tensor power = previous.Matmul(stats).Mul_(o.Beta3).Add_(g.MT.Matmul(g.Matmul(previous)), 1 - o.Beta3);
        var (basis, _) = Linalg.Qr(power);
        Tensor rotation = previous.MT.Matmul(basis);
        Tensor projected = g.Matmul(basis);
        Tensor rotated = rotation.MT.Matmul(stats.Matmul(rotation)).Mul_(o.Beta3).Add_(projected.MT.Matmul(projected), 1 - o.Beta3);
        state.Set("subspace_stats", rotated);
        state.Set("basis", basis);
        return basis;
    }
}
