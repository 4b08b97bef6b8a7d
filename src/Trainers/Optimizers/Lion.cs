using TorchZoo.Torch;
using TorchZoo.Torch.Distributed;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Lion (Chen et al., "Symbolic Discovery of Optimization Algorithms", arXiv 2302.06675):
/// c = β1m + (1−β1)g; θ ← θ·(1 − ηλ) − η·sign(c); m ← β2m + (1−β2)g. Defaults η = 1e-4, β = (0.9, 0.99), λ = 0
/// (the paper: use a 3–10× smaller lr and 3–10× larger λ than AdamW). State: 4 bytes/parameter; ≈ 1 byte with
/// <see cref="StateDtype"/> = <see cref="OptimizerStateDtype.Int8Blockwise"/> (signed dynamic map, 2048-blocks).
/// <para>
/// Distributed Lion (Liu et al., arXiv 2404.00438) with <see cref="DistributedVote"/>: each rank keeps its own m from
/// its own gradients and contributes δ_i = sign(c_i); the ranks all-reduce the δ_i and every rank applies
/// Δ = sign(Σδ_i) (majority vote; a tie gives 0) or Δ = mean(δ_i), as θ ← θ·(1 − ηλ) − η·Δ. The sum travels as a
/// float all-reduce here (the paper's 1-bit/log₂N-bit packing is not implemented). In data-parallel training the loop
/// then does not average gradients. With one rank it is Lion exactly.
/// </para>
/// </summary>
public sealed record LionOptions : MomentOptions, IDistributedOptimizerOptions, IQuantizedStateOptions
{
    public LionOptions()
    {
        LearningRate = 1e-4;
        Beta2 = 0.99;
    }

    /// <summary>C-Lion: mask update coordinates whose sign disagrees with the gradient (see <see cref="CautiousMask"/>).</summary>
    public bool Cautious { get; init; }

    /// <summary>Cautious weight decay (arXiv 2510.12402): decay only coordinates whose sign agrees with the update sign(c).</summary>
    public bool CautiousWeightDecay { get; init; }

    /// <summary>8-bit block-wise momentum (arXiv 2110.02861; see <see cref="AdamOptions.StateDtype"/>).</summary>
    public OptimizerStateDtype StateDtype { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(StateDtype), value, "Unknown OptimizerStateDtype."); }

    /// <summary>Elements per quantization block (the paper's 2048).</summary>
    public int QuantizationBlockSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(QuantizationBlockSize)); } = BlockwiseQuantization.DefaultBlockSize;

    /// <summary>Smaller tensors keep a float32 momentum (bitsandbytes' min_8bit_size, 4096).</summary>
    public int MinQuantizedSize { get; init => field = OptionChecks.AtLeast(value, 0, nameof(MinQuantizedSize)); } = 4096;

    /// <summary>
    /// Use the fused native update when the parameter, gradient and state are contiguous float32 CPU tensors
    /// (<see cref="Kernels.FusedUpdates"/>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    /// <summary>Distributed Lion's aggregation of the ranks' update signs (None: plain Lion on the given gradients).</summary>
    public DistributedLionVote DistributedVote { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(DistributedVote), value, "Unknown vote."); }

    /// <summary>The ranks that vote (null: supplied by the training loop, or a world of one).</summary>
    public ProcessGroup? ProcessGroup { get; init; }

    OptimizerOptions IDistributedOptimizerOptions.WithProcessGroup(ProcessGroup group) => this with { ProcessGroup = group };

    public override string Name => "lion";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Lion(this, groups);
}

/// <summary>Lion; see <see cref="LionOptions"/>.</summary>
public sealed class Lion : ParameterwiseOptimizer<LionOptions>, ISelfSynchronizingOptimizer
{
    public Lion(LionOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (ParamGroup g in Groups)
        {
            var o = (LionOptions)g.Options;
            if (o.DistributedVote != options.DistributedVote || (o.ProcessGroup is not null && !ReferenceEquals(o.ProcessGroup, options.ProcessGroup)))
                throw new ArgumentException($"Parameter group {g.Name} sets a different DistributedVote or ProcessGroup; they apply to the whole optimizer.", nameof(groups));
            if (o.DistributedVote != DistributedLionVote.None && o.Cautious)
                throw new ArgumentException("Cautious masking is not defined for Distributed Lion (DistributedVote); turn one of them off.", nameof(options));
        }
    }

    /// <summary>True with a vote: the ranks exchange update signs, so the data-parallel loop must not average gradients.</summary>
    public bool SynchronizesRanks => Options.DistributedVote != DistributedLionVote.None;

    protected override void Update(ParamGroup group, LionOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (FusedUpdates.TryLion(group, o, p, grad, state)) return;
        double lr = group.LearningRate;
        Tensor m = QuantizedState.LoadBuffer(state, "exp_avg", p, signed: true, o);
        Tensor update = m.Mul(o.Beta1).Add_(grad, 1 - o.Beta1).Sign_();
        if (o.Cautious) CautiousMask.Apply(update, grad);
        if (Options.DistributedVote != DistributedLionVote.None && Options.ProcessGroup is { WorldSize: > 1 } ranks)
        {
            ranks.AllReduce(update, ReduceOp.Sum);
            if (Options.DistributedVote == DistributedLionVote.MajorityVote) update.Sign_();
            else update.Div_(ranks.WorldSize);
        }
        if (o.CautiousWeightDecay) WeightDecay.Cautious(p, update, lr, o.WeightDecay);
        else WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(update, lr);
        m.Mul_(o.Beta2).Add_(grad, 1 - o.Beta2);
        QuantizedState.SaveBuffer(state, "exp_avg", m, p, signed: true, o);
    }
}

/// <summary>How Distributed Lion combines the ranks' update signs.</summary>
public enum DistributedLionVote
{
    /// <summary>Plain Lion: no exchange (in data-parallel training the gradients are averaged instead).</summary>
    None,
    /// <summary>Δ = sign(Σ sign(c_i)).</summary>
    MajorityVote,
    /// <summary>Δ = mean(sign(c_i)).</summary>
    Average,
}
