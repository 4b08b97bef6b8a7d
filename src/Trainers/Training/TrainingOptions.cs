using TorchZoo.Torch;
using TorchZoo.Torch.Distributed;
using TorchZoo.Trainers.Clipping;

namespace TorchZoo.Trainers.Training;

/// <summary>How a training run is carried out. Validated when set.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Epochs), value, "Epochs must be ≥ 1."); } = 10;

    /// <summary>Examples per mini-batch.</summary>
    public int BatchSize { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be ≥ 1."); } = 32;

    /// <summary>Mini-batches whose gradients are summed (each loss divided by this) before one optimizer step.</summary>
    public int GradientAccumulationSteps { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), value, "GradientAccumulationSteps must be ≥ 1."); } = 1;

    /// <summary>Seeds the shuffling and libtorch's default generator (dropout, initialization done inside the run).</summary>
    public ulong Seed { get; init; }

    /// <summary>libtorch threads for the run; null keeps the current setting.</summary>
    public int? Threads { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "Threads must be ≥ 1."); }

    /// <summary>The device batches are moved to (the model must already be there).</summary>
    public Device Device { get; init; } = Device.Cpu;

    /// <summary>Validate every N optimizer steps; null validates at the end of every epoch.</summary>
    public int? ValidateEverySteps { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ValidateEverySteps), value, "ValidateEverySteps must be ≥ 1."); }

    /// <summary>Gradient clipping applied before every optimizer step (null: none).</summary>
    public IGradientClipper? Clipping { get; init; }

    /// <summary>Shuffle the training examples each epoch (from the seed).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Drop the last batch of an epoch when it is smaller than BatchSize.</summary>
    public bool DropLastBatch { get; init; }

    /// <summary>Consecutive non-finite steps (skipped) after which training stops as diverged.</summary>
    public int MaxConsecutiveNonFiniteSteps { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxConsecutiveNonFiniteSteps), value, "MaxConsecutiveNonFiniteSteps must be ≥ 1."); } = 5;

    /// <summary>Batch size used for validation (defaults to BatchSize).</summary>
    public int? ValidationBatchSize { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(ValidationBatchSize), value, "ValidationBatchSize must be ≥ 1."); }

    /// <summary>Write a checkpoint at the end of every epoch to this file (atomically); null: none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Data-parallel training over this group (see <see cref="Distributed.DataParallel"/>); null: one process.
    /// <see cref="BatchSize"/> stays the global batch: each of the W ranks takes every W-th example of it
    /// (BatchSize / W per rank, so W must divide BatchSize). Only rank 0 writes checkpoints.
    /// </summary>
    public ProcessGroup? ProcessGroup { get; init; }

    /// <summary>Gradients are averaged in buckets of about this many bytes (PyTorch DDP's 25 MB by default).</summary>
    public long GradientBucketBytes { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(GradientBucketBytes), value, "GradientBucketBytes must be ≥ 1."); } = Distributed.DataParallel.DefaultBucketBytes;
}

/// <summary>Whether a monitored metric improves downwards (loss) or upwards (accuracy).</summary>
public enum MetricMode
{
    Min,
    Max,
}

/// <summary>
/// Stop when the monitored validation metric has not improved by more than <see cref="MinDelta"/> for
/// <see cref="Patience"/> evaluations, optionally only once it beats <see cref="Baseline"/>, and optionally
/// restore the weights of the best evaluation.
/// </summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>"val_loss", "train_loss" or "val_" + a metric name.</summary>
    public string Monitor { get; init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("Monitor must name a metric.", nameof(Monitor)) : value; } = "val_loss";

    public MetricMode Mode { get; init; } = MetricMode.Min;

    public int Patience { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Patience), value, "Patience must be ≥ 0."); } = 5;

    public double MinDelta { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be ≥ 0."); }

    /// <summary>A value the metric must beat before an evaluation counts as an improvement.</summary>
    public double? Baseline { get; init; }

    public bool RestoreBestWeights { get; init; } = true;
}
