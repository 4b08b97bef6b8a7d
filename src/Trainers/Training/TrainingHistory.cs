namespace TorchZoo.Trainers.Training;

/// <summary>Why training ended.</summary>
public enum StopReason
{
    MaxEpochs,
    EarlyStopped,
    Cancelled,
    Diverged,
}

/// <summary>Metrics of one evaluation (the end of an epoch, or every N steps).</summary>
public sealed record EvaluationRecord(int Epoch, long Step, double TrainLoss, IReadOnlyDictionary<string, double> Metrics, double LearningRate)
{
    /// <summary>A monitored value: "train_loss" or a validation metric such as "val_loss".</summary>
    public double Get(string name) =>
        name == "train_loss" ? TrainLoss
        : Metrics.TryGetValue(name, out double v) ? v
        : throw new KeyNotFoundException($"No metric '{name}' was recorded; recorded: train_loss, {string.Join(", ", Metrics.Keys)}.");
}

/// <summary>What happened during a run: evaluations, the learning rate of every step, skipped steps and the ending.</summary>
public sealed class TrainingHistory
{
    public List<EvaluationRecord> Evaluations { get; } = new();

    /// <summary>The learning rate (of the first parameter group) used at every optimizer step.</summary>
    public List<double> LearningRates { get; } = new();

    /// <summary>Training loss at every optimizer step (NaN for skipped steps).</summary>
    public List<double> StepLosses { get; } = new();

    /// <summary>Optimizer steps skipped because the loss or a gradient was not finite (1-based step numbers).</summary>
    public List<long> SkippedSteps { get; } = new();

    public StopReason StopReason { get; set; } = StopReason.MaxEpochs;

    /// <summary>The epoch (1-based) in which training ended.</summary>
    public int StoppedEpoch { get; set; }

    /// <summary>A sentence on why training ended.</summary>
    public string StopMessage { get; set; } = "";

    /// <summary>The evaluation whose weights were restored (early stopping with RestoreBestWeights), if any.</summary>
    public EvaluationRecord? RestoredBest { get; set; }

    /// <summary>Optimizer steps completed.</summary>
    public long Steps => LearningRates.Count;
}
