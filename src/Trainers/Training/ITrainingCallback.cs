using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Training;

/// <summary>The run as callbacks see it: they read it and may stop training or scale the learning rate.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Module model, Optimizer optimizer, TrainingHistory history, TrainingOptions options, long totalSteps)
    {
        Model = model;
        Optimizer = optimizer;
        History = history;
        Options = options;
        TotalSteps = totalSteps;
    }

    public Module Model { get; }
    public Optimizer Optimizer { get; }
    public TrainingHistory History { get; }
    public TrainingOptions Options { get; }
    public long TotalSteps { get; }

    /// <summary>1-based current epoch.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Optimizer steps completed.</summary>
    public long Step { get; internal set; }

    /// <summary>A multiplier on top of the schedule (reduce-on-plateau lowers it).</summary>
    public double LearningRateScale { get; set; } = 1;

    /// <summary>Set by a callback to end training after the current evaluation.</summary>
    public bool StopRequested { get; private set; }

    public StopReason RequestedReason { get; private set; }

    public string RequestedMessage { get; private set; } = "";

    public void RequestStop(StopReason reason, string message)
    {
        StopRequested = true;
        RequestedReason = reason;
        RequestedMessage = message;
    }
}

/// <summary>Hooks into the training loop. Implement what you need; the defaults do nothing.</summary>
public interface ITrainingCallback
{
    void OnTrainBegin(TrainingContext context) { }

    /// <summary>After every optimizer step (or skipped step).</summary>
    void OnStepEnd(TrainingContext context, double loss) { }

    /// <summary>After every evaluation (end of epoch, or every N steps).</summary>
    void OnEvaluation(TrainingContext context, EvaluationRecord evaluation) { }

    /// <summary>When training ends, for any reason; the last chance to change the weights.</summary>
    void OnTrainEnd(TrainingContext context) { }

    /// <summary>State to carry in checkpoints (scalars only); null when stateless.</summary>
    IReadOnlyDictionary<string, double>? SaveState() => null;

    void LoadState(IReadOnlyDictionary<string, double> state) { }
}
