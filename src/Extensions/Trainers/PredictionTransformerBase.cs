using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Trainers;

/// <summary>
/// A trained model as a pipeline step: it reads the feature column, runs the model in evaluation mode in
/// batches, and adds the task's output columns. Saves the architecture (its spec) and the weights. The model
/// is only read while predicting, so several threads may transform at once.
/// </summary>
public abstract class PredictionTransformerBase : ISavableTransformer, IDisposable
{
    private const int InferenceBatch = 256;

    protected PredictionTransformerBase(Module<Tensor, Tensor> model, IModelSpec spec, string featureColumnName, int[] featureShape)
    {
        Model = model;
        Spec = spec;
        FeatureColumnName = featureColumnName;
        FeatureShape = featureShape;
        model.Eval();
    }

    /// <summary>The trained network (evaluation mode).</summary>
    public Module<Tensor, Tensor> Model { get; }

    public IModelSpec Spec { get; }

    public string FeatureColumnName { get; }

    /// <summary>The shape of one example the model was trained on.</summary>
    public IReadOnlyList<int> FeatureShape { get; }

    public abstract string Kind { get; }

    protected abstract IEnumerable<(string Name, DataViewType Type)> OutputColumns { get; }

    /// <summary>Builds the output columns from the model's raw outputs (rows × outputs, float32, row-major).</summary>
    protected abstract IReadOnlyDictionary<string, DataColumn> Decode(float[] outputs, int rows);

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckFeatures(inputSchema);
        return inputSchema.With(OutputColumns.ToArray());
    }

    public IDataView Transform(IDataView input)
    {
        CheckFeatures(input.Schema);
        var decoded = new Lazy<IReadOnlyDictionary<string, DataColumn>>(() => Predict(input), LazyThreadSafetyMode.ExecutionAndPublication);
        return new DerivedDataView(input, OutputColumns.Select(c => (c.Name, c.Type, (Func<DataColumn>)(() => decoded.Value[c.Name]))).ToList());
    }

    private IReadOnlyDictionary<string, DataColumn> Predict(IDataView input)
    {
        int[] shape = FeatureShape.ToArray();
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        Tensor features = FeatureTensors.Create(input, FeatureColumnName, shape, nameof(FeatureColumnName));
        long n = features.Size(0);
        var outputs = new List<float>();
        for (long start = 0; start < n; start += InferenceBatch)
        {
            using var batchScope = DisposeScope.Enter();
            Tensor x = features.Narrow(0, start, Math.Min(InferenceBatch, n - start));
            outputs.AddRange(Model.Forward(x).Contiguous().ToArray<float>());
        }
        return Decode(outputs.ToArray(), (int)n);
    }

    private void CheckFeatures(DataViewSchema schema)
    {
        int[] have = FeatureTensors.ShapeOf(schema, FeatureColumnName, nameof(FeatureColumnName));
        if (!have.SequenceEqual(FeatureShape))
            throw new ArgumentException($"Column '{FeatureColumnName}' has shape [{string.Join(", ", have)}] but the model was trained on [{string.Join(", ", FeatureShape)}].");
    }

    public void Save(ModelSaveContext context)
    {
        context.Parameters["model_kind"] = Spec.Kind;
        context.Parameters["model"] = Spec.ToJson();
        context.Parameters["feature_column"] = FeatureColumnName;
        context.Parameters["feature_shape"] = new JsonArray(FeatureShape.Select(d => (JsonNode)d).ToArray());
        SaveTask(context.Parameters);
        context.SaveTensors(Spec.ExportWeights(Model));
    }

    protected abstract void SaveTask(JsonObject parameters);

    /// <summary>Rebuilds the model from a saved spec and loads its weights, checking every shape.</summary>
    protected static (Module<Tensor, Tensor> Model, IModelSpec Spec, string Feature, int[] Shape) LoadModel(ModelLoadContext context, int outputs)
    {
        IModelSpec spec;
        try
        {
            spec = ModelSpecRegistry.Read(context.GetString("model_kind"), context.Get("model") as JsonObject ?? throw context.Invalid("the model spec is not an object"));
        }
        catch (InvalidDataException e)
        {
            throw context.Invalid(e.Message);
        }
        int[] shape = context.GetObject<int[]>("feature_shape");
        if (shape.Length == 0 || shape.Any(d => d <= 0)) throw context.Invalid("the feature shape is invalid");
        Module<Tensor, Tensor> model = spec.Create(shape, outputs);
        Dictionary<string, Tensor> weights = context.LoadTensors();
        try
        {
            model.LoadStateDict(weights);
        }
        catch (ArgumentException e)
        {
            model.Dispose();
            throw context.Invalid($"the weights do not fit the model: {e.Message}");
        }
        finally
        {
            foreach (Tensor t in weights.Values) t.Dispose();
        }
        return (model, spec, context.GetString("feature_column"), shape);
    }

    public void Dispose()
    {
        Model.Dispose();
        GC.SuppressFinalize(this);
    }
}
