using System.Globalization;
using System.Text;
using TorchZoo.Extensions.Reporting;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Extensions.Auto;

/// <summary>The leaderboard of an experiment as a console table and as an HTML report with every learning curve.</summary>
public static class LeaderboardReport
{
    private static readonly string[] Header = { "#", "trial", "optimizer", "hyperparameters", "rung", "metric", "epochs", "duration", "status" };

    /// <summary>The leaderboard rows as strings (rank, trial, optimizer, hyperparameters, rung, metric, epochs used/budget, duration, status).</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Rows(ExperimentResult result, int? top = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        int rank = 0;
        return result.Leaderboard.Take(top ?? int.MaxValue).Select(t => (IReadOnlyList<string>)new[]
        {
            t.Succeeded ? (++rank).ToString(CultureInfo.InvariantCulture) : "-",
            t.TrialId.ToString(CultureInfo.InvariantCulture),
            t.Optimizer,
            t.DescribeHyperparameters(),
            t.Rung.ToString(CultureInfo.InvariantCulture),
            double.IsFinite(t.Metric) ? t.Metric.ToString("G5", CultureInfo.InvariantCulture) : "-",
            $"{t.EpochsUsed}/{t.EpochBudget}",
            t.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s",
            t.Status.ToString(),
        }).ToList();
    }

    /// <summary>A fixed-width table of the leaderboard (best first) with a summary line, for consoles and logs.</summary>
    public static string ToConsoleTable(this ExperimentResult result, int? top = null)
    {
        var rows = Rows(result, top);
        var widths = Header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(Summary(result));
        void Line(IReadOnlyList<string> cells) =>
            sb.AppendLine(string.Join("  ", cells.Select((c, i) => i is 2 or 3 or 8 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(Header);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows) Line(row);
        return sb.ToString();
    }

    /// <summary>One sentence: the metric, the winner, how the run ended and what it spent.</summary>
    public static string Summary(ExperimentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string winner = result.BestTrial is { } b
            ? string.Create(CultureInfo.InvariantCulture, $"best {b.Optimizer} (trial {b.TrialId}, {result.MetricName} {b.Metric:G5})")
            : "no trial succeeded";
        string skipped = result.SkippedCandidates.Count == 0 ? "" : $"; not in the registry: {string.Join(", ", result.SkippedCandidates)}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{winner}; {result.Trials.Count} trials, {result.TotalEpochs} epochs in {result.Elapsed.TotalSeconds:F1} s; ended by {result.StopReason}; " +
            $"{result.MetricName} {(result.Maximize ? "maximized" : "minimized")}{(result.Fair ? ", equal budget per optimizer family" : "")}{skipped}.");
    }

    /// <summary>An HTML page: summary, best per family, the leaderboard, and the learning curves of every trial (one chart per family).</summary>
    public static HtmlReport ToHtmlReport(this ExperimentResult result, string title = "Optimizer selection")
    {
        ArgumentNullException.ThrowIfNull(result);
        var report = new HtmlReport(title).Paragraph(Summary(result));
        report.Heading("Best per optimizer family").Table(Header, result.BestPerFamily.Select(t => Rows(result).First(r => r[1] == t.TrialId.ToString(CultureInfo.InvariantCulture))));
        report.Heading("Leaderboard").Table(Header, Rows(result));
        var failures = result.Trials.Where(t => !t.Succeeded && t.Message.Length > 0).ToList();
        if (failures.Count > 0)
            report.Heading("Trials that did not finish").Table(new[] { "trial", "optimizer", "status", "message" },
                failures.Select(t => (IReadOnlyList<string>)new[] { t.TrialId.ToString(CultureInfo.InvariantCulture), t.Optimizer, t.Status.ToString(), t.Message }));

        report.Heading("Learning curves");
        if (result.BestPerFamily.Count > 0)
            report.Chart(CurveChart($"Best trial of each family: {CurveMetric(result.BestPerFamily)}", result.BestPerFamily, t => t.Optimizer));
        foreach (var family in result.Trials.GroupBy(t => t.Optimizer))
        {
            var trials = family.Where(t => t.Curve.Count > 0).ToList();
            if (trials.Count > 0)
                report.Chart(CurveChart($"{family.Key}: {CurveMetric(trials)} of every trial", trials, t => $"#{t.TrialId} {t.Status}"));
        }
        return report;
    }

    /// <summary>Writes <see cref="ToHtmlReport"/> to <paramref name="path"/> (atomically).</summary>
    public static void SaveHtmlReport(this ExperimentResult result, string path, string title = "Optimizer selection") => result.ToHtmlReport(title).Save(path);

    private static string CurveMetric(IEnumerable<TrialResult> trials) =>
        trials.Any(t => t.Curve.Any(e => e.Metrics.ContainsKey("val_loss"))) ? "val_loss" : "train_loss";

    private static double Value(EvaluationRecord e, string name) => name == "val_loss" ? e.Metrics.GetValueOrDefault("val_loss", double.NaN) : e.TrainLoss;

    private static string CurveChart(string title, IReadOnlyList<TrialResult> trials, Func<TrialResult, string> label)
    {
        string metric = CurveMetric(trials);
        var series = trials.Select(t => new Series(label(t), t.Curve.Select(e => (double)e.Epoch).ToList(), t.Curve.Select(e => Value(e, metric)).ToList())).ToList();
        bool positive = series.SelectMany(s => s.Y).Where(double.IsFinite).All(v => v > 0);
        return SvgChart.Lines(title, "epoch", metric, series, logY: positive);
    }
}
