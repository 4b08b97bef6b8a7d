using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Trainers;

/// <summary>Options of a multiclass trainer; the label must be a key column (use MapValueToKey).</summary>
public record MulticlassTrainerOptions : TorchTrainerOptions
{
    public string PredictedLabelColumnName { get; init => field = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("PredictedLabelColumnName must name a column.", nameof(PredictedLabelColumnName)) : value; } = "PredictedLabel";

    /// <summary>Label smoothing ε of the cross-entropy, in [0, 1).</summary>
    public double LabelSmoothing { get; init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(LabelSmoothing), value, "LabelSmoothing must be in [0, 1)."); }
}

/// <summary>The classes of a multiclass label.</summary>
public sealed record ClassLabels(KeyDataViewType KeyType) : LabelEncoding(KeyType.Count);

/// <summary>Trains any <see cref="IModelSpec"/> as a K-class classifier with cross-entropy.</summary>
public sealed class MulticlassTrainer : TorchTrainerBase<MulticlassTrainerOptions, MulticlassPredictionTransformer>
{
    public MulticlassTrainer(ZooContext context, MulticlassTrainerOptions options, IModelSpec model) : base(context, options, model) { }

    protected override string TrainerName => $"MulticlassClassification.{Model.Kind}";

    protected override void CheckLabel(SchemaShape schema)
    {
        var label = schema.Find(Options.LabelColumnName)
            ?? throw new ArgumentException($"The label column '{Options.LabelColumnName}' is missing (LabelColumnName); the columns are: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (label.Type is not KeyDataViewType)
            throw new ArgumentException($"Column '{Options.LabelColumnName}' holds {label.Type} values but multiclass labels must be keys: add ml.Transforms.MapValueToKey(\"{Options.LabelColumnName}\") before the trainer (LabelColumnName).");
    }

    protected override SchemaShape AddOutputColumns(SchemaShape schema)
    {
        var key = (KeyDataViewType)schema[Options.LabelColumnName].Type;
        return schema.With(new SchemaShape.Column(Options.ScoreColumnName, new VectorDataViewType(Math.Max(1, key.Count))),
            new SchemaShape.Column(Options.PredictedLabelColumnName, key));
    }

    protected override LabelEncoding FitLabels(IDataView train)
    {
        var key = (KeyDataViewType)train.Schema[Options.LabelColumnName].Type;
        if (key.Count < 2) throw new ArgumentException($"Column '{Options.LabelColumnName}' has {key.Count} class; classification needs at least 2.");
        return new ClassLabels(key);
    }

    protected override Tensor LabelTensor(IDataView data, LabelEncoding encoding)
    {
        uint[] keys = data.GetScalars<uint>(Options.LabelColumnName, nameof(Options.LabelColumnName));
        int classes = encoding.Outputs;
        var targets = new long[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            if (keys[i] == 0 || keys[i] > classes)
                throw new ArgumentException($"Column '{Options.LabelColumnName}' has a missing or unknown class (key {keys[i]}) in row {i} (LabelColumnName).");
            targets[i] = keys[i] - 1;
        }
        return Tensor.FromArray(targets);
    }

    protected override Func<Tensor, Tensor, Tensor> Loss(LabelEncoding encoding) =>
        (logits, y) => Functional.CrossEntropy(logits, y, labelSmoothing: Options.LabelSmoothing);

    protected override MulticlassPredictionTransformer CreateTransformer(Module<Tensor, Tensor> model, int[] featureShape, LabelEncoding encoding) =>
        new(model, Model, Options.FeatureColumnName, featureShape, Options.ScoreColumnName, Options.PredictedLabelColumnName, ((ClassLabels)encoding).KeyType);
}

/// <summary>Adds <c>Score</c> (class probabilities, a vector of K) and <c>PredictedLabel</c> (the most probable class, a key).</summary>
public sealed class MulticlassPredictionTransformer : PredictionTransformerBase
{
    internal MulticlassPredictionTransformer(Module<Tensor, Tensor> model, IModelSpec spec, string feature, int[] shape, string score, string predicted, KeyDataViewType keyType)
        : base(model, spec, feature, shape)
    {
        ScoreColumnName = score;
        PredictedLabelColumnName = predicted;
        KeyType = keyType;
    }

    public string ScoreColumnName { get; }
    public string PredictedLabelColumnName { get; }
    public KeyDataViewType KeyType { get; }

    public override string Kind => "MulticlassPrediction";

    protected override IEnumerable<(string Name, DataViewType Type)> OutputColumns =>
        new (string, DataViewType)[] { (ScoreColumnName, new VectorDataViewType(KeyType.Count)), (PredictedLabelColumnName, KeyType) };

    protected override IReadOnlyDictionary<string, DataColumn> Decode(float[] logits, int rows)
    {
        int k = KeyType.Count;
        var probabilities = new float[logits.Length];
        var predicted = new uint[rows];
        for (int r = 0; r < rows; r++)
        {
            int at = r * k;
            float max = float.NegativeInfinity;
            int best = 0;
            for (int c = 0; c < k; c++)
                if (logits[at + c] > max)
                {
                    max = logits[at + c];
                    best = c;
                }
            double sum = 0;
            for (int c = 0; c < k; c++) sum += Math.Exp(logits[at + c] - max);
            for (int c = 0; c < k; c++) probabilities[at + c] = (float)(Math.Exp(logits[at + c] - max) / sum);
            predicted[r] = (uint)(best + 1);
        }
        return new Dictionary<string, DataColumn>
        {
            [ScoreColumnName] = new VectorColumn(new VectorDataViewType(k), probabilities),
            [PredictedLabelColumnName] = new ScalarColumn<uint>(KeyType, predicted),
        };
    }

    protected override void SaveTask(JsonObject parameters)
    {
        parameters["score_column"] = ScoreColumnName;
        parameters["predicted_column"] = PredictedLabelColumnName;
        parameters["classes"] = new JsonArray(KeyType.Labels.Select(l => (JsonNode)l).ToArray());
    }

    internal static MulticlassPredictionTransformer Load(ModelLoadContext context)
    {
        string[] classes = context.GetObject<string[]>("classes");
        if (classes.Length < 2) throw context.Invalid("a classifier needs at least 2 classes");
        var (model, spec, feature, shape) = LoadModel(context, classes.Length);
        return new MulticlassPredictionTransformer(model, spec, feature, shape, context.GetString("score_column"), context.GetString("predicted_column"),
            new KeyDataViewType(classes.Length, classes));
    }
}
