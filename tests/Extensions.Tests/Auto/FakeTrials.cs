using TorchZoo.Extensions.Auto;
using TorchZoo.Extensions.Core;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Extensions.Tests.Auto;

/// <summary>A clock that only moves when told to.</summary>
public sealed class ManualClock : TimeProvider
{
    public TimeSpan Now { get; private set; }

    public void Advance(TimeSpan by) => Now += by;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Now.Ticks;
}

/// <summary>
/// A trial runner with known curves and no training: the metric (minimized) of a configuration after e epochs is
/// |log10(lr) − log10(3e-3)| + 1/e, reached along a curve that falls as 1/epoch. Every epoch moves the clock.
/// </summary>
public sealed class FakeRunner(ManualClock? clock = null, TimeSpan? perEpoch = null) : ITrialRunner
{
    public List<TrialContext> Seen { get; } = new();

    /// <summary>Called before each epoch with (trial id, epoch); tests cancel from here.</summary>
    public Action<int, int>? BeforeEpoch { get; init; }

    /// <summary>Trials whose optimizer name is in here diverge at their first epoch.</summary>
    public HashSet<string> Diverging { get; init; } = new();

    public static double Quality(double lr) => Math.Abs(Math.Log10(lr) - Math.Log10(3e-3));

    public static double MetricAfter(double lr, int epochs) => Quality(lr) + 1.0 / epochs;

    public TrialOutcome Run(TrialContext context)
    {
        Seen.Add(context);
        double lr = context.Optimizer.LearningRate;
        int done = 0;
        for (int epoch = 1; epoch <= context.Epochs; epoch++)
        {
            BeforeEpoch?.Invoke(context.TrialId, epoch);
            if (context.CancellationToken.IsCancellationRequested) break;
            if (Diverging.Contains(context.Optimizer.Name))
                return TrialOutcome.Failed(TrialStatus.Diverged, epoch, "The loss was NaN.");
            if (clock is not null) clock.Advance(perEpoch ?? TimeSpan.FromSeconds(1));
            done = epoch;
            context.ReportEvaluation(new EvaluationRecord(epoch, epoch * 10, MetricAfter(lr, epoch) + 1,
                new Dictionary<string, double> { ["val_loss"] = MetricAfter(lr, epoch) }, lr));
        }
        if (done == 0) return TrialOutcome.Failed(TrialStatus.Cancelled, 0, "Cancelled before the first epoch.");
        var status = done < context.Epochs ? TrialStatus.Cancelled : TrialStatus.Completed;
        return new TrialOutcome(status, MetricAfter(lr, done), done, new FakeModel(context.TrialId));
    }
}

/// <summary>A stand-in fitted model that remembers its trial and whether it was disposed.</summary>
public sealed class FakeModel(int trial) : ITransformer, IDisposable
{
    public int Trial { get; } = trial;

    public bool Disposed { get; private set; }

    public IDataView Transform(IDataView input) => input;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public void Dispose() => Disposed = true;
}

/// <summary>Reports synchronously (unlike Progress&lt;T&gt;, which posts).</summary>
public sealed class Collect<T>(Action<T>? then = null) : IProgress<T>
{
    public List<T> Items { get; } = new();

    public void Report(T value)
    {
        Items.Add(value);
        then?.Invoke(value);
    }
}

public static class FakeExperiment
{
    private static readonly IDataView Empty = new ZooContext(0).Data.LoadFromEnumerable(Example.Make(4, 0));

    /// <summary>An experiment over two fake families whose lr ranges differ, with the fake runner.</summary>
    public static OptimizerExperiment Create(FakeRunner runner, int seed = 1) =>
        new ZooContext(seed).Auto().CreateOptimizerExperiment()
            .SetTrialRunner(runner)
            .SetDataset(Empty, Empty)
            .SetMetric("fake", _ => throw new InvalidOperationException("the fake runner computes the metric"), maximize: false)
            .SetCandidates(
                new OptimizerCandidate(new TorchZoo.Trainers.Optimizers.AdamWOptions(), new SearchSpace(new Dimension[] { new LogUniform("LearningRate", 1e-4, 1e-1) })),
                new OptimizerCandidate(new TorchZoo.Trainers.Optimizers.SgdOptions(), new SearchSpace(new Dimension[] { new LogUniform("LearningRate", 1e-6, 1e-5) })))
            .SetEpochsPerTrial(3)
            .SetSeed(seed);
}
