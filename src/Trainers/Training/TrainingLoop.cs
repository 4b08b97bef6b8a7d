using System.Diagnostics;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Clipping;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Optimizers;
using TorchZoo.Trainers.Schedules;

namespace TorchZoo.Trainers.Training;

/// <summary>
/// The training loop every trainer shares: seeded shuffling, mini-batches with gradient accumulation, the
/// schedule driving the learning rate, clipping, a guard that skips non-finite steps, validation, callbacks
/// (early stopping, plateau, user), progress, cancellation between steps, and checkpoints that resume
/// bitwise-identically. Configure it with the init properties, then call <see cref="Fit"/>.
/// </summary>
public sealed partial class TrainingLoop
{
    /// <summary>The model; it maps a batch of features to predictions.</summary>
    public required Module<Tensor, Tensor> Model { get; init; }

    /// <summary>The loss of a batch (predictions, targets) → 0-d tensor, mean-reduced.</summary>
    public required Func<Tensor, Tensor, Tensor> Loss { get; init; }

    /// <summary>The optimizer to create over the model's trainable parameters (with its routing, if any).</summary>
    public required OptimizerOptions Optimizer { get; init; }

    public LearningRateSchedule Schedule { get; init; } = new ConstantSchedule();

    public TrainingOptions Options { get; init; } = new();

    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Validation metrics computed on all validation predictions and targets, recorded as "val_" + name.</summary>
    public IReadOnlyDictionary<string, Func<Tensor, Tensor, double>> Metrics { get; init; } = new Dictionary<string, Func<Tensor, Tensor, double>>();

    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = Array.Empty<ITrainingCallback>();

    public IProgress<TrainingProgress>? Progress { get; init; }

    /// <summary>The optimizer of the last <see cref="Fit"/> (for inspection: Describe(), StateBytes).</summary>
    public Optimizer? LastOptimizer { get; private set; }

    /// <summary>Optimizer steps in one epoch for a dataset of <paramref name="examples"/>.</summary>
    public long StepsPerEpoch(long examples)
    {
        long batches = Options.DropLastBatch ? examples / Options.BatchSize : (examples + Options.BatchSize - 1) / Options.BatchSize;
        return (batches + Options.GradientAccumulationSteps - 1) / Options.GradientAccumulationSteps;
    }

