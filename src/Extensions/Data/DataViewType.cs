namespace TorchZoo.Extensions.Data;

/// <summary>The type of a column's values (ML.NET's DataViewType family).</summary>
public abstract record DataViewType
{
    /// <summary>The CLR type of one value as it is stored in a column.</summary>
    public abstract Type RawType { get; }
}

/// <summary>The scalar number and boolean types.</summary>
public sealed record NumberDataViewType : DataViewType
{
    private NumberDataViewType(Type raw, string name)
    {
        RawType = raw;
        Name = name;
    }

    public override Type RawType { get; }

    public string Name { get; }

    public static NumberDataViewType Single { get; } = new(typeof(float), "Single");
    public static NumberDataViewType Double { get; } = new(typeof(double), "Double");
    public static NumberDataViewType Int32 { get; } = new(typeof(int), "Int32");
    public static NumberDataViewType Int64 { get; } = new(typeof(long), "Int64");
    public static NumberDataViewType Boolean { get; } = new(typeof(bool), "Boolean");

    public override string ToString() => Name;
}

/// <summary>Text values.</summary>
public sealed record TextDataViewType : DataViewType
{
    public static TextDataViewType Instance { get; } = new();

    public override Type RawType => typeof(string);

    public override string ToString() => "String";
}

/// <summary>
/// A category index in 1..Count stored as uint (0 means missing), as ML.NET's keys; <see cref="Labels"/> maps
/// index i+1 back to its original value.
/// </summary>
public sealed record KeyDataViewType(int Count, IReadOnlyList<string> Labels) : DataViewType
{
    public override Type RawType => typeof(uint);

    public override string ToString() => $"Key<{Count}>";

    public bool Equals(KeyDataViewType? other) => other is not null && other.Count == Count && other.Labels.SequenceEqual(Labels);

    public override int GetHashCode() => Count;
}

/// <summary>A fixed-shape vector of float32 values, e.g. float[1, 64, 64] for a single-channel image.</summary>
public sealed record VectorDataViewType : DataViewType
{
    public VectorDataViewType(params int[] dimensions)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0 || dimensions.Any(d => d <= 0))
            throw new ArgumentException($"A vector type needs positive dimensions, got [{string.Join(", ", dimensions)}].", nameof(dimensions));
        Dimensions = dimensions.ToArray();
        Size = Dimensions.Aggregate(1, (a, b) => checked(a * b));
    }

    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>Number of values per row.</summary>
    public int Size { get; }

    public override Type RawType => typeof(float[]);

    public bool Equals(VectorDataViewType? other) => other is not null && other.Dimensions.SequenceEqual(Dimensions);

    public override int GetHashCode() => Size;

    public override string ToString() => $"Vector<Single, {string.Join("×", Dimensions)}>";
}
