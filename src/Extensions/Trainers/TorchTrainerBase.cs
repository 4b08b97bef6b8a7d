using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Extensions.Trainers;

/// <summary>
/// The fit pipeline every TorchZoo trainer shares: check the columns, hold out validation data, turn columns into
/// tensors, build the model from its spec with the seed, load initial weights, run the shared
/// <see cref="TrainingLoop"/> and wrap the trained model in a prediction transformer. A task (regression,
/// classification) supplies the label encoding, the loss and the transformer.
/// </summary>
public abstract class TorchTrainerBase<TOptions, TTransformer> : IEstimator<TTransformer>
    where TOptions : TorchTrainerOptions where TTransformer : class, ITransformer
{
    protected TorchTrainerBase(ZooContext context, TOptions options, IModelSpec model)
    {
        Context = context ?? throw new ArgumentNullException(nameof(context));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Model = model ?? throw new ArgumentNullException(nameof(model));
    }

    protected ZooContext Context { get; }

    public TOptions Options { get; }

    public IModelSpec Model { get; }

    /// <summary>The history of the last <see cref="Fit"/> (curves, stop reason, skipped steps).</summary>
    public TrainingHistory? LastHistory { get; private set; }

    /// <summary>A short name for log messages.</summary>
    protected abstract string TrainerName { get; }

    /// <summary>Checks the label column and learns how to encode it (number of outputs, scaling, classes).</summary>
    protected abstract LabelEncoding FitLabels(IDataView train);

    protected abstract Tensor LabelTensor(IDataView data, LabelEncoding encoding);

    protected abstract Func<Tensor, Tensor, Tensor> Loss(LabelEncoding encoding);

    protected abstract TTransformer CreateTransformer(Module<Tensor, Tensor> model, int[] featureShape, LabelEncoding encoding);

    /// <summary>The label column's schema check, for <see cref="GetOutputSchema"/>.</summary>
    protected abstract void CheckLabel(SchemaShape schema);

    protected abstract SchemaShape AddOutputColumns(SchemaShape schema);

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var feature = inputSchema.Find(Options.FeatureColumnName)
            ?? throw new ArgumentException($"The feature column '{Options.FeatureColumnName}' is missing (FeatureColumnName); the columns are: {string.Join(", ", inputSchema.Select(c => c.Name))}.");
        if (feature.Type is not (VectorDataViewType or NumberDataViewType))
            throw new ArgumentException($"Column '{Options.FeatureColumnName}' holds {feature.Type} values; features must be numbers or a float vector (FeatureColumnName).");
        CheckLabel(inputSchema);
        return AddOutputColumns(inputSchema);
    }

    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        GetOutputSchema(SchemaShape.Create(input.Schema));
        if (input.RowCount == 0) throw new ArgumentException("The training data is empty.");
        int seed = Options.Seed ?? Context.NextSeed();
        var (train, validation) = SplitValidation(input, seed);
        int[] shape = FeatureTensors.ShapeOf(input.Schema, Options.FeatureColumnName, nameof(Options.FeatureColumnName));
        LabelEncoding encoding = FitLabels(train);

        using var trainSet = new TensorDataset(
            FeatureTensors.Create(train, Options.FeatureColumnName, shape, nameof(Options.FeatureColumnName)), LabelTensor(train, encoding));
        using var validationSet = validation is null ? null : new TensorDataset(
            FeatureTensors.Create(validation, Options.FeatureColumnName, shape, "ValidationSet." + nameof(Options.FeatureColumnName)), LabelTensor(validation, encoding));

        if (Options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        TorchRuntime.ManualSeed((ulong)seed);
        Module<Tensor, Tensor> model = Model.Create(shape, encoding.Outputs);
        try
        {
            if (Options.Device != Device.Cpu) model.To(Options.Device);
            if (Options.InitialWeightsPath is { } weights) LoadInitialWeights(model, weights);
            Model.PrepareForTraining(model);
            Context.Write(TrainerName, $"training {model.ParameterCount:N0} parameters on {trainSet.Count} examples" +
                                       (validationSet is null ? "" : $", validating on {validationSet.Count}") + $" with {Options.Optimizer.Name}" +
                                       (Options.ProcessGroup is { } g ? $", data-parallel as rank {g.Rank} of {g.WorldSize}" : ""));
            var loop = new TrainingLoop
            {
                Model = model,
                Loss = Loss(encoding),
                Optimizer = Options.Optimizer,
                Schedule = Options.Schedule,
                Options = new TrainingOptions
                {
                    Epochs = Options.MaxEpochs,
                    BatchSize = Options.BatchSize,
                    GradientAccumulationSteps = Options.GradientAccumulationSteps,
                    Seed = (ulong)seed,
                    Threads = Options.Threads,
                    Device = Options.Device,
                    Clipping = Options.Clipping,
                    CheckpointPath = Options.CheckpointPath,
                    ProcessGroup = Options.ProcessGroup,
                },
                EarlyStopping = validationSet is null ? null : Options.EarlyStopping,
                Callbacks = new ITrainingCallback[] { new MetricsForwarder(this) },
                Progress = Options.Progress,
            };
            if (Options.EarlyStopping is not null && validationSet is null)
                Context.Write(TrainerName, "early stopping is off: no ValidationSet or ValidationFraction was given");
            TrainingHistory history = loop.Fit(trainSet, validationSet, Options.ResumeFromCheckpoint, Options.CancellationToken);
            loop.LastOptimizer?.Dispose();
            LastHistory = history;
            Context.Write(TrainerName, history.StopMessage);
            if (history.StopReason == StopReason.Diverged) throw new InvalidOperationException(history.StopMessage);
            return CreateTransformer(model, shape, encoding);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private (IDataView Train, IDataView? Validation) SplitValidation(IDataView input, int seed)
    {
        if (Options.ValidationSet is { } v)
        {
            if (v.RowCount == 0) throw new ArgumentException("The validation set is empty (ValidationSet).");
            return (input, v);
        }
        if (Options.ValidationFraction is { } f)
        {
            var split = Context.Data.TrainTestSplit(input, f, seed: seed);
            return (split.TrainSet, split.TestSet);
        }
        return (input, null);
    }

    private void LoadInitialWeights(Module<Tensor, Tensor> model, string path)
    {
        Dictionary<string, Tensor> weights = SafeTensors.Load(path);
        try
        {
            Model.LoadInitialWeights(model, weights, path);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The initial weights in '{path}' do not fit the model (InitialWeightsPath): {e.Message}", e);
        }
        finally
        {
            foreach (Tensor t in weights.Values) t.Dispose();
        }
    }

    private sealed class MetricsForwarder(TorchTrainerBase<TOptions, TTransformer> trainer) : ITrainingCallback
    {
        public void OnEvaluation(TrainingContext context, EvaluationRecord evaluation)
        {
            trainer.Options.MetricsCallback?.Invoke(evaluation);
            string val = evaluation.Metrics.TryGetValue("val_loss", out double v) ? $", val_loss {v:G5}" : "";
            trainer.Context.Write(trainer.TrainerName, $"epoch {evaluation.Epoch}: train_loss {evaluation.TrainLoss:G5}{val}, lr {evaluation.LearningRate:G3}");
        }
    }
}

/// <summary>How labels are encoded for the model: the number of outputs and task-specific details.</summary>
public abstract record LabelEncoding(int Outputs);
