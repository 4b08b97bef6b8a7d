using System.Globalization;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Optimizers;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Extensions.Auto;

/// <summary>How a trial ended.</summary>
public enum TrialStatus
{
    /// <summary>Trained for all its epochs.</summary>
    Completed,

    /// <summary>Ended by early stopping inside the trial (the model is the best epoch's).</summary>
    EarlyStopped,

    /// <summary>Completed its rung but was not promoted by the tuner (successive halving).</summary>
    Pruned,

    /// <summary>The loss, the gradients or the metric were not finite; the experiment went on.</summary>
    Diverged,

    /// <summary>The trial threw; the experiment went on (it rethrows while no trial has succeeded).</summary>
    Failed,

    /// <summary>Cut short by cancellation or by the time budget; not ranked.</summary>
    Cancelled,
}

/// <summary>What a tuner asks to train: an optimizer family, values for its search space, and an epoch budget.</summary>
/// <remarks><c>Rung</c>: The successive-halving rung (0 for other tuners). <c>Final</c>: False while the tuner may still promote the configuration to a longer run. <c>ParentTrialId</c>: The trial this one continues the evaluation of (a promotion), if any.</remarks>
public sealed record TrialProposal(
    OptimizerCandidate Candidate,
    IReadOnlyDictionary<string, double> Hyperparameters,
    int Epochs,
    int Rung = 0,
    bool Final = true,
    int? ParentTrialId = null)
{
    /// <summary>The candidate's reference options with the proposed values set.</summary>
    public OptimizerOptions CreateOptions() => SearchSpace.Apply(Candidate.Reference, Hyperparameters);
}

/// <summary>One trial as recorded in the leaderboard.</summary>
/// <remarks><c>Metric</c>: The experiment's metric on the validation data (NaN when the trial did not produce a model). <c>Loss</c>: What the tuners minimize: the metric, negated when it is maximized; +∞ for failures. <c>Curve</c>: The trial's evaluations (one per epoch): train loss, val_loss, learning rate.</remarks>
public sealed record TrialResult(
    int TrialId,
    string Optimizer,
    OptimizerOptions Options,
    IReadOnlyDictionary<string, double> Hyperparameters,
    int Rung,
    bool Final,
    int? ParentTrialId,
    int EpochBudget,
    int EpochsUsed,
    double Metric,
    double Loss,
    TimeSpan Duration,
    TrialStatus Status,
    string Message,
    IReadOnlyList<EvaluationRecord> Curve)
{
    /// <summary>The trial produced a model that is ranked (completed, early-stopped or pruned).</summary>
    public bool Succeeded => Status is TrialStatus.Completed or TrialStatus.EarlyStopped or TrialStatus.Pruned;

    /// <summary>The hyperparameters as "LearningRate=0.003, WeightDecay=0.01".</summary>
    public string DescribeHyperparameters() => Hyperparameters.Count == 0
        ? "(reference)"
        : string.Join(", ", Hyperparameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}={kv.Value:G3}")));
}

/// <summary>
/// Everything a trial runner needs: the proposal, the optimizer options to train with, the data, the training seed,
/// a cancellation token (cancelled by the user or by the time budget) and the sink for the learning curve.
/// </summary>
public sealed class TrialContext
{
    private readonly List<EvaluationRecord> curve = new();
    private readonly Func<bool> overBudget;
    private readonly CancellationTokenSource cancellation;

    internal TrialContext(int trialId, TrialProposal proposal, OptimizerOptions optimizer, IDataView train, IDataView validation, int seed,
        CancellationTokenSource cancellation, Func<bool> overBudget)
    {
        TrialId = trialId;
        Proposal = proposal;
        Optimizer = optimizer;
        Train = train;
        Validation = validation;
        Seed = seed;
        this.cancellation = cancellation;
        this.overBudget = overBudget;
    }

    public int TrialId { get; }

    public TrialProposal Proposal { get; }

    /// <summary>The optimizer to train with.</summary>
    public OptimizerOptions Optimizer { get; }

    /// <summary>The epochs this trial may train.</summary>
    public int Epochs => Proposal.Epochs;

    public IDataView Train { get; }

    /// <summary>The validation data the metric is computed on (also for early stopping and the curves).</summary>
    public IDataView Validation { get; }

    /// <summary>The training seed: the same for every trial, so that optimizers start from the same weights and batches.</summary>
    public int Seed { get; }

    /// <summary>Cancelled when the user cancels or the time budget runs out.</summary>
    public CancellationToken CancellationToken => cancellation.Token;

    /// <summary>The evaluations reported so far.</summary>
    public IReadOnlyList<EvaluationRecord> Curve => curve;

    /// <summary>Records an evaluation (an epoch) and checks the time budget.</summary>
    public void ReportEvaluation(EvaluationRecord evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        curve.Add(evaluation);
        CheckBudget();
    }

    /// <summary>Cancels the trial when the time budget has run out (called after every step by <see cref="Configure{T}"/>).</summary>
    public void CheckBudget()
    {
        if (!cancellation.IsCancellationRequested && overBudget()) cancellation.Cancel();
    }

