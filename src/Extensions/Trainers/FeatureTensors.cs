using TorchZoo.Extensions.Data;
using TorchZoo.Torch;

namespace TorchZoo.Extensions.Trainers;

/// <summary>Turns feature columns into tensors, with one clear sentence when the data does not fit.</summary>
internal static class FeatureTensors
{
    /// <summary>The shape of one example of the feature column ([k] for a scalar column).</summary>
    public static int[] ShapeOf(DataViewSchema schema, string column, string option)
    {
        var c = schema.GetColumnOrNull(column)
            ?? throw new ArgumentException($"The feature column '{column}' is missing ({option}); the columns are: {string.Join(", ", schema.Select(x => x.Name))}.");
        return c.Type switch
        {
            VectorDataViewType v => v.Dimensions.ToArray(),
            NumberDataViewType n when n != NumberDataViewType.Boolean => new[] { 1 },
            _ => throw new ArgumentException($"Column '{column}' holds {c.Type} values; features must be numbers or a float vector ({option})."),
        };
    }

    /// <summary>(N, shape…) float32 features; non-finite values are refused.</summary>
    public static Tensor Create(IDataView data, string column, int[] shape, string option)
    {
        var (values, perRow) = data.GetFloatRows(column, option);
        int expected = shape.Aggregate(1, (a, b) => a * b);
        if (perRow != expected)
            throw new ArgumentException($"Column '{column}' has {perRow} values per row but the model expects {expected} (shape [{string.Join(", ", shape)}]) ({option}).");
        int n = values.Length / perRow;
        if (n == 0) throw new ArgumentException($"The data is empty: column '{column}' has no rows.");
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new ArgumentException($"Column '{column}' has a non-finite value ({values[i]}) in row {i / perRow} ({option}).");
        return Tensor.FromArray<float>(values, new long[] { n }.Concat(shape.Select(s => (long)s)).ToArray());
    }
}
