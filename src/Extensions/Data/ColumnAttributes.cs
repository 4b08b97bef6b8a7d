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
