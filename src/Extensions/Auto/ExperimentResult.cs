using TorchZoo.Extensions.Core;

namespace TorchZoo.Extensions.Auto;

/// <summary>Why an experiment ended.</summary>
public enum ExperimentStopReason
{
    /// <summary>MaxTrials trials were run.</summary>
    TrialBudget,

    /// <summary>The next trial would have exceeded MaxTotalEpochs.</summary>
    EpochBudget,

    /// <summary>The wall-time budget ran out.</summary>
    TimeBudget,

    /// <summary>The tuners had nothing left to propose (a finished grid).</summary>
    SearchExhausted,

    /// <summary>The caller cancelled; the result holds the best trial so far.</summary>
    Cancelled,
}

/// <summary>
/// The outcome of an <see cref="OptimizerExperiment"/>: the best trial and its fitted model (ready to save), every
/// trial with its curve and end reason, the leaderboard and the best trial of each optimizer family. Dispose it to
/// release the model.
/// </summary>
public sealed class ExperimentResult : IDisposable
{
    internal ExperimentResult(IReadOnlyList<TrialResult> trials, TrialResult? best, ITransformer? model, ExperimentMetric metric,
        IReadOnlyList<string> candidates, IReadOnlyList<string> skipped, ExperimentStopReason stopReason, TimeSpan elapsed, bool fair)
    {
        Trials = trials;
        BestTrial = best;
        bestModel = model;
        MetricName = metric.Name;
        Maximize = metric.Maximize;
        Candidates = candidates;
        SkippedCandidates = skipped;
        StopReason = stopReason;
        Elapsed = elapsed;
        Fair = fair;
        Leaderboard = trials.Where(t => t.Succeeded).OrderBy(t => t.Loss).ThenBy(t => t.TrialId)
            .Concat(trials.Where(t => !t.Succeeded).OrderBy(t => t.TrialId)).ToList();
        BestPerFamily = trials.Where(t => t.Succeeded).GroupBy(t => t.Optimizer)
            .Select(g => g.OrderBy(t => t.Loss).ThenBy(t => t.TrialId).First())
            .OrderBy(t => t.Loss).ThenBy(t => t.TrialId).ToList();
    }

    private ITransformer? bestModel;

    /// <summary>Every trial in the order it ran.</summary>
    public IReadOnlyList<TrialResult> Trials { get; }

    /// <summary>Ranked trials (best first), then the unranked ones (diverged, failed, cancelled) in run order.</summary>
    public IReadOnlyList<TrialResult> Leaderboard { get; }

    /// <summary>The best ranked trial of each optimizer family, best first.</summary>
    public IReadOnlyList<TrialResult> BestPerFamily { get; }

    /// <summary>The best ranked trial; null when no trial succeeded.</summary>
    public TrialResult? BestTrial { get; }

    /// <summary>The fitted pipeline of <see cref="BestTrial"/>.</summary>
    public ITransformer BestModel => bestModel
        ?? throw new InvalidOperationException(BestTrial is null
            ? "No trial succeeded, so there is no model; the leaderboard shows each trial's status."
            : "The experiment result was disposed, and its model with it.");

    public string MetricName { get; }

    public bool Maximize { get; }

    /// <summary>The optimizer families that were searched.</summary>
    public IReadOnlyList<string> Candidates { get; }

    /// <summary>Default candidates missing from the optimizer registry, which were left out.</summary>
    public IReadOnlyList<string> SkippedCandidates { get; }

    public ExperimentStopReason StopReason { get; }

    public TimeSpan Elapsed { get; }

    /// <summary>Whether every family had the same share of the budgets.</summary>
    public bool Fair { get; }

    /// <summary>Epochs trained over all trials.</summary>
    public int TotalEpochs => Trials.Sum(t => t.EpochsUsed);

    public void Dispose()
    {
        (bestModel as IDisposable)?.Dispose();
        bestModel = null;
    }
}
