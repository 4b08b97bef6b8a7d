using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;

namespace TorchZoo.Extensions.Transforms;

/// <summary>How a normalizer maps values.</summary>
public enum NormalizationMode
{
    /// <summary>(x − mean)/std, fitted on the training data (std of 0 leaves the shifted value unscaled).</summary>
    MeanVariance,

    /// <summary>(x − min)/(max − min) into [0, 1], fitted on the training data.</summary>
    MinMax,
}

/// <summary>
/// Learns a per-slot (or, with <c>perSlot: false</c>, one global) affine normalization of a numeric column
/// on the training data. A vector column keeps its shape; the output is float.
/// </summary>
public sealed class NormalizingEstimator(string outputColumnName, string inputColumnName, NormalizationMode mode, bool perSlot) : IEstimator<NormalizingTransformer>
{
    public NormalizingTransformer Fit(IDataView input)
    {
        Check(SchemaShape.Create(input.Schema));
        var (values, k) = input.GetFloatRows(inputColumnName, "inputColumnName");
        int n = values.Length / k;
        if (n == 0) throw new ArgumentException($"Column '{inputColumnName}' has no rows to fit a normalizer on.");
        int slots = perSlot ? k : 1;
        var offset = new double[slots];
        var scale = new double[slots];
        for (int s = 0; s < slots; s++)
        {
            double a = 0, b = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
            long count = 0;
            for (int i = 0; i < n; i++)
                for (int j = perSlot ? s : 0; j < (perSlot ? s + 1 : k); j++)
                {
                    double v = values[i * k + j];
                    if (!double.IsFinite(v)) throw new ArgumentException($"Column '{inputColumnName}' has a non-finite value ({v}) in row {i}.");
                    a += v;
                    b += v * v;
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                    count++;
                }
            if (mode == NormalizationMode.MeanVariance)
            {
                double mean = a / count, std = Math.Sqrt(Math.Max(0, b / count - mean * mean));
                offset[s] = mean;
                scale[s] = std > 0 ? 1 / std : 1;
            }
            else
            {
                offset[s] = min;
                scale[s] = max > min ? 1 / (max - min) : 1;
            }
        }
        return new NormalizingTransformer(outputColumnName, inputColumnName, offset, scale, perSlot);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var column = Check(inputSchema);
        return inputSchema.With(new SchemaShape.Column(outputColumnName, column.Type is VectorDataViewType ? column.Type : NumberDataViewType.Single));
    }

    private SchemaShape.Column Check(SchemaShape schema)
    {
        var column = schema.Find(inputColumnName) ?? throw new ArgumentException($"The normalizer's input column '{inputColumnName}' is missing; the columns are: {string.Join(", ", schema.Select(c => c.Name))}.");
        if (column.Type is TextDataViewType or KeyDataViewType)
            throw new ArgumentException($"Column '{inputColumnName}' holds {column.Type} values; only numbers can be normalized.");
        return column;
    }
}

/// <summary>The fitted affine normalization y = (x − offset)·scale.</summary>
public sealed class NormalizingTransformer : ISavableTransformer
{
    internal NormalizingTransformer(string output, string input, double[] offset, double[] scale, bool perSlot)
    {
        OutputColumnName = output;
        InputColumnName = input;
        Offset = offset;
        Scale = scale;
        PerSlot = perSlot;
    }

    public string OutputColumnName { get; }
    public string InputColumnName { get; }
    public IReadOnlyList<double> Offset { get; }
    public IReadOnlyList<double> Scale { get; }
    public bool PerSlot { get; }

    public string Kind => "Normalizer";

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        DataViewType type = inputSchema[InputColumnName].Type;
        return inputSchema.With((OutputColumnName, type is VectorDataViewType ? type : NumberDataViewType.Single));
    }

    public IDataView Transform(IDataView input)
    {
        DataViewType inType = input.Schema[InputColumnName].Type;
        DataViewType outType = inType is VectorDataViewType ? inType : NumberDataViewType.Single;
        return new DerivedDataView(input, new[] { (OutputColumnName, outType, (Func<DataColumn>)(() => Apply(input, outType))) });
    }

    private DataColumn Apply(IDataView input, DataViewType outType)
    {
        var (values, k) = input.GetFloatRows(InputColumnName);
        if (PerSlot && k != Offset.Count)
            throw new ArgumentException($"Column '{InputColumnName}' has {k} values per row but the normalizer was fitted on {Offset.Count}.");
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int s = PerSlot ? i % k : 0;
            result[i] = (float)((values[i] - Offset[s]) * Scale[s]);
        }
        return outType is VectorDataViewType v ? new VectorColumn(v, result) : new ScalarColumn<float>(NumberDataViewType.Single, result);
    }

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = OutputColumnName;
        context.Parameters["input"] = InputColumnName;
        context.Parameters["per_slot"] = PerSlot;
        context.Parameters["offset"] = new JsonArray(Offset.Select(o => (JsonNode)o).ToArray());
        context.Parameters["scale"] = new JsonArray(Scale.Select(o => (JsonNode)o).ToArray());
    }

    internal static NormalizingTransformer Load(ModelLoadContext context)
    {
        double[] offset = context.GetObject<double[]>("offset"), scale = context.GetObject<double[]>("scale");
        if (offset.Length != scale.Length || offset.Length == 0) throw context.Invalid("the normalizer's offset and scale do not match");
        return new NormalizingTransformer(context.GetString("output"), context.GetString("input"), offset, scale, context.GetBool("per_slot"));
    }
}