    /// <summary>
    /// Trains on <paramref name="train"/>, validating on <paramref name="validation"/> when given. With
    /// <paramref name="resumeFrom"/>, continues from a checkpoint written by a run with the same settings.
    /// Cancelling returns between steps with the weights of the last completed step (or the best ones, when
    /// early stopping restores them).
    /// </summary>
    public TrainingHistory Fit(TensorDataset train, TensorDataset? validation = null, string? resumeFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        Validate(train, validation);
        if (Options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        TorchRuntime.ManualSeed(Options.Seed);

        long stepsPerEpoch = StepsPerEpoch(train.Count);
        long totalSteps = stepsPerEpoch * Options.Epochs;
        var parameters = Model.Parameters().Where(p => p.RequiresGrad).ToList();
        LastOptimizer?.Dispose();
        DataParallel? dataParallel = StartDataParallel();
        Optimizer optimizer = OptimizerOptionsFor(dataParallel).Create(Model);
        LastOptimizer = optimizer;
        var history = new TrainingHistory();
        var context = new TrainingContext(Model, optimizer, history, Options, totalSteps);
        using var earlyStopping = EarlyStopping is null ? null : new EarlyStopping(EarlyStopping);
        var callbacks = Callbacks.ToList();
        if (earlyStopping is not null) callbacks.Add(earlyStopping);

        using var shuffle = new Generator(Options.Seed);
        int startEpoch = 1;
        if (resumeFrom is not null) startEpoch = Resume(resumeFrom, context, optimizer, shuffle, callbacks, earlyStopping) + 1;

        foreach (var c in callbacks) c.OnTrainBegin(context);
        var clock = Stopwatch.StartNew();
        long stepAtStart = context.Step;
        int consecutiveNonFinite = 0;

        for (int epoch = startEpoch; epoch <= Options.Epochs && !context.StopRequested; epoch++)
        {
            context.Epoch = epoch;
            Model.Train();
            using Tensor order = Options.Shuffle ? Tensor.RandPerm(train.Count, shuffle) : Tensor.Arange(train.Count);
            order.DetachFromDisposeScope();
            long batches = Options.DropLastBatch ? train.Count / Options.BatchSize : (train.Count + Options.BatchSize - 1) / Options.BatchSize;
            double epochLoss = 0;
            long epochLossSteps = 0;

            for (long first = 0; first < batches && !context.StopRequested; first += Options.GradientAccumulationSteps)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    context.RequestStop(StopReason.Cancelled, $"Cancelled at epoch {epoch} after {context.Step} steps.");
                    break;
                }
                long micro = Math.Min(Options.GradientAccumulationSteps, batches - first);
                double loss = AccumulateGradients(train, order, first, micro, dataParallel);
                if (dataParallel is not null) loss = SynchronizeRanks(dataParallel, optimizer, parameters, loss);

                double factor = Schedule.Factor(context.Step, totalSteps) * context.LearningRateScale;
                optimizer.ScaleLearningRates(factor);
                if (Schedule is OneCycleSchedule { CycleMomentum: true } oneCycle) CycleMomentum(optimizer, oneCycle.MomentumFactor(context.Step, totalSteps));
                long stepNumber = context.Step + 1;
                if (NonFiniteGuard.ShouldSkip(loss, parameters))
                {
                    history.SkippedSteps.Add(stepNumber);
                    if (++consecutiveNonFinite >= Options.MaxConsecutiveNonFiniteSteps)
                        context.RequestStop(StopReason.Diverged,
                            $"Training diverged: the loss or the gradients were not finite for {consecutiveNonFinite} consecutive steps (the last at step {stepNumber}, epoch {epoch}); every one was skipped, so the weights are those of step {stepNumber - consecutiveNonFinite}.");
                }
                else
                {
                    consecutiveNonFinite = 0;
                    Options.Clipping?.Clip(parameters);
                    optimizer.Step();
                    epochLoss += loss;
                    epochLossSteps++;
                }
                optimizer.ZeroGrad();
                context.Step = stepNumber;
                history.LearningRates.Add(optimizer.Groups.Count > 0 ? optimizer.Groups[0].LearningRate : 0);
                history.StepLosses.Add(double.IsFinite(loss) ? loss : double.NaN);
                Report(context, epoch, loss, clock, stepAtStart);
                foreach (var c in callbacks) c.OnStepEnd(context, loss);

                if (Options.ValidateEverySteps is { } every && context.Step % every == 0 && !context.StopRequested)
                    Evaluate(context, callbacks, validation, epoch, epochLossSteps > 0 ? epochLoss / epochLossSteps : double.NaN, dataParallel);
            }

            if (context.StopRequested && context.RequestedReason is StopReason.Cancelled or StopReason.Diverged) break;
            if (Options.ValidateEverySteps is null)
                Evaluate(context, callbacks, validation, epoch, epochLossSteps > 0 ? epochLoss / epochLossSteps : double.NaN, dataParallel);
            if (Options.CheckpointPath is { } path && (dataParallel is null || dataParallel.Rank == 0)) WriteCheckpoint(path, context, optimizer, shuffle, callbacks, earlyStopping);
        }

