using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Extensions.Auto;

/// <summary>
/// Chooses the optimizer, and tunes its learning rate and a few other hyperparameters, on a budget (ML.NET's
/// AutoMLExperiment shape). Configure it fluently, then call <see cref="Run"/> or <see cref="RunAsync"/>:
/// <code>
/// var result = ml.Auto().CreateOptimizerExperiment()
///     .SetTrainer(new RegressionTrainerOptions { MaxEpochs = 5 }, new MlpSpec(new MlpOptions()))
///     .SetDataset(train, validation)
///     .SetMetric("RSquared")
///     .SetMaxTrials(24)
///     .Run();
/// </code>
/// By default every candidate optimizer family gets the same share of each budget (fair mode) and is searched with
/// random search; see <see cref="Tuners"/> for grid search and successive halving.
/// </summary>
public sealed class OptimizerExperiment
{
    private readonly ZooContext context;
    private Func<TrialContext, IEstimator<ITransformer>>? factory;
    private ITrialRunner? runner;
    private bool controlsEpochs;
    private TorchTrainerOptions? trainerOptions;
    private IEstimator<ITransformer>? preprocessing;
    private IDataView? train, validation;
    private double? validationFraction;
    private ExperimentMetric? metric;
    private string? metricName;
    private List<OptimizerCandidate>? candidates;
    private readonly Dictionary<string, SearchSpace> spaces = new(StringComparer.OrdinalIgnoreCase);
    private Func<TunerSetup, ITuner> tunerFactory = Tuners.Random();
    private int? maxTrials, maxTotalEpochs, epochsPerTrial, seed;
    private TimeSpan? wallTime;
    private TimeProvider clock = TimeProvider.System;
    private bool fair = true;
    private IProgress<TrialResult>? progress;

    internal OptimizerExperiment(ZooContext context) => this.context = context;

    /// <summary>
    /// Trains each trial with the estimator <paramref name="trainer"/> builds from the trial's context; call
    /// <see cref="TrialContext.Configure{T}"/> on TorchZoo trainer options so the trial's optimizer, epochs,
    /// validation data, seed, early stopping, cancellation and curve recording apply.
    /// </summary>
    public OptimizerExperiment SetTrainer(Func<TrialContext, IEstimator<ITransformer>> trainer)
    {
        factory = trainer ?? throw new ArgumentNullException(nameof(trainer));
        controlsEpochs = true;
        trainerOptions = null;
        preprocessing = null;
        return this;
    }

    /// <summary>
    /// Trains each trial with the estimator <paramref name="trainer"/> builds for the optimizer. The experiment cannot
    /// set its epochs (so successive halving is not available) and reads the curve from a TorchZoo trainer if it finds
    /// one; set <see cref="SetEpochsPerTrial"/> to the epochs it trains so the epoch budget counts right.
    /// </summary>
    public OptimizerExperiment SetTrainer(Func<OptimizerOptions, IEstimator<ITransformer>> trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        SetTrainer(c => trainer(c.Optimizer));
        controlsEpochs = false;
        return this;
    }

    /// <summary>
    /// Trains each trial with a TorchZoo trainer: regression, multiclass or binary as the options' type says, over
    /// <paramref name="model"/>. <paramref name="preprocessing"/> (e.g. normalization, MapValueToKey) is fitted once on
    /// the training data and prepended to the best model. The options' MaxEpochs is the default epochs per trial.
    /// </summary>
    public OptimizerExperiment SetTrainer(TorchTrainerOptions options, IModelSpec model, IEstimator<ITransformer>? preprocessing = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(model);
        TaskOf(options);
        var ctx = context;
        SetTrainer(c => (IEstimator<ITransformer>)(c.Configure(options) switch
        {
            RegressionTrainerOptions r => new RegressionTrainer(ctx, r, model),
            MulticlassTrainerOptions m => new MulticlassTrainer(ctx, m, model),
            BinaryTrainerOptions b => new BinaryTrainer(ctx, b, model),
            var other => throw new ArgumentException($"Options of type {other.GetType().Name} name no task."),
        }));
        trainerOptions = options;
        this.preprocessing = preprocessing;
        return this;
    }

    /// <summary>Replaces how trials are trained (tests inject fakes); the trainer factory is then unused.</summary>
    public OptimizerExperiment SetTrialRunner(ITrialRunner trialRunner)
    {
        runner = trialRunner ?? throw new ArgumentNullException(nameof(trialRunner));
        return this;
    }

