// OptimizerSelection: ml.Auto() picks the optimizer (and its learning rate, weight decay, betas) for an MLP on a
// Fashion-MNIST subset, on an epoch budget shared equally by the optimizer families (with a wall-time cap), using
// successive halving.
// Prints the leaderboard, the best trial of each family and the test accuracy; writes an HTML report.
using System.Globalization;
using Spectre.Console;
using TorchZoo.Extensions;
using TorchZoo.Extensions.Auto;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;

string folder = "/usr/share/datasets/fashion-mnist", report = "optimizer-selection.html", model = "optimizer-selection.zip";
int seconds = 180, familyEpochs = 12, samples = 36000, epochs = 4, threads = Math.Min(Environment.ProcessorCount, 2), seed = 1;
string tuner = "halving";
string[]? optimizers = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data": folder = args[++i]; break;
        case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--family-epochs": familyEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--samples": samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--tuner": tuner = args[++i]; break;
        case "--optimizers": optimizers = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
        case "--report": report = args[++i]; break;
        case "--model": model = args[++i]; break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --data DIR --seconds N --family-epochs N --samples N --epochs N --threads N --seed N " +
                                    "--tuner halving|random|grid --optimizers a,b,c --report FILE.html --model FILE.zip");
            return 2;
    }
}

if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 180;
string[] classes = { "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot" };
var ml = new ZooContext(seed);
IDataView all = IdxFile.LoadImagesAndLabels(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), classes, samples);
IDataView test = IdxFile.LoadImagesAndLabels(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), classes, 2000);
var split = ml.Data.TrainTestSplit(all, 0.2, seed: seed);
AnsiConsole.MarkupLine($"[bold]Optimizer selection[/] on {split.TrainSet.RowCount} Fashion-MNIST images (validation {split.TestSet.RowCount}, test {test.RowCount}), " +
                       $"{familyEpochs} epochs per optimizer family (at most {seconds} s), {tuner}, {threads} threads");

var experiment = ml.Auto().CreateOptimizerExperiment()
    .SetTrainer(new MulticlassTrainerOptions { MaxEpochs = epochs, BatchSize = 64, Threads = threads }, new MlpSpec(new MlpOptions { HiddenSizes = new[] { 128 } }))
    .SetDataset(split.TrainSet, split.TestSet)
    .SetMetric("MicroAccuracy")
    // Equal epochs per family is the fair budget (wall time favours cheap optimizers and the machine's mood);
    // the wall time is a safety cap, shared equally too.
    .SetMaxTotalEpochs(familyEpochs * (optimizers ?? OptimizerCandidate.CuratedNames.Where(OptimizerRegistry.Contains).ToArray()).Length)
    .SetTrainingTime(TimeSpan.FromSeconds(seconds))
    .SetTuner(tuner switch
    {
        "halving" => Tuners.SuccessiveHalving(minEpochs: 1, eta: 2),
        "random" => Tuners.Random(),
        "grid" => Tuners.Grid(points: 3),
        _ => throw new ArgumentException($"Unknown tuner '{tuner}'; use halving, random or grid."),
    })
    .SetProgress(new TrialPrinter());
if (optimizers is not null) experiment.SetCandidates(optimizers);

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
    AnsiConsole.MarkupLine("[yellow]cancelling: the current trial stops, the best so far is kept[/]");
};
using ExperimentResult result = await experiment.RunAsync(cancel.Token);

AnsiConsole.WriteLine();
AnsiConsole.MarkupLine(Markup.Escape(LeaderboardReport.Summary(result)));
Table Board(string title, IEnumerable<IReadOnlyList<string>> rows)
{
    var table = new Table().Title(title).Border(TableBorder.Rounded);
    foreach (string h in new[] { "#", "trial", "optimizer", "hyperparameters", "rung", "accuracy", "epochs", "duration", "status" }) table.AddColumn(h);
    foreach (var row in rows) table.AddRow(row.Select(Markup.Escape).ToArray());
    return table;
}
var rows = LeaderboardReport.Rows(result);
AnsiConsole.Write(Board("Leaderboard (top 15)", rows.Take(15)));
AnsiConsole.Write(Board("Best of each optimizer family", result.BestPerFamily.Select(t => rows.First(r => r[1] == t.TrialId.ToString(CultureInfo.InvariantCulture)))));

if (result.BestTrial is null)
{
    AnsiConsole.MarkupLine("[red]No trial succeeded.[/]");
    return 1;
}
var metrics = ml.MulticlassClassification.Evaluate(result.BestModel.Transform(test));
AnsiConsole.MarkupLine($"Best: [green]{result.BestTrial.Optimizer}[/] {Markup.Escape(result.BestTrial.DescribeHyperparameters())}; " +
                       $"test accuracy {metrics.MicroAccuracy:P1} (validation {result.BestTrial.Metric:P1})");
ml.Model.Save(result.BestModel, test.Schema, model);
result.SaveHtmlReport(report, "Optimizer selection on Fashion-MNIST");
AnsiConsole.MarkupLine($"Model saved to {Markup.Escape(model)}; report written to {Markup.Escape(Path.GetFullPath(report))}");
return 0;

/// <summary>Prints each trial as it ends.</summary>
internal sealed class TrialPrinter : IProgress<TrialResult>
{
    public void Report(TrialResult t)
    {
        string color = t.Succeeded ? "green" : t.Status == TrialStatus.Cancelled ? "yellow" : "red";
        string metric = double.IsFinite(t.Metric) ? t.Metric.ToString("P1", CultureInfo.InvariantCulture) : "-";
        AnsiConsole.MarkupLine($"trial {t.TrialId,3} [bold]{t.Optimizer,-18}[/] rung {t.Rung} {t.EpochsUsed}/{t.EpochBudget} epochs " +
                               $"{Markup.Escape(t.DescribeHyperparameters()),-60} accuracy {metric,6} {t.Duration.TotalSeconds,5:F1} s [{color}]{t.Status}[/]");
    }
}
