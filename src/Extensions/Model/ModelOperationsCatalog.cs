using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Model;

/// <summary>Saving, loading and prediction engines (ML.NET's <c>mlContext.Model</c>).</summary>
public sealed class ModelOperationsCatalog
{
    internal ModelOperationsCatalog() { }

    /// <summary>Saves a fitted pipeline and the schema of the data it was trained on, atomically.</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        if (model is not ISavableTransformer savable)
            throw new ArgumentException($"{model.GetType().Name} cannot be saved: it does not implement ISavableTransformer.", nameof(model));
        ModelFile.Save(savable, inputSchema, path);
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; a corrupted, truncated or foreign file fails with one clear sentence.</summary>
    public ITransformer Load(string path, out DataViewSchema inputSchema) => ModelFile.Load(path, out inputSchema);

    /// <summary>A single-row prediction engine (not thread-safe: create one per thread).</summary>
    public PredictionEngine<TSource, TPrediction> CreatePredictionEngine<TSource, TPrediction>(ITransformer model)
        where TSource : class where TPrediction : class, new() => new(model);
}
