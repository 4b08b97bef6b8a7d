using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// REG (Liu et al., arXiv 2510.03691): Muon's structure with the Newton–Schulz matrix sign replaced by
/// row-and-column scaling (RACS), a matrix-balancing operator, and the update kept on AdamW's scale so it
/// fine-tunes AdamW-pretrained models gracefully. <b>Reconstructed from the paper's description, not from its
/// code</b> (the algorithm box was not available to us); every choice is an option:
/// <code>
/// M ← βM + (1−β)G;  U = G + β(M − G) (Nesterov) or M
/// X = diag(r+ε)^(−1/2)·U·diag(c+ε)^(−1/2)   r, c: row and column p-norms of U; k passes (Ruiz) 
/// X ← X·ρ/(RMS(X) + ε);  θ ← θ·(1 − ηλ) − η·X
/// </code>
/// Defaults: η = 1e-3, λ = 0.01 (drop-in for AdamW's), β = 0.95, Nesterov, p = 2, one pass, ρ = 0.2, ε = 1e-8;
/// embeddings, head, biases and norms go to the AdamW fallback. State: 4 bytes/parameter (momentum only).
/// </summary>
public sealed record RegOptions : MatrixOptimizerOptions
{
    public RegOptions()
    {
        LearningRate = 1e-3;
        WeightDecay = 0.01;
    }

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.95;

    public bool Nesterov { get; init; } = true;

    /// <summary>
    /// Cautious weight decay (Chen et al., arXiv 2510.12402): decay only the coordinates whose sign agrees with the
    /// update (θ ← θ − ηλ·1[u⊙θ ≥ 0]⊙θ) instead of all of them. Off by default. No extra state.
    /// </summary>
    public bool CautiousWeightDecay { get; init; }

    /// <summary>The norm power p of the row and column norms (the paper found p = 2 best).</summary>
    public double NormPower { get; init => field = OptionChecks.Positive(value, nameof(NormPower)); } = 2;

    /// <summary>Balancing passes k (1 = one RACS step; more = Ruiz equilibration).</summary>
    public int BalancingPasses { get; init => field = OptionChecks.AtLeast(value, 1, nameof(BalancingPasses)); } = 1;

    /// <summary>Target RMS ρ of the update (AdamW's typical update RMS is about 0.2).</summary>
    public double TargetRms { get; init => field = OptionChecks.Positive(value, nameof(TargetRms)); } = 0.2;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>
    /// Use the fused native update (p = 2, one balancing pass, no cautious decay; contiguous float32 CPU tensors;
    /// <see cref="Kernels.FusedUpdates"/>); false forces the generic tensor-op path, the reference. Default true.
    /// The fallback's own options decide for the parameters routed to it.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "reg";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new Reg(this, groups);
}

/// <summary>The matrix side of REG; see <see cref="RegOptions"/>.</summary>
public sealed class Reg : ParameterwiseOptimizer<RegOptions>
{
    internal Reg(RegOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, RegOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (FusedUpdates.TryReg(group, o, p, grad, state)) return;
        double lr = group.LearningRate;
        Tensor buf = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
        MatrixMomentum.Update(buf, grad, o.Momentum);
        Tensor u = MatrixMomentum.Direction(buf, grad, o.Momentum, o.Nesterov);
        Tensor x = Racs.Balance(u.Reshape(p.Size(0), -1), o.NormPower, o.BalancingPasses, o.Eps);
        Racs.MatchRms(x, o.TargetRms, o.Eps);
        if (o.CautiousWeightDecay) WeightDecay.Cautious(p, x.View(p.Shape), lr, o.WeightDecay);
        else WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(x.View(p.Shape), lr);
    }
}