    /// <summary>
    /// <paramref name="options"/> set up for this trial: the optimizer, the epochs, the validation data, the seed
    /// (unless the options fix one), early stopping (patience 3, unless the options set one), cancellation, and
    /// callbacks that record the curve and watch the time budget (the options' own callbacks still run).
    /// </summary>
    public T Configure<T>(T options) where T : TorchTrainerOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        Action<EvaluationRecord>? userMetrics = options.MetricsCallback;
        IProgress<TrainingProgress>? userProgress = options.Progress;
        return (T)(options with
        {
            Optimizer = Optimizer,
            MaxEpochs = Epochs,
            ValidationSet = Validation,
            ValidationFraction = null,
            Seed = options.Seed ?? Seed,
            EarlyStopping = options.EarlyStopping ?? new EarlyStoppingOptions { Patience = 3 },
            CancellationToken = CancellationToken,
            MetricsCallback = e =>
            {
                userMetrics?.Invoke(e);
                ReportEvaluation(e);
            },
            Progress = new StepWatch(this, userProgress),
        });
    }

    private sealed class StepWatch(TrialContext context, IProgress<TrainingProgress>? inner) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            inner?.Report(value);
            context.CheckBudget();
        }
    }
}

/// <summary>What a trial runner returns; the experiment adds the id, timing and curve.</summary>
/// <remarks><c>Model</c>: The fitted model (null when none was produced). <c>EpochsUsed</c>: Epochs trained (started epochs count).</remarks>
public sealed record TrialOutcome(TrialStatus Status, double Metric, int EpochsUsed, ITransformer? Model, string Message = "")
{
    public static TrialOutcome Failed(TrialStatus status, int epochsUsed, string message) => new(status, double.NaN, epochsUsed, null, message);
}

/// <summary>Trains and scores one trial. The default fits the experiment's trainer; tests inject fakes.</summary>
public interface ITrialRunner
{
    /// <summary>
    /// Trains with <see cref="TrialContext.Optimizer"/> for at most <see cref="TrialContext.Epochs"/> epochs, reports
    /// each evaluation to <see cref="TrialContext.ReportEvaluation"/>, honours <see cref="TrialContext.CancellationToken"/>
    /// and returns the metric on <see cref="TrialContext.Validation"/>. Exceptions are recorded as failed trials.
    /// </summary>
    TrialOutcome Run(TrialContext context);
}

/// <summary>Fits the estimator a factory builds for the trial and evaluates the experiment metric on the validation data.</summary>
public sealed class EstimatorTrialRunner(Func<TrialContext, IEstimator<ITransformer>> factory, ExperimentMetric metric) : ITrialRunner
{
    private readonly Func<TrialContext, IEstimator<ITransformer>> factory = factory ?? throw new ArgumentNullException(nameof(factory));
    private readonly ExperimentMetric metric = metric ?? throw new ArgumentNullException(nameof(metric));

    public TrialOutcome Run(TrialContext context)
    {
        IEstimator<ITransformer> estimator = factory(context)
            ?? throw new InvalidOperationException("The trainer factory returned null instead of an estimator.");
        ITransformer model;
        try
        {
            model = estimator.Fit(context.Train);
        }
        catch (Exception e) when (TrainerHistory.Find(estimator) is { StopReason: StopReason.Diverged } diverged)
        {
            return TrialOutcome.Failed(TrialStatus.Diverged, diverged.StoppedEpoch, FirstSentence(e.Message));
        }
        TrainingHistory? history = TrainerHistory.Find(estimator);
        int epochs = history?.StoppedEpoch ?? context.Curve.Count;
        if (history is not null && context.Curve.Count == 0)
            foreach (var e in history.Evaluations) context.ReportEvaluation(e);
        double value;
        try
        {
            value = metric.Evaluate(model.Transform(context.Validation));
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
        if (!double.IsFinite(value))
        {
            (model as IDisposable)?.Dispose();
            return TrialOutcome.Failed(TrialStatus.Diverged, epochs, $"The metric {metric.Name} is {value} on the validation data.");
        }
        TrialStatus status = history?.StopReason switch
        {
            StopReason.Cancelled => TrialStatus.Cancelled,
            StopReason.EarlyStopped => TrialStatus.EarlyStopped,
            null when context.CancellationToken.IsCancellationRequested => TrialStatus.Cancelled,
            _ => TrialStatus.Completed,
        };
        return new TrialOutcome(status, value, epochs, model, history?.StopMessage ?? "");
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}

/// <summary>Finds the training history of the TorchZoo trainer inside an estimator (or a chain of them).</summary>
internal static class TrainerHistory
{
    public static TrainingHistory? Find(object estimator)
    {
        for (Type? t = estimator.GetType(); t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(TorchTrainerBase<,>))
                return (TrainingHistory?)t.GetProperty(nameof(RegressionTrainer.LastHistory))!.GetValue(estimator);
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(EstimatorChain<>))
            {
                var inner = (IReadOnlyList<IEstimator<ITransformer>>)t.GetProperty(nameof(EstimatorChain<ITransformer>.Estimators))!.GetValue(estimator)!;
                for (int i = inner.Count - 1; i >= 0; i--)
                    if (Find(inner[i]) is { } h) return h;
                return null;
            }
        }
        return null;
    }
}
