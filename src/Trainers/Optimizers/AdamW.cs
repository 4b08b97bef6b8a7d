using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization", arXiv 1711.05101), as torch.optim.AdamW:
/// θ ← θ·(1 − ηλ), then the Adam update without L2. Defaults η = 1e-3, β = (0.9, 0.999), ε = 1e-8,
/// λ = 0.01 (PyTorch's; TorchSharp uses 0). State: 8 bytes/parameter (12 with AMSGrad).
/// Flags (off by default): <see cref="AdamOptions.Cautious"/> gives C-AdamW (arXiv 2411.16085);
/// <see cref="CautiousWeightDecay"/> decays only coordinates whose sign agrees with the update (arXiv 2510.12402).
/// </summary>
public sealed record AdamWOptions : AdamOptions
{
    public AdamWOptions() => WeightDecay = 0.01;

    /// <summary>
    /// Cautious weight decay (Chen et al., arXiv 2510.12402): θ ← θ − η(u + λ·1[u⊙θ ≥ 0]⊙θ), i.e. decay only the
    /// coordinates where the update u already pushes θ towards zero (<see cref="Kernels.WeightDecay.Cautious"/>). No extra state.
    /// </summary>
    public bool CautiousWeightDecay { get; init; }

    public override string Name => "adamw";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdamW(this, groups);
}

/// <summary>AdamW; see <see cref="AdamWOptions"/>.</summary>
public sealed class AdamW : Adam
{
    public AdamW(AdamWOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups, decoupled: true) { }
}
