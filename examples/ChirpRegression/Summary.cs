using System.Text.Json;
using TorchZoo.Extensions.Evaluation;
using TorchZoo.Trainers.Training;

namespace ChirpRegression;

/// <summary>
/// chirp-metrics.json next to the model: the run's settings and results in a form scripts and tests read (the console
/// table is for people). Written to a temporary file and renamed, so a reader never sees half a file.
/// </summary>
internal static class Summary
{
    public static void Write(string path, RunOptions run, RegressionMetrics metrics, TrainingHistory history,
        IReadOnlyList<EvaluationRecord> evaluations, string[] targetNames, TimeSpan trainTime)
    {
        var summary = new
        {
            run.Optimizer,
            run.Samples,
            run.Grid,
            run.Patch,
            run.ConvolutionalStem,
            run.Width,
            run.Depth,
            run.Heads,
            run.Epochs,
            run.BatchSize,
            run.Seed,
            run.WorldSize,
            DiLoCoInnerSteps = run.DiLoCoInnerSteps,
            OuterLearningRate = run.DiLoCoInnerSteps is null ? (double?)null : run.EffectiveOuterLearningRate,
            OuterMomentum = run.DiLoCoInnerSteps is null ? (double?)null : run.EffectiveOuterMomentum,
            ThreadsPerProcess = run.Threads,
            history.Steps,
            StopReason = history.StopReason.ToString(),
            TrainMinutes = trainTime.TotalMinutes,
            ValidationLosses = evaluations.Select(e => e.Metrics["val_loss"]).ToArray(),
            Targets = metrics.PerTarget.Select(m => new
            {
                Name = targetNames[m.Index],
                Pearson = m.PearsonCorrelation,
                m.MeanAbsoluteError,
                m.RootMeanSquaredError,
                m.RSquared,
            }).ToArray(),
        };
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temporary, path, overwrite: true);
    }
}
