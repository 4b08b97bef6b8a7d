using TorchZoo.Extensions.Data;
using TorchZoo.Torch;
using TorchZoo.Trainers.Clipping;
using TorchZoo.Trainers.Optimizers;
using TorchZoo.Trainers.Schedules;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Extensions.Trainers;

/// <summary>
/// What every TorchZoo trainer takes, with ML.NET's column-name defaults. Any optimizer of the zoo goes in
/// <see cref="Optimizer"/> (matrix optimizers route their parameters themselves); the schedule, early stopping,
/// clipping and validation are shared by all trainers. Values are validated when set.
/// </summary>
public abstract record TorchTrainerOptions
{
    public string FeatureColumnName { get; init => field = Name(value, nameof(FeatureColumnName)); } = "Features";
    public string LabelColumnName { get; init => field = Name(value, nameof(LabelColumnName)); } = "Label";
    public string ScoreColumnName { get; init => field = Name(value, nameof(ScoreColumnName)); } = "Score";

    /// <summary>The optimizer (default AdamW with PyTorch's defaults).</summary>
    public OptimizerOptions Optimizer { get; init => field = value ?? throw new ArgumentNullException(nameof(Optimizer)); } = new AdamWOptions();

    /// <summary>The learning-rate schedule over the whole run (default: 5% warmup, then cosine to 0).</summary>
    public LearningRateSchedule Schedule { get; init => field = value ?? throw new ArgumentNullException(nameof(Schedule)); } = Schedules.WarmupCosine(0.05);

    /// <summary>Early stopping on the validation loss (null: train all epochs).</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Gradient clipping (default: global norm 1.0; null: none).</summary>
    public IGradientClipper? Clipping { get; init; } = new GlobalNormClipping { MaxNorm = 1.0 };

    public int MaxEpochs { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxEpochs), value, "MaxEpochs must be ≥ 1."); } = 10;

    public int BatchSize { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be ≥ 1."); } = 32;

    public int GradientAccumulationSteps { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(GradientAccumulationSteps), value, "GradientAccumulationSteps must be ≥ 1."); } = 1;

    /// <summary>Validation data (with the same columns). Wins over <see cref="ValidationFraction"/>.</summary>
    public IDataView? ValidationSet { get; init; }

    /// <summary>Hold out this fraction of the training data for validation when no ValidationSet is given (null: none).</summary>
    public double? ValidationFraction { get; init => field = value is null or (> 0 and < 1) ? value : throw new ArgumentOutOfRangeException(nameof(ValidationFraction), value, "ValidationFraction must be in (0, 1)."); }

    /// <summary>Seed for initialization, shuffling and dropout (null: the context's seed sequence).</summary>
    public int? Seed { get; init; }

    /// <summary>libtorch threads while training (null: leave as is).</summary>
    public int? Threads { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threads), value, "Threads must be ≥ 1."); }

    public Device Device { get; init; } = Device.Cpu;

    /// <summary>A safetensors file with initial weights (names as the model's, or as its loader maps them).</summary>
    public string? InitialWeightsPath { get; init; }

    /// <summary>Progress after every optimizer step.</summary>
    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>Called after every evaluation with its metrics.</summary>
    public Action<EvaluationRecord>? MetricsCallback { get; init; }

    /// <summary>Cancels training between steps; the fitted model is the last completed step's (or the best, with early stopping).</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>Write a checkpoint here after every epoch; resume with <see cref="ResumeFromCheckpoint"/>.</summary>
    public string? CheckpointPath { get; init; }

    public string? ResumeFromCheckpoint { get; init; }

    /// <summary>
    /// Data-parallel training over this group (every rank runs the same pipeline on the same data; each takes its shard
    /// of every batch, <see cref="BatchSize"/> stays the global batch). Null: one process. See
    /// <see cref="TorchZoo.Torch.Distributed.ProcessGroup.InitFromEnvironment"/> and torchzoo-launch.
    /// </summary>
    public TorchZoo.Torch.Distributed.ProcessGroup? ProcessGroup { get; init; }

    private static string Name(string value, string option) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{option} must name a column.", option) : value;
}
