using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Model;

/// <summary>
/// Predicts one example at a time (ML.NET's PredictionEngine). Not thread-safe: create one engine per thread
/// (engines over the same model may run concurrently; the model's weights are only read).
/// </summary>
public sealed class PredictionEngine<TSource, TPrediction> where TSource : class where TPrediction : class, new()
{
    private readonly ITransformer model;

    internal PredictionEngine(ITransformer model) => this.model = model ?? throw new ArgumentNullException(nameof(model));

    public TPrediction Predict(TSource example)
    {
        ArgumentNullException.ThrowIfNull(example);
        IDataView one = EnumerableConversion.ToDataView(new[] { example });
        return EnumerableConversion.ToEnumerable<TPrediction>(model.Transform(one)).Single();
    }

    /// <summary>Predicts many examples in one batch (faster than calling Predict in a loop).</summary>
    public IReadOnlyList<TPrediction> PredictBatch(IEnumerable<TSource> examples) =>
        EnumerableConversion.ToEnumerable<TPrediction>(model.Transform(EnumerableConversion.ToDataView(examples))).ToList();
}
