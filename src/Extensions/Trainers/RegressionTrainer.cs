using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Trainers;

/// <summary>Options of a regression trainer: the label may be a number or a float vector (several targets).</summary>
public record RegressionTrainerOptions : TorchTrainerOptions
{
    /// <summary>
    /// Train on z-scored targets (mean 0, std 1 per target, from the training labels) and map predictions back, so
    /// targets of different units weigh alike in the loss. On by default.
    /// </summary>
    public bool StandardizeLabels { get; init; } = true;
}

/// <summary>How regression targets were scaled for training.</summary>
public sealed record RegressionLabels(int Outputs, bool Scalar, double[] Mean, double[] Std) : LabelEncoding(Outputs);

/// <summary>Trains any <see cref="IModelSpec"/> to regress one or more targets with mean squared error.</summary>
public sealed class RegressionTrainer : TorchTrainerBase<RegressionTrainerOptions, RegressionPredictionTransformer>
{
    public RegressionTrainer(ZooContext context, RegressionTrainerOptions options, IModelSpec model) : base(context, options, model) { }

    protected override string TrainerName => $"Regression.{Model.Kind}";

    protected override void CheckLabel(SchemaShape schema)
    {
        var label = schema.Find(Options.LabelColumnName)
            ?? throw new ArgumentException($"The label column '{Options.LabelColumnName}' is missing (LabelColumnName); the columns are: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (label.Type is not (VectorDataViewType or NumberDataViewType) || label.Type == NumberDataViewType.Boolean)
            throw new ArgumentException($"Column '{Options.LabelColumnName}' holds {label.Type} values; regression labels must be numbers or a float vector (LabelColumnName).");
    }

    protected override SchemaShape AddOutputColumns(SchemaShape schema)
    {
        DataViewType label = schema[Options.LabelColumnName].Type;
        return schema.With(new SchemaShape.Column(Options.ScoreColumnName, label is VectorDataViewType v ? new VectorDataViewType(v.Size) : NumberDataViewType.Single));
    }

    protected override LabelEncoding FitLabels(IDataView train)
    {
        var (values, k) = train.GetFloatRows(Options.LabelColumnName, nameof(Options.LabelColumnName));
        int n = values.Length / k;
        var mean = new double[k];
        var std = new double[k];
        for (int t = 0; t < k; t++)
        {
            double a = 0, b = 0;
            for (int i = 0; i < n; i++)
            {
                double y = values[i * k + t];
                if (!double.IsFinite(y))
                    throw new ArgumentException($"Column '{Options.LabelColumnName}' has a non-finite label ({y}) in row {i}" + (k > 1 ? $", target {t}" : "") + " (LabelColumnName).");
                a += y;
                b += y * y;
            }
            mean[t] = Options.StandardizeLabels ? a / n : 0;
            double variance = b / n - (a / n) * (a / n);
            std[t] = Options.StandardizeLabels && variance > 0 ? Math.Sqrt(variance) : 1;
        }
        bool scalar = train.Schema[Options.LabelColumnName].Type is not VectorDataViewType;
        return new RegressionLabels(k, scalar, mean, std);
    }

    protected override Tensor LabelTensor(IDataView data, LabelEncoding encoding)
    {
        var labels = (RegressionLabels)encoding;
        var (values, k) = data.GetFloatRows(Options.LabelColumnName, nameof(Options.LabelColumnName));
        if (k != labels.Outputs)
            throw new ArgumentException($"Column '{Options.LabelColumnName}' has {k} values per row in the validation data but {labels.Outputs} in the training data (LabelColumnName).");
        var scaled = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Column '{Options.LabelColumnName}' has a non-finite label ({values[i]}) in row {i / k} (LabelColumnName).");
            scaled[i] = (float)((values[i] - labels.Mean[i % k]) / labels.Std[i % k]);
        }
        return Tensor.FromArray<float>(scaled, new long[] { values.Length / k, k });
    }

    protected override Func<Tensor, Tensor, Tensor> Loss(LabelEncoding encoding) => (p, y) => Functional.MseLoss(p, y);

    protected override RegressionPredictionTransformer CreateTransformer(Module<Tensor, Tensor> model, int[] featureShape, LabelEncoding encoding) =>
        new(model, Model, Options.FeatureColumnName, featureShape, Options.ScoreColumnName, (RegressionLabels)encoding);
}

/// <summary>Adds the <c>Score</c> column: the predicted target(s) in the label's units.</summary>
public sealed class RegressionPredictionTransformer : PredictionTransformerBase
{
    internal RegressionPredictionTransformer(Module<Tensor, Tensor> model, IModelSpec spec, string feature, int[] shape, string scoreColumnName, RegressionLabels labels)
        : base(model, spec, feature, shape)
    {
        ScoreColumnName = scoreColumnName;
        Labels = labels;
    }

    public string ScoreColumnName { get; }

    public RegressionLabels Labels { get; }

    public override string Kind => "RegressionPrediction";

    protected override IEnumerable<(string Name, DataViewType Type)> OutputColumns =>
        new[] { (ScoreColumnName, Labels.Scalar ? (DataViewType)NumberDataViewType.Single : new VectorDataViewType(Labels.Outputs)) };

    protected override IReadOnlyDictionary<string, DataColumn> Decode(float[] outputs, int rows)
    {
        int k = Labels.Outputs;
        var values = new float[outputs.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(outputs[i] * Labels.Std[i % k] + Labels.Mean[i % k]);
        DataColumn score = Labels.Scalar ? new ScalarColumn<float>(NumberDataViewType.Single, values) : new VectorColumn(new VectorDataViewType(k), values);
        return new Dictionary<string, DataColumn> { [ScoreColumnName] = score };
    }

    protected override void SaveTask(JsonObject parameters)
    {
        parameters["score_column"] = ScoreColumnName;
        parameters["outputs"] = Labels.Outputs;
        parameters["scalar"] = Labels.Scalar;
        parameters["label_mean"] = new JsonArray(Labels.Mean.Select(m => (JsonNode)m).ToArray());
        parameters["label_std"] = new JsonArray(Labels.Std.Select(m => (JsonNode)m).ToArray());
    }

    internal static RegressionPredictionTransformer Load(ModelLoadContext context)
    {
        int outputs = context.GetInt("outputs");
        double[] mean = context.GetObject<double[]>("label_mean"), std = context.GetObject<double[]>("label_std");
        if (outputs < 1 || mean.Length != outputs || std.Length != outputs) throw context.Invalid("the label scaling does not match the number of outputs");
        var (model, spec, feature, shape) = LoadModel(context, outputs);
        return new RegressionPredictionTransformer(model, spec, feature, shape, context.GetString("score_column"),
            new RegressionLabels(outputs, context.GetBool("scalar"), mean, std));
    }
}
