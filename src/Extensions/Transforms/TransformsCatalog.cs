namespace TorchZoo.Extensions.Transforms;

/// <summary>Data transforms (ML.NET's <c>mlContext.Transforms</c>).</summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(ZooContext context) => Context = context;

    internal ZooContext Context { get; }

    /// <summary>Standardizes a numeric column per slot: (x − mean)/std, fitted on the training data.</summary>
    public NormalizingEstimator NormalizeMeanVariance(string outputColumnName, string? inputColumnName = null, bool perSlot = true) =>
        new(outputColumnName, inputColumnName ?? outputColumnName, NormalizationMode.MeanVariance, perSlot);

    /// <summary>Scales a numeric column per slot into [0, 1]: (x − min)/(max − min), fitted on the training data.</summary>
    public NormalizingEstimator NormalizeMinMax(string outputColumnName, string? inputColumnName = null, bool perSlot = true) =>
        new(outputColumnName, inputColumnName ?? outputColumnName, NormalizationMode.MinMax, perSlot);

    /// <summary>Maps the distinct values of a column to keys 1..K (sorted by value), e.g. labels for classification.</summary>
    public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null) =>
        new(outputColumnName, inputColumnName ?? outputColumnName);

    /// <summary>Maps keys back to their original values (as text).</summary>
    public KeyToValueMappingEstimator MapKeyToValue(string outputColumnName, string? inputColumnName = null) =>
        new(outputColumnName, inputColumnName ?? outputColumnName);

    /// <summary>Joins numeric columns into one float vector column, in the order given.</summary>
    public ColumnConcatenatingEstimator Concatenate(string outputColumnName, params string[] inputColumnNames) =>
        new(outputColumnName, inputColumnNames);
}
