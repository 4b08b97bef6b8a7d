namespace TorchZoo.Extensions.Data;

/// <summary>Names the column a property or field maps to (default: its own name).</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ColumnNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Declares the fixed shape of a float[] member, e.g. [VectorType(1, 64, 64)].</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class VectorTypeAttribute(params int[] dimensions) : Attribute
{
    public int[] Dimensions { get; } = dimensions;
}

/// <summary>Leaves a member out of the data view.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class NoColumnAttribute : Attribute
{
}

/// <summary>
/// The field (0-based) or inclusive field range a member reads from a text file, as ML.NET's [LoadColumn]:
/// <c>[LoadColumn(3)]</c> for a scalar, <c>[LoadColumn(4, 7)]</c> for a float[] with <c>[VectorType(4)]</c>.
/// Members without it are found by header name (their <see cref="ColumnNameAttribute"/> or their own name).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class LoadColumnAttribute : Attribute
{
    public LoadColumnAttribute(int fieldIndex) : this(fieldIndex, fieldIndex) { }

    public LoadColumnAttribute(int start, int end)
    {
        Start = start;
        End = end;
    }

    /// <summary>The first field, 0-based.</summary>
    public int Start { get; }

    /// <summary>The last field, inclusive.</summary>
    public int End { get; }
}