        history.StoppedEpoch = context.Epoch;
        if (context.StopRequested)
        {
            history.StopReason = context.RequestedReason;
            history.StopMessage = context.RequestedMessage;
        }
        else
        {
            history.StopReason = StopReason.MaxEpochs;
            history.StopMessage = $"Completed {Options.Epochs} epochs ({context.Step} steps).";
        }
        if (dataParallel is not null && optimizer is ISelfSynchronizingOptimizer { SynchronizesRanks: true } selfSynchronizing)
            selfSynchronizing.FinishTraining();
        foreach (var c in callbacks) c.OnTrainEnd(context);
        // Restored best weights are each rank's own snapshot; with an optimizer that lets ranks drift (DiLoCo) they
        // differ, so every rank ends with rank 0's model, the one rank 0 saves.
        if (dataParallel is not null && optimizer is ISelfSynchronizingOptimizer { SynchronizesRanks: true }) dataParallel.BroadcastModel(Model);
        Model.Eval();
        return history;
    }

    /// <summary>Sets the momentum of every group whose options have one (SGD, Adam family, Lion); others keep theirs.</summary>
    private static void CycleMomentum(Optimizer optimizer, double momentum)
    {
        foreach (ParamGroup group in optimizer.Groups)
            if (group.Options is IMomentumOptions options && options.MomentumValue != momentum)
                group.Options = options.WithMomentum(momentum);
    }

    private void Validate(TensorDataset train, TensorDataset? validation)
    {
        if (EarlyStopping is { } es && es.Monitor != "train_loss" && validation is null)
            throw new ArgumentException($"Early stopping monitors '{es.Monitor}' but no validation data was given (EarlyStoppingOptions.Monitor).");
        if (EarlyStopping is { } e2 && e2.Monitor.StartsWith("val_", StringComparison.Ordinal) && e2.Monitor != "val_loss" && !Metrics.ContainsKey(e2.Monitor[4..]))
            throw new ArgumentException($"Early stopping monitors '{e2.Monitor}' but no metric '{e2.Monitor[4..]}' is computed; known: val_loss{string.Concat(Metrics.Keys.Select(k => ", val_" + k))}.");
        if (Options.DropLastBatch && train.Count < Options.BatchSize)
            throw new ArgumentException($"The training data has {train.Count} examples, fewer than one batch of {Options.BatchSize}, and DropLastBatch is set.");
    }

    /// <summary>
    /// Forward and backward over <paramref name="micro"/> consecutive batches; returns their mean loss (data parallel:
    /// this rank's share of it, see <see cref="ShardOfBatch"/>).
    /// </summary>
    private double AccumulateGradients(TensorDataset train, Tensor order, long firstBatch, long micro, DataParallel? dataParallel)
    {
        double total = 0;
        for (long k = 0; k < micro; k++)
        {
            using var scope = DisposeScope.Enter();
            long start = (firstBatch + k) * Options.BatchSize;
            long length = Math.Min(Options.BatchSize, train.Count - start);
            Tensor indices = order.Narrow(0, start, length);
            double weight = 1;
            if (dataParallel is not null && !ShardOfBatch(dataParallel, ref indices, out weight)) continue;
            var (x, y) = train.Batch(indices);
            if (Options.Device != Device.Cpu)
            {
                x = x.To(Options.Device);
                y = y.To(Options.Device);
            }
            Tensor loss = Loss(Model.Forward(x), y);
            double value = loss.Item();
            if (weight != 1)
            {
                total += value * weight / dataParallel!.WorldSize;
                loss.Mul(weight / micro).Backward();
                continue;
            }
            total += dataParallel is null ? value : value / dataParallel.WorldSize;
            (micro == 1 ? loss : loss.Div(micro)).Backward();
        }
        return total / micro;
    }

    private void Evaluate(TrainingContext context, List<ITrainingCallback> callbacks, TensorDataset? validation, int epoch, double trainLoss,
        DataParallel? dataParallel)
    {
        // Buffers such as BatchNorm's running statistics are updated by each rank from its own shard; every rank takes
        // rank 0's before validating, so all ranks see the same validation loss and take the same early-stopping
        // decision (ranks that disagreed would wait for each other forever), and the final model is the same on all.
        dataParallel?.BroadcastBuffers(Model);
        var metrics = new Dictionary<string, double>();
        if (validation is not null) ValidationMetrics(validation, metrics);
        var record = new EvaluationRecord(epoch, context.Step, trainLoss, metrics,
            context.Optimizer.Groups.Count > 0 ? context.Optimizer.Groups[0].LearningRate : 0);
        context.History.Evaluations.Add(record);
        foreach (var c in callbacks) c.OnEvaluation(context, record);
    }

    private void ValidationMetrics(TensorDataset validation, Dictionary<string, double> metrics)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        Model.Eval();
        try
        {
            int batch = Options.ValidationBatchSize ?? Options.BatchSize;
            var predictions = new List<Tensor>();
            double lossSum = 0;
            for (long start = 0; start < validation.Count; start += batch)
            {
                long length = Math.Min(batch, validation.Count - start);
                Tensor x = validation.Features.Narrow(0, start, length), y = validation.Targets.Narrow(0, start, length);
                if (Options.Device != Device.Cpu)
                {
                    x = x.To(Options.Device);
                    y = y.To(Options.Device);
                }
                Tensor p = Model.Forward(x);
                lossSum += Loss(p, y).Item() * length;
                predictions.Add(p.To(Device.Cpu));
            }
            metrics["val_loss"] = lossSum / validation.Count;
            if (Metrics.Count > 0)
            {
                Tensor all = Tensor.Cat(predictions);
                foreach (var (name, metric) in Metrics) metrics["val_" + name] = metric(all, validation.Targets);
            }
        }
        finally
        {
            Model.Train();
        }
    }

    private void Report(TrainingContext context, int epoch, double loss, Stopwatch clock, long stepAtStart)
    {
        if (Progress is null) return;
        double seconds = clock.Elapsed.TotalSeconds;
        long done = context.Step - stepAtStart;
        double stepsPerSecond = seconds > 0 ? done / seconds : 0;
        long left = context.TotalSteps - context.Step;
        var eta = stepsPerSecond > 0 ? TimeSpan.FromSeconds(left / stepsPerSecond) : TimeSpan.Zero;
        Progress.Report(new TrainingProgress(epoch, Options.Epochs, context.Step, context.TotalSteps, loss,
            context.Optimizer.Groups.Count > 0 ? context.Optimizer.Groups[0].LearningRate : 0,
            stepsPerSecond * Options.BatchSize * Options.GradientAccumulationSteps, clock.Elapsed, eta));
    }

    private void WriteCheckpoint(string path, TrainingContext context, Optimizer optimizer, Generator shuffle, List<ITrainingCallback> callbacks, EarlyStopping? earlyStopping)
    {
        using var scope = DisposeScope.Enter();
        using var defaultGenerator = Generator.Default();
        using var checkpoint = new Checkpoint
        {
            Epoch = context.Epoch,
            Step = context.Step,
            LearningRateScale = context.LearningRateScale,
            Model = Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach()),
            Optimizer = optimizer.StateDict(),
            ShuffleGenerator = shuffle.GetState(),
            DefaultGenerator = defaultGenerator.GetState(),
            BestWeights = earlyStopping?.BestWeights?.ToDictionary(kv => kv.Key, kv => kv.Value.Alias()),
            CallbackStates = CallbackKeys(callbacks)
                .Select(k => (k.Key, State: k.Callback.SaveState()))
                .Where(k => k.State is not null)
                .ToDictionary(k => k.Key, k => k.State!.ToDictionary(kv => kv.Key, kv => kv.Value)),
            History = Checkpoint.HistorySnapshot.Of(context.History),
        };
        checkpoint.Save(path);
    }

    /// <summary>Callbacks keyed by type name and occurrence, so checkpoints match them up again on resume.</summary>
    private static IEnumerable<(string Key, ITrainingCallback Callback)> CallbackKeys(List<ITrainingCallback> callbacks)
    {
        var seen = new Dictionary<string, int>();
        foreach (var c in callbacks)
        {
            string name = c.GetType().Name;
            int n = seen.GetValueOrDefault(name);
            seen[name] = n + 1;
            yield return ($"{name}#{n}", c);
        }
    }

    /// <summary>Restores everything from a checkpoint; returns the epoch it completed.</summary>
    private int Resume(string path, TrainingContext context, Optimizer optimizer, Generator shuffle, List<ITrainingCallback> callbacks, EarlyStopping? earlyStopping)
    {
        using var checkpoint = Checkpoint.Load(path);
        var keyed = CallbackKeys(callbacks).ToList();
        foreach (string key in checkpoint.CallbackStates.Keys)
            if (keyed.All(k => k.Key != key))
                throw new ArgumentException($"The checkpoint '{path}' holds the state of callback {key}, which this run does not have; resume with the same callbacks and early-stopping settings.");
        foreach (var (key, callback) in keyed)
            if (callback.SaveState() is not null && !checkpoint.CallbackStates.ContainsKey(key))
                throw new ArgumentException($"The checkpoint '{path}' has no state for callback {key}; resume with the same callbacks and early-stopping settings.");
        if (checkpoint.Epoch > Options.Epochs)
            throw new ArgumentException($"The checkpoint '{path}' is from epoch {checkpoint.Epoch}, beyond this run's {Options.Epochs} epochs.");
        Model.LoadStateDict(checkpoint.Model);
        optimizer.LoadStateDict(checkpoint.Optimizer);
        shuffle.SetState(checkpoint.ShuffleGenerator);
        using (var defaultGenerator = Generator.Default()) defaultGenerator.SetState(checkpoint.DefaultGenerator);
        foreach (var (key, callback) in keyed)
            if (checkpoint.CallbackStates.TryGetValue(key, out var state)) callback.LoadState(state);
        earlyStopping?.SetBestWeights(checkpoint.BestWeights?.ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromDisposeScope()));
        checkpoint.History.RestoreInto(context.History);
        earlyStopping?.Reattach(context.History);
        context.Step = checkpoint.Step;
        context.Epoch = checkpoint.Epoch;
        context.LearningRateScale = checkpoint.LearningRateScale;
        return checkpoint.Epoch;
    }
}
