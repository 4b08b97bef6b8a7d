using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Evaluation;
using TorchZoo.Extensions.Model;
using TorchZoo.Extensions.Transforms;

namespace TorchZoo.Extensions;

/// <summary>A message from a TorchZoo component (trainer progress, warnings).</summary>
public sealed class LoggingEventArgs(string source, string message) : EventArgs
{
    public string Source { get; } = source;
    public string Message { get; } = message;
    public override string ToString() => $"[{Source}] {Message}";
}

/// <summary>
/// The entry point, as ML.NET's MLContext: catalogs of data operations, transforms, trainers and evaluators by
/// task, and model operations. One seed makes every random choice (splits, shuffles, initialization, training)
/// repeatable.
/// </summary>
public sealed class ZooContext
{
    private readonly Random seeds;

    public ZooContext(int? seed = null)
    {
        Seed = seed;
        seeds = seed is { } s ? new Random(s) : new Random();
        Data = new DataOperationsCatalog(this);
        Transforms = new TransformsCatalog(this);
        Regression = new RegressionCatalog(this);
        MulticlassClassification = new MulticlassClassificationCatalog(this);
        BinaryClassification = new BinaryClassificationCatalog(this);
        Model = new ModelOperationsCatalog();
    }

    /// <summary>The seed given at construction (null: nondeterministic).</summary>
    public int? Seed { get; }

    public DataOperationsCatalog Data { get; }
    public TransformsCatalog Transforms { get; }
    public RegressionCatalog Regression { get; }
    public MulticlassClassificationCatalog MulticlassClassification { get; }
    public BinaryClassificationCatalog BinaryClassification { get; }
    public ModelOperationsCatalog Model { get; }

    /// <summary>Messages from trainers and transforms.</summary>
    public event EventHandler<LoggingEventArgs>? Log;

    internal void Write(string source, string message) => Log?.Invoke(this, new LoggingEventArgs(source, message));

    /// <summary>The next seed of this context's sequence (deterministic when the context is seeded).</summary>
    public int NextSeed()
    {
        lock (seeds) return seeds.Next();
    }
}
