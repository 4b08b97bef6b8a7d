namespace TorchZoo.Extensions.Data;

/// <summary>
/// A table of typed columns (ML.NET's IDataView, columnar and in memory): the schema is known without
/// computing anything, and a column's values are computed when first asked for.
/// </summary>
public interface IDataView
{
    DataViewSchema Schema { get; }

    /// <summary>Number of rows.</summary>
    long RowCount { get; }

    /// <summary>The values of a column (computed and cached on first use for derived views).</summary>
    DataColumn GetColumn(string name);
}

/// <summary>Typed access to columns with one clear error when the type is not what the caller expects.</summary>
public static class DataViewExtensions
{
    public static T[] GetScalars<T>(this IDataView data, string name, string? optionName = null)
    {
        DataColumn column = data.GetColumn(name);
        if (column is ScalarColumn<T> scalars) return scalars.Values;
        throw new ArgumentException($"Column '{name}' holds {column.Type} values, not {typeof(T).Name}{Hint(optionName)}.");
    }

    public static VectorColumn GetVectors(this IDataView data, string name, string? optionName = null)
    {
        DataColumn column = data.GetColumn(name);
        if (column is VectorColumn vectors) return vectors;
        throw new ArgumentException($"Column '{name}' holds {column.Type} values, not a float vector{Hint(optionName)}.");
    }

    /// <summary>The column's values as floats, one row per example, k values per row (a scalar column has k = 1).</summary>
    public static (float[] Values, int PerRow) GetFloatRows(this IDataView data, string name, string? optionName = null)
    {
        DataColumn column = data.GetColumn(name);
        return column switch
        {
            VectorColumn v => (v.Values, v.VectorType.Size),
            ScalarColumn<float> f => (f.Values, 1),
            ScalarColumn<double> d => (d.Values.Select(x => (float)x).ToArray(), 1),
            ScalarColumn<int> i => (i.Values.Select(x => (float)x).ToArray(), 1),
            ScalarColumn<long> l => (l.Values.Select(x => (float)x).ToArray(), 1),
            ScalarColumn<bool> b => (b.Values.Select(x => x ? 1f : 0f).ToArray(), 1),
            _ => throw new ArgumentException($"Column '{name}' holds {column.Type} values, which are not numbers{Hint(optionName)}."),
        };
    }

    private static string Hint(string? optionName) => optionName is null ? "" : $" ({optionName})";
}
