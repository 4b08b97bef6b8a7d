using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Trainers;

/// <summary>Options of a binary classifier; the label is a boolean column.</summary>
public record BinaryTrainerOptions : TorchTrainerOptions
{
    public string PredictedLabelColumnName { get; init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("PredictedLabelColumnName must name a column.", nameof(PredictedLabelColumnName)) : value; } = "PredictedLabel";

    public string ProbabilityColumnName { get; init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("ProbabilityColumnName must name a column.", nameof(ProbabilityColumnName)) : value; } = "Probability";

    /// <summary>Probability at or above which the prediction is true.</summary>
    public double Threshold { get; init => field = value is > 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Threshold), value, "Threshold must be in (0, 1)."); } = 0.5;
}

public sealed record BinaryLabels() : LabelEncoding(1);

/// <summary>Trains any <see cref="IModelSpec"/> as a binary classifier with the logistic loss on one logit.</summary>
public sealed class BinaryTrainer : TorchTrainerBase<BinaryTrainerOptions, BinaryPredictionTransformer>
{
    public BinaryTrainer(ZooContext context, BinaryTrainerOptions options, IModelSpec model) : base(context, options, model) { }

    protected override string TrainerName => $"BinaryClassification.{Model.Kind}";

    protected override void CheckLabel(SchemaShape schema)
    {
        var label = schema.Find(Options.LabelColumnName)
            ?? throw new ArgumentException($"The label column '{Options.LabelColumnName}' is missing (LabelColumnName); the columns are: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (label.Type != NumberDataViewType.Boolean)
            throw new ArgumentException($"Column '{Options.LabelColumnName}' holds {label.Type} values; binary labels must be Boolean (LabelColumnName).");
    }

    protected override SchemaShape AddOutputColumns(SchemaShape schema) => schema.With(
        new SchemaShape.Column(Options.ScoreColumnName, NumberDataViewType.Single),
        new SchemaShape.Column(Options.ProbabilityColumnName, NumberDataViewType.Single),
        new SchemaShape.Column(Options.PredictedLabelColumnName, NumberDataViewType.Boolean));

    protected override LabelEncoding FitLabels(IDataView train) => new BinaryLabels();

    protected override Tensor LabelTensor(IDataView data, LabelEncoding encoding)
    {
        bool[] labels = data.GetScalars<bool>(Options.LabelColumnName, nameof(Options.LabelColumnName));
        return Tensor.FromArray<float>(labels.Select(b => b ? 1f : 0f).ToArray(), new long[] { labels.Length, 1 });
    }

    protected override Func<Tensor, Tensor, Tensor> Loss(LabelEncoding encoding) => (logit, y) => Functional.BinaryCrossEntropyWithLogits(logit, y);

    protected override BinaryPredictionTransformer CreateTransformer(Module<Tensor, Tensor> model, int[] featureShape, LabelEncoding encoding) =>
        new(model, Model, Options.FeatureColumnName, featureShape, Options.ScoreColumnName, Options.ProbabilityColumnName, Options.PredictedLabelColumnName, Options.Threshold);
}

/// <summary>Adds <c>Score</c> (the logit), <c>Probability</c> (its sigmoid) and <c>PredictedLabel</c> (probability ≥ threshold).</summary>
public sealed class BinaryPredictionTransformer : PredictionTransformerBase
{
    internal BinaryPredictionTransformer(Module<Tensor, Tensor> model, IModelSpec spec, string feature, int[] shape, string score, string probability, string predicted, double threshold)
        : base(model, spec, feature, shape)
    {
        ScoreColumnName = score;
        ProbabilityColumnName = probability;
        PredictedLabelColumnName = predicted;
        Threshold = threshold;
    }

    public string ScoreColumnName { get; }
    public string ProbabilityColumnName { get; }
    public string PredictedLabelColumnName { get; }
    public double Threshold { get; }

    public override string Kind => "BinaryPrediction";

    protected override IEnumerable<(string Name, DataViewType Type)> OutputColumns => new (string, DataViewType)[]
    {
        (ScoreColumnName, NumberDataViewType.Single), (ProbabilityColumnName, NumberDataViewType.Single), (PredictedLabelColumnName, NumberDataViewType.Boolean),
    };

    protected override IReadOnlyDictionary<string, DataColumn> Decode(float[] outputs, int rows)
    {
        var probability = outputs.Select(z => (float)(1 / (1 + Math.Exp(-z)))).ToArray();
        return new Dictionary<string, DataColumn>
        {
            [ScoreColumnName] = new ScalarColumn<float>(NumberDataViewType.Single, outputs),
            [ProbabilityColumnName] = new ScalarColumn<float>(NumberDataViewType.Single, probability),
            [PredictedLabelColumnName] = new ScalarColumn<bool>(NumberDataViewType.Boolean, probability.Select(p => p >= Threshold).ToArray()),
        };
    }

    protected override void SaveTask(JsonObject parameters)
    {
        parameters["score_column"] = ScoreColumnName;
        parameters["probability_column"] = ProbabilityColumnName;
        parameters["predicted_column"] = PredictedLabelColumnName;
        parameters["threshold"] = Threshold;
    }

    internal static BinaryPredictionTransformer Load(ModelLoadContext context)
    {
        var (model, spec, feature, shape) = LoadModel(context, 1);
        return new BinaryPredictionTransformer(model, spec, feature, shape, context.GetString("score_column"), context.GetString("probability_column"),
            context.GetString("predicted_column"), context.GetDouble("threshold"));
    }
}
