using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Trainers;

namespace TorchZoo.Extensions.Evaluation;

/// <summary>Regression trainers and evaluation (ML.NET's <c>mlContext.Regression</c>).</summary>
public sealed class RegressionCatalog
{
    internal RegressionCatalog(ZooContext context) => Trainers = new RegressionTrainers(context);

    /// <summary>The regression trainers (more arrive as extension methods).</summary>
    public RegressionTrainers Trainers { get; }

    public RegressionMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score") =>
        RegressionEvaluator.Evaluate(data, labelColumnName, scoreColumnName);

    public sealed class RegressionTrainers(ZooContext context)
    {
        public ZooContext Context { get; } = context;

        /// <summary>A regressor over any model architecture (bring your own <see cref="IModelSpec"/>).</summary>
        public RegressionTrainer TorchModel(IModelSpec model, RegressionTrainerOptions? options = null) => new(Context, options ?? new RegressionTrainerOptions(), model);
    }
}

/// <summary>Multiclass trainers and evaluation (ML.NET's <c>mlContext.MulticlassClassification</c>).</summary>
public sealed class MulticlassClassificationCatalog
{
    internal MulticlassClassificationCatalog(ZooContext context) => Trainers = new MulticlassClassificationTrainers(context);

    public MulticlassClassificationTrainers Trainers { get; }

    public MulticlassClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", int topKPredictionCount = 0) =>
        ClassificationEvaluators.EvaluateMulticlass(data, labelColumnName, scoreColumnName, topKPredictionCount);

    public sealed class MulticlassClassificationTrainers(ZooContext context)
    {
        public ZooContext Context { get; } = context;

        public MulticlassTrainer TorchModel(IModelSpec model, MulticlassTrainerOptions? options = null) => new(Context, options ?? new MulticlassTrainerOptions(), model);
    }
}

/// <summary>Binary trainers and evaluation (ML.NET's <c>mlContext.BinaryClassification</c>).</summary>
public sealed class BinaryClassificationCatalog
{
    internal BinaryClassificationCatalog(ZooContext context) => Trainers = new BinaryClassificationTrainers(context);

    public BinaryClassificationTrainers Trainers { get; }

    public BinaryClassificationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel") =>
        ClassificationEvaluators.EvaluateBinary(data, labelColumnName, probabilityColumnName, predictedLabelColumnName);

    public sealed class BinaryClassificationTrainers(ZooContext context)
    {
        public ZooContext Context { get; } = context;

        public BinaryTrainer TorchModel(IModelSpec model, BinaryTrainerOptions? options = null) => new(Context, options ?? new BinaryTrainerOptions(), model);
    }
}
