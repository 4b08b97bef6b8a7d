using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;

namespace TorchZoo.Extensions.Core;

/// <summary>Learns a transformer from data (ML.NET's IEstimator).</summary>
public interface IEstimator<out TTransformer> where TTransformer : ITransformer
{
    /// <summary>Trains on <paramref name="input"/> and returns the fitted transformer.</summary>
    TTransformer Fit(IDataView input);

    /// <summary>The schema the fitted transformer will produce, checked without data (throws naming the column on a mismatch).</summary>
    SchemaShape GetOutputSchema(SchemaShape inputSchema);
}

/// <summary>
/// A fitted step of a pipeline (ML.NET's ITransformer): maps a data view to a data view (lazily, where it can),
/// and saves itself into a model file. Implement <see cref="ISavableTransformer"/> to be saved by
/// <c>ZooContext.Model.Save</c>.
/// </summary>
public interface ITransformer
{
    IDataView Transform(IDataView input);

    DataViewSchema GetOutputSchema(DataViewSchema inputSchema);
}

/// <summary>A transformer that can be written into a model file and read back by its registered kind.</summary>
public interface ISavableTransformer : ITransformer
{
    /// <summary>The kind name under which its loader is registered in <see cref="TransformerRegistry"/>.</summary>
    string Kind { get; }

    void Save(ModelSaveContext context);
}
