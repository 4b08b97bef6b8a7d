namespace TorchZoo.Extensions.Data;

/// <summary>The values of one column, materialized in memory.</summary>
public abstract class DataColumn
{
    protected DataColumn(DataViewType type) => Type = type;

    public DataViewType Type { get; }

    /// <summary>Number of rows.</summary>
    public abstract int Length { get; }

    /// <summary>The rows at <paramref name="rows"/>, in that order.</summary>
    public abstract DataColumn Select(IReadOnlyList<int> rows);

    /// <summary>One value, boxed (for generic code paths such as writing objects back).</summary>
    public abstract object? GetValue(int row);
}

/// <summary>A column of scalars (numbers, booleans, strings, keys).</summary>
public sealed class ScalarColumn<T> : DataColumn
{
    public ScalarColumn(DataViewType type, T[] values) : base(type)
    {
        if (type.RawType != typeof(T))
            throw new ArgumentException($"A {type} column stores {type.RawType.Name} values, not {typeof(T).Name}.", nameof(type));
        Values = values ?? throw new ArgumentNullException(nameof(values));
    }

    public T[] Values { get; }

    public override int Length => Values.Length;

    public override DataColumn Select(IReadOnlyList<int> rows)
    {
        var picked = new T[rows.Count];
        for (int i = 0; i < picked.Length; i++) picked[i] = Values[rows[i]];
        return new ScalarColumn<T>(Type, picked);
    }

    public override object? GetValue(int row) => Values[row];
}

/// <summary>A column of fixed-shape float vectors, stored row-major in one array.</summary>
public sealed class VectorColumn : DataColumn
{
    public VectorColumn(VectorDataViewType type, float[] values) : base(type)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length % type.Size != 0)
            throw new ArgumentException($"{values.Length} values do not form whole rows of {type.Size}.", nameof(values));
        VectorType = type;
        Values = values;
    }

    public VectorDataViewType VectorType { get; }

    /// <summary>All rows, row-major: row i is Values[i·Size .. (i+1)·Size).</summary>
    public float[] Values { get; }

    public override int Length => Values.Length / VectorType.Size;

    public ReadOnlySpan<float> Row(int row) => Values.AsSpan(row * VectorType.Size, VectorType.Size);

    public override DataColumn Select(IReadOnlyList<int> rows)
    {
        int size = VectorType.Size;
        var picked = new float[rows.Count * size];
        for (int i = 0; i < rows.Count; i++) Array.Copy(Values, rows[i] * size, picked, i * size, size);
        return new VectorColumn(VectorType, picked);
    }

    public override object? GetValue(int row) => Row(row).ToArray();
}