    /// <summary>Trains on <paramref name="trainSet"/> and compares trials on <paramref name="validationSet"/>.</summary>
    public OptimizerExperiment SetDataset(IDataView trainSet, IDataView validationSet)
    {
        train = trainSet ?? throw new ArgumentNullException(nameof(trainSet));
        validation = validationSet ?? throw new ArgumentNullException(nameof(validationSet));
        validationFraction = null;
        return this;
    }

    /// <summary>Holds out <paramref name="validationFraction"/> of <paramref name="data"/> (split with the experiment seed) for comparing trials.</summary>
    public OptimizerExperiment SetDataset(IDataView data, double validationFraction = 0.2)
    {
        if (validationFraction is not (> 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "The validation fraction must be in (0, 1).");
        train = data ?? throw new ArgumentNullException(nameof(data));
        validation = null;
        this.validationFraction = validationFraction;
        return this;
    }

    /// <summary>A built-in metric of the trainer's task (see <see cref="ExperimentMetric"/>), on the trainer's label and score columns.</summary>
    public OptimizerExperiment SetMetric(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        metricName = name;
        metric = null;
        return this;
    }

    /// <summary>A custom metric of the scored validation data, maximized or minimized.</summary>
    public OptimizerExperiment SetMetric(string name, Func<IDataView, double> evaluate, bool maximize) => SetMetric(new ExperimentMetric(name, evaluate, maximize));

    public OptimizerExperiment SetMetric(ExperimentMetric experimentMetric)
    {
        metric = experimentMetric ?? throw new ArgumentNullException(nameof(experimentMetric));
        metricName = null;
        return this;
    }

    public OptimizerExperiment SetRegressionMetric(string name = "RSquared", string labelColumnName = "Label", string scoreColumnName = "Score") =>
        SetMetric(ExperimentMetric.Regression(name, labelColumnName, scoreColumnName));

    public OptimizerExperiment SetMulticlassClassificationMetric(string name = "MicroAccuracy", string labelColumnName = "Label", string scoreColumnName = "Score") =>
        SetMetric(ExperimentMetric.Multiclass(name, labelColumnName, scoreColumnName));

    public OptimizerExperiment SetBinaryClassificationMetric(string name = "Accuracy", string labelColumnName = "Label") =>
        SetMetric(ExperimentMetric.Binary(name, labelColumnName));

    /// <summary>The optimizer families to compare, by registry name (default spaces); an unknown name is an error.</summary>
    public OptimizerExperiment SetCandidates(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return SetCandidates(names.Select(OptimizerCandidate.FromRegistry).ToArray());
    }

    /// <summary>The optimizers to compare, each with the default space around the given options.</summary>
    public OptimizerExperiment SetCandidates(params OptimizerOptions[] options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SetCandidates(options.Select(o => new OptimizerCandidate(o)).ToArray());
    }

    public OptimizerExperiment SetCandidates(params OptimizerCandidate[] list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.Length == 0) throw new ArgumentException("Give at least one candidate optimizer.", nameof(list));
        string? twice = list.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null) throw new ArgumentException($"The optimizer '{twice}' is a candidate more than once; tune it through its search space instead.", nameof(list));
        candidates = list.ToList();
        return this;
    }

    /// <summary>Replaces the search space of the candidate named <paramref name="optimizer"/>.</summary>
    public OptimizerExperiment SetSearchSpace(string optimizer, SearchSpace space)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(optimizer);
        spaces[optimizer] = space ?? throw new ArgumentNullException(nameof(space));
        return this;
    }

    /// <summary>The tuner, as a factory (one tuner per family in fair mode); default <see cref="Tuners.Random"/>.</summary>
    public OptimizerExperiment SetTuner(Func<TunerSetup, ITuner> tuner)
    {
        tunerFactory = tuner ?? throw new ArgumentNullException(nameof(tuner));
        return this;
    }

    /// <summary>At most this many trials (in fair mode, an equal share per family).</summary>
    public OptimizerExperiment SetMaxTrials(int trials)
    {
        maxTrials = trials >= 1 ? trials : throw new ArgumentOutOfRangeException(nameof(trials), trials, "MaxTrials must be ≥ 1.");
        return this;
    }

    /// <summary>At most this many epochs over all trials (a trial is not started if it could exceed it).</summary>
    public OptimizerExperiment SetMaxTotalEpochs(int epochs)
    {
        maxTotalEpochs = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "MaxTotalEpochs must be ≥ 1.");
        return this;
    }

    /// <summary>A wall-time budget: no trial starts after it, and a running trial is cancelled when it runs out.</summary>
    public OptimizerExperiment SetTrainingTime(TimeSpan budget)
    {
        wallTime = budget > TimeSpan.Zero ? budget : throw new ArgumentOutOfRangeException(nameof(budget), budget, "The training time must be positive.");
        return this;
    }

    /// <summary>ML.NET's spelling of <see cref="SetTrainingTime"/>.</summary>
    public OptimizerExperiment SetTrainingTimeInSeconds(uint seconds) => SetTrainingTime(TimeSpan.FromSeconds(seconds));

    /// <summary>The clock of the time budget and of trial durations (default the system clock; tests pass a fake).</summary>
    public OptimizerExperiment SetClock(TimeProvider timeProvider)
    {
        clock = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        return this;
    }

    /// <summary>The epochs of a full trial (successive halving: the top rung); default the trainer options' MaxEpochs, else 10.</summary>
    public OptimizerExperiment SetEpochsPerTrial(int epochs)
    {
        epochsPerTrial = epochs >= 1 ? epochs : throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "EpochsPerTrial must be ≥ 1.");
        return this;
    }

    /// <summary>Fair mode (on by default): every family gets the same share of each budget and its own tuner.</summary>
    public OptimizerExperiment SetFair(bool isFair = true)
    {
        fair = isFair;
        return this;
    }

    /// <summary>The seed of the tuners, the validation split and every trial's training (default: the context's).</summary>
    public OptimizerExperiment SetSeed(int value)
    {
        seed = value;
        return this;
    }

    /// <summary>Reported after every trial.</summary>
    public OptimizerExperiment SetProgress(IProgress<TrialResult> trialProgress)
    {
        progress = trialProgress ?? throw new ArgumentNullException(nameof(trialProgress));
        return this;
    }

    public Task<ExperimentResult> RunAsync(CancellationToken cancellationToken = default) => Task.Run(() => Run(cancellationToken), CancellationToken.None);

    /// <summary>Runs trials until a budget is spent, the search is exhausted or <paramref name="cancellationToken"/> is cancelled (then the best so far is returned).</summary>
    public ExperimentResult Run(CancellationToken cancellationToken = default)
    {
        int runSeed = seed ?? context.Seed ?? context.NextSeed();
        var (trainSet, validationSet, prefix) = PrepareData(runSeed);
        ExperimentMetric m = ResolveMetric();
        ITrialRunner trialRunner = runner ?? new EstimatorTrialRunner(factory ?? throw new InvalidOperationException("Call SetTrainer before running the experiment."), m);
        var (chosen, skipped) = ResolveCandidates();
        int perTrial = epochsPerTrial ?? trainerOptions?.MaxEpochs ?? 10;

        var groups = (fair ? chosen.Select(c => new[] { c }) : new[] { chosen.ToArray() })
            .Select((cs, i) => new Group(cs, tunerFactory(new TunerSetup(cs, perTrial, unchecked(runSeed * 7919 + i)))))
            .ToList();
        if (groups.Any(g => g.Tuner is null)) throw new InvalidOperationException("The tuner factory returned null.");
        if (!controlsEpochs && runner is null && groups.Any(g => g.Tuner is SuccessiveHalvingTuner))
            throw new InvalidOperationException("Successive halving sets each trial's epochs, so give SetTrainer trainer options or a TrialContext factory.");
        if (maxTrials is null && maxTotalEpochs is null && wallTime is null && !groups.All(g => g.Tuner is GridSearchTuner))
            throw new InvalidOperationException("Set a budget (SetMaxTrials, SetMaxTotalEpochs or SetTrainingTime); only a grid search ends by itself.");
        int shares = groups.Count;
        int? trialShare = maxTrials / shares, epochShare = maxTotalEpochs / shares;
        if (trialShare == 0) throw new InvalidOperationException($"MaxTrials ({maxTrials}) is smaller than the number of optimizer families ({shares}) in fair mode; raise it or call SetFair(false).");
        if (epochShare == 0) throw new InvalidOperationException($"MaxTotalEpochs ({maxTotalEpochs}) is smaller than the number of optimizer families ({shares}) in fair mode; raise it or call SetFair(false).");
        TimeSpan? timeShare = wallTime / shares;

        long start = clock.GetTimestamp();
        TimeSpan Elapsed() => clock.GetElapsedTime(start);
        var trials = new List<TrialResult>();
        TrialResult? best = null;
        ITransformer? bestModel = null;
        ExperimentStopReason reason = ExperimentStopReason.SearchExhausted;
        bool anySucceeded = false;
        int turn = 0;
        ExperimentStopReason lastEnd = ExperimentStopReason.SearchExhausted;
        void EndGroup(Group g, ExperimentStopReason why)
        {
            g.Ended = why;
            lastEnd = why;
        }
        try
        {
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    reason = ExperimentStopReason.Cancelled;
                    break;
                }
                if (wallTime is { } wt && Elapsed() >= wt)
                {
                    reason = ExperimentStopReason.TimeBudget;
                    break;
                }
                var active = groups.Where(g => g.Ended is null).ToList();
                if (active.Count == 0)
                {
                    reason = lastEnd;
                    break;
                }
                Group group = active[turn++ % active.Count];
                if (trialShare is { } ts && group.Trials >= ts)
                {
                    EndGroup(group, ExperimentStopReason.TrialBudget);
                    continue;
                }
                if (fair && timeShare is { } share && group.Time >= share)
                {
                    EndGroup(group, ExperimentStopReason.TimeBudget);
                    continue;
                }
                TrialProposal? proposal = group.Tuner.Propose();
                if (proposal is null)
                {
                    EndGroup(group, ExperimentStopReason.SearchExhausted);
                    continue;
                }
                if (epochShare is { } es && group.Epochs + proposal.Epochs > es)
                {
                    EndGroup(group, ExperimentStopReason.EpochBudget);
                    continue;
                }

                int id = trials.Count + 1;
                OptimizerOptions options = proposal.CreateOptions();
                long trialStart = clock.GetTimestamp();
                using var trialCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                Group current = group;
                bool OverBudget() =>
                    (wallTime is { } w && Elapsed() >= w) || (fair && timeShare is { } s && current.Time + clock.GetElapsedTime(trialStart) >= s);
                var trialContext = new TrialContext(id, proposal, options, trainSet, validationSet, runSeed, trialCancellation, OverBudget);
                TrialOutcome outcome;
                try
                {
                    outcome = trialRunner.Run(trialContext);
                }
                catch (OperationCanceledException) when (trialCancellation.IsCancellationRequested)
                {
                    outcome = TrialOutcome.Failed(TrialStatus.Cancelled, trialContext.Curve.Count, "The trial was cancelled.");
                }
                catch (Exception e) when (anySucceeded)
                {
                    outcome = TrialOutcome.Failed(TrialStatus.Failed, trialContext.Curve.Count, e.Message);
                }
                TimeSpan duration = clock.GetElapsedTime(trialStart);
                bool ranked = outcome.Status is TrialStatus.Completed or TrialStatus.EarlyStopped && double.IsFinite(outcome.Metric);
                var result = new TrialResult(id, proposal.Candidate.Name, options, proposal.Hyperparameters, proposal.Rung, proposal.Final, proposal.ParentTrialId,
                    proposal.Epochs, outcome.EpochsUsed, outcome.Metric, ranked ? m.ToLoss(outcome.Metric) : double.PositiveInfinity, duration,
                    outcome.Status, outcome.Message, trialContext.Curve.ToList());
                trials.Add(result);
                group.Trials++;
                group.Epochs += outcome.EpochsUsed;
                group.Time += duration;
                if (ranked)
                {
                    anySucceeded = true;
                    if (best is null || result.Loss < best.Loss)
                    {
                        (bestModel as IDisposable)?.Dispose();
                        bestModel = outcome.Model;
                        best = result;
                    }
                    else (outcome.Model as IDisposable)?.Dispose();
                }
                else (outcome.Model as IDisposable)?.Dispose();
                group.Tuner.Report(result);
                progress?.Report(result);
                if (cancellationToken.IsCancellationRequested)
                {
                    reason = ExperimentStopReason.Cancelled;
                    break;
                }
            }
        }
        catch
        {
            (bestModel as IDisposable)?.Dispose();
            throw;
        }

        // A rung trial that was never promoted was pruned by the tuner.
        var parents = trials.Where(t => t.ParentTrialId is not null).Select(t => t.ParentTrialId!.Value).ToHashSet();
        for (int i = 0; i < trials.Count; i++)
            if (!trials[i].Final && trials[i].Succeeded && !parents.Contains(trials[i].TrialId))
                trials[i] = trials[i] with { Status = TrialStatus.Pruned };
        if (best is not null) best = trials[best.TrialId - 1];
        if (bestModel is not null && prefix is not null) bestModel = new TransformerChain<ITransformer>(new[] { prefix, bestModel });
        return new ExperimentResult(trials, best, bestModel, m, chosen.Select(c => c.Name).ToList(), skipped, reason, Elapsed(), fair);
    }

    private (IDataView Train, IDataView Validation, ITransformer? Prefix) PrepareData(int runSeed)
    {
        if (train is null) throw new InvalidOperationException("Call SetDataset before running the experiment.");
        IDataView t = train, v;
        if (validation is not null) v = validation;
        else
        {
            var split = context.Data.TrainTestSplit(train, validationFraction!.Value, seed: runSeed);
            (t, v) = (split.TrainSet, split.TestSet);
        }
        if (preprocessing is null) return (t, v, null);
        ITransformer prefix = preprocessing.Fit(t);
        return (prefix.Transform(t), prefix.Transform(v), prefix);
    }

    private ExperimentMetric ResolveMetric()
    {
        if (metric is not null) return metric;
        if (trainerOptions is null)
            throw new InvalidOperationException(metricName is null
                ? "Call SetMetric (or SetRegressionMetric, SetMulticlassClassificationMetric, SetBinaryClassificationMetric) before running the experiment."
                : $"SetMetric(\"{metricName}\") needs the task, which only SetTrainer with trainer options gives; use SetRegressionMetric, SetMulticlassClassificationMetric or SetBinaryClassificationMetric.");
        AutoTask task = TaskOf(trainerOptions);
        string name = metricName ?? task switch
        {
            AutoTask.Regression => "RSquared",
            AutoTask.MulticlassClassification => "MicroAccuracy",
            _ => "Accuracy",
        };
        return trainerOptions is BinaryTrainerOptions b
            ? ExperimentMetric.Binary(name, b.LabelColumnName, b.ProbabilityColumnName, b.PredictedLabelColumnName)
            : ExperimentMetric.For(task, name, trainerOptions.LabelColumnName, trainerOptions.ScoreColumnName);
    }

    private (List<OptimizerCandidate> Chosen, List<string> Skipped) ResolveCandidates()
    {
        List<OptimizerCandidate> chosen;
        var skipped = new List<string>();
        if (candidates is not null) chosen = candidates.ToList();
        else
        {
            chosen = new List<OptimizerCandidate>();
            foreach (string name in OptimizerCandidate.CuratedNames)
                if (OptimizerRegistry.Contains(name)) chosen.Add(OptimizerCandidate.FromRegistry(name));
                else skipped.Add(name);
        }
        foreach (var (name, space) in spaces)
        {
            int i = chosen.FindIndex(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            if (i < 0) throw new InvalidOperationException($"SetSearchSpace names '{name}', which is not a candidate; the candidates are {string.Join(", ", chosen.Select(c => c.Name))}.");
            chosen[i] = chosen[i] with { Space = space };
        }
        return (chosen, skipped);
    }

    private static AutoTask TaskOf(TorchTrainerOptions options) => options switch
    {
        RegressionTrainerOptions => AutoTask.Regression,
        MulticlassTrainerOptions => AutoTask.MulticlassClassification,
        BinaryTrainerOptions => AutoTask.BinaryClassification,
        _ => throw new ArgumentException($"Options of type {options.GetType().Name} are not regression, multiclass or binary trainer options.", nameof(options)),
    };

    private sealed class Group(OptimizerCandidate[] candidates, ITuner tuner)
    {
        public OptimizerCandidate[] Candidates { get; } = candidates;
        public ITuner Tuner { get; } = tuner;
        public int Trials { get; set; }
        public int Epochs { get; set; }
        public TimeSpan Time { get; set; }
        public ExperimentStopReason? Ended { get; set; }
    }
}

/// <summary>Automatic machine learning (ML.NET's <c>mlContext.Auto()</c>): for now, choosing the optimizer.</summary>
public sealed class AutoCatalog
{
    private readonly ZooContext context;

    internal AutoCatalog(ZooContext context) => this.context = context;

    /// <summary>A new experiment that picks the optimizer and its hyperparameters on a budget.</summary>
    public OptimizerExperiment CreateOptimizerExperiment() => new(context);
}

/// <summary>The <c>ml.Auto()</c> entry point.</summary>
public static class ZooContextAutoExtensions
{
    public static AutoCatalog Auto(this ZooContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AutoCatalog(context);
    }
}
