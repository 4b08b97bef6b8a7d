using TorchZoo.Extensions.Evaluation;
using TorchZoo.Extensions.Reporting;
using TorchZoo.Trainers.Training;

namespace ChirpRegression;

/// <summary>The HTML report next to the model: metrics, learning curves, learning rate, predicted vs true.</summary>
internal static class Report
{
    public static void Write(string path, RunOptions run, RegressionMetrics metrics, TrainingHistory history, IReadOnlyList<EvaluationRecord> evaluations,
        float[] truth, float[] predicted, string[] targetNames, TimeSpan trainTime)
    {
        var report = new HtmlReport("TorchZoo chirp regression")
            .Paragraph($"{run.Samples:N0} spectrograms {run.Grid}×{run.Grid}; ViT patch {run.Patch}{(run.ConvolutionalStem ? " (convolutional stem)" : "")}, width {run.Width}, depth {run.Depth}, {run.Heads} heads; " +
                       $"optimizer {run.Optimizer}; {history.Steps} steps in {trainTime.TotalMinutes:F1} min on {run.Threads} threads. {history.StopMessage}")
            .Table(new[] { "target", "Pearson r", "MAE", "RMSE", "R²" }, metrics.PerTarget.Select(m => (IReadOnlyList<string>)new[]
            {
                targetNames[m.Index], m.PearsonCorrelation.ToString("F4"), m.MeanAbsoluteError.ToString("F3"), m.RootMeanSquaredError.ToString("F3"), m.RSquared.ToString("F4"),
            }));
        var epochs = evaluations.Select(e => (double)e.Epoch).ToList();
        report.Chart(SvgChart.Lines("Loss (standardized targets)", "epoch", "MSE", new[]
        {
            new Series("training", epochs, evaluations.Select(e => e.TrainLoss).ToList()),
            new Series("validation", epochs, evaluations.Select(e => e.Metrics["val_loss"]).ToList()),
        }, logY: true));
        report.Chart(SvgChart.Lines("Learning rate", "step", "lr", new[]
        {
            new Series("lr", Enumerable.Range(1, history.LearningRates.Count).Select(i => (double)i).ToList(), history.LearningRates),
        }));
        int n = truth.Length / 3, stride = Math.Max(1, n / 1500);
        for (int t = 0; t < 3; t++)
        {
            var rows = Enumerable.Range(0, n).Where(i => i % stride == 0).ToList();
            report.Chart(SvgChart.Scatter($"{targetNames[t]}: predicted vs true", "true", "predicted", new[]
            {
                new Series($"r = {metrics.PerTarget[t].PearsonCorrelation:F4}", rows.Select(i => (double)truth[i * 3 + t]).ToList(), rows.Select(i => (double)predicted[i * 3 + t]).ToList()),
            }));
        }
        report.Save(path);
    }
}
