// Trains a tiny regressor through ZooContext from the installed packages, saves it, reloads it and checks that the
// reloaded model predicts the same; prints one line per stage so the packaging test can tell where it stopped.
using TorchZoo.Extensions;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Evaluation;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;

var ml = new ZooContext(seed: 1);
var random = new Random(1);
var rows = Enumerable.Range(0, 256).Select(_ =>
{
    float a = (float)(random.NextDouble() * 2 - 1), b = (float)(random.NextDouble() * 2 - 1);
    return new Row { Features = new[] { a, b, a * b, a - b }, Label = 3 * a - 2 * b + 0.5f };
}).ToList();
IDataView data = ml.Data.LoadFromEnumerable(rows);

var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
    .Append(ml.Regression.Trainers.TorchModel(
        new TabularTransformerSpec(new TabularTransformerOptions { Width = 16, Depth = 1, Heads = 2 }),
        new RegressionTrainerOptions { Optimizer = new AdamWOptions { LearningRate = 3e-3 }, MaxEpochs = 15, BatchSize = 32, Seed = 1 }));
using var model = pipeline.Fit(data);
RegressionMetrics metrics = ml.Regression.Evaluate(model.Transform(data));
Console.WriteLine($"trained: R^2 {metrics.RSquared:F3}");

string path = Path.Combine(Path.GetTempPath(), $"torchzoo-consumer-{Guid.NewGuid():N}.zip");
try
{
    ml.Model.Save(model, data.Schema, path);
    Console.WriteLine($"saved: {new FileInfo(path).Length} bytes");
    ITransformer loaded = ml.Model.Load(path, out DataViewSchema _);
    float[] before = model.Transform(data).GetScalars<float>("Score");
    float[] after = loaded.Transform(data).GetScalars<float>("Score");
    (loaded as IDisposable)?.Dispose();
    if (!before.SequenceEqual(after)) { Console.WriteLine("reloaded: predictions differ"); return 1; }
    Console.WriteLine($"reloaded: {after.Length} identical predictions");
}
finally
{
    File.Delete(path);
}
return metrics.RSquared > 0.5 ? 0 : 2;

public sealed class Row
{
    [VectorType(4)] public float[] Features { get; set; } = Array.Empty<float>();
    public float Label { get; set; }
}
