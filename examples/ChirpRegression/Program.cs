// ChirpRegression: the main job. A Vision Transformer learns a chirp's onset time, onset frequency and offset
// frequency from its spectrogram, through TorchZoo's ML.NET-style pipeline.
using System.Diagnostics;
using ChirpRegression;
using Spectre.Console;
using TorchZoo.Extensions;
using TorchZoo.Extensions.Auto;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Evaluation;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Torch;
using TorchZoo.Torch.Distributed;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Schedules;
using TorchZoo.Trainers.Training;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(RunOptions.Help);
    return 0;
}

RunOptions run;
try
{
    run = RunOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// --world-size N without a launcher: start this same program as N ranks on this machine and wait for them.
if (run.WorldSize > 1 && !ProcessGroup.IsLaunchedDistributed)
{
    string self = Environment.ProcessPath!;
    var rankArguments = new List<string>();
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") rankArguments.Add(typeof(RunOptions).Assembly.Location);
    rankArguments.AddRange(args);
    return LocalLaunch.Run(run.WorldSize, self, rankArguments);
}
using ProcessGroup? group = ProcessGroup.IsLaunchedDistributed ? ProcessGroup.InitFromEnvironment() : null;
bool leader = group is null || group.Rank == 0;
if (group is not null)
{
    // The ranks share the machine's cores unless told otherwise; only rank 0 talks, saves and reports.
    if (!run.ThreadsGiven) run = run with { Threads = Math.Max(1, run.Threads / group.WorldSize) };
    if (!leader) AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(TextWriter.Null) });
}

string[] targetNames = { "onset time (s)", "onset freq (Hz)", "offset freq (Hz)" };
Directory.CreateDirectory(run.Output);
var clock = Stopwatch.StartNew();
AnsiConsole.MarkupLine($"[bold]TorchZoo chirp regression[/] on libtorch {TorchRuntime.Version}, {run.Threads} threads" +
                       (group is null ? "" : $" per rank, {group.WorldSize} data-parallel ranks") + (run.DiLoCoInnerSteps is { } h ? $", DiLoCo every {h} steps (outer lr {run.EffectiveOuterLearningRate:G3}, momentum {run.EffectiveOuterMomentum:G3})" : ""));
AnsiConsole.MarkupLine($"{run.Samples:N0} spectrograms of {run.Grid}×{run.Grid}, ViT patch {run.Patch}{(run.ConvolutionalStem ? " (convolutional stem)" : "")}, width {run.Width}, depth {run.Depth}, {run.Heads} heads, optimizer [bold]{run.Optimizer}[/]");

var ml = new ZooContext(run.Seed);
ml.Log += (_, e) => { if (!e.Message.StartsWith("epoch")) AnsiConsole.MarkupLineInterpolated($"[grey]{e.Message}[/]"); };
IDataView data;
if (run.Stft)
{
    // A real STFT of the waveform: nFft gives grid frequency bins, the hop about grid frames, then an exact resize.
    IDataView waves = ChirpWaveforms.Generate(run.Samples, run.Seed);
    int nFft = 2 * (run.Grid - 1);
    var spectrogram = ml.Transforms.Spectrogram("Spectrogram", "Signal", nFft: nFft, hopLength: Math.Max(1, ChirpWaveforms.Length / run.Grid),
        logScale: true, targetHeight: run.Grid, targetWidth: run.Grid);
    data = spectrogram.Fit(waves).Transform(waves);
}
else
{
    data = ChirpSpectrograms.ToDataView(ChirpSpectrograms.Generate(run.Samples, run.Seed, run.Grid, run.Grid).ToList(), run.Grid, run.Grid);
}
var split = ml.Data.TrainTestSplit(data, testFraction: 0.2);
AnsiConsole.MarkupLine($"data generated in {clock.Elapsed.TotalSeconds:F1} s: {split.TrainSet.RowCount:N0} for training, {split.TestSet.RowCount:N0} for test");

var evaluations = new List<EvaluationRecord>();
VisionTransformerTrainer.RegressionOptions options = new()
{
    FeatureColumnName = "Spectrogram",
    LabelColumnName = "Targets",
    Model = run.Model(),
    Optimizer = run.OptimizerOptions(),
    Schedule = Schedules.WarmupCosine(warmupFraction: 0.05),
    EarlyStopping = new EarlyStoppingOptions { Patience = run.Patience, RestoreBestWeights = true },
    ValidationFraction = 0.1,
    MaxEpochs = run.Epochs,
    BatchSize = run.BatchSize,
    Seed = run.Seed,
    Threads = run.Threads,
    ProcessGroup = group,
    MetricsCallback = e =>
    {
        evaluations.Add(e);
        AnsiConsole.MarkupLineInterpolated($"epoch {e.Epoch}: train loss {e.TrainLoss:F4}, validation loss {e.Metrics["val_loss"]:F4}, lr {e.LearningRate:G3}");
    },
};

if (run.Auto)
{
    // Fair selection: every optimizer family gets the same number of epochs; successive halving spends them on the
    // most promising learning rates. The winner's options then train the final model below.
    string[] families = { "adamw", "reg", "muon", "lion" };
    var experiment = ml.Auto().CreateOptimizerExperiment()
        .SetTrainer(options with { MetricsCallback = null, EarlyStopping = null }, new VisionTransformerSpec(options.Model))
        .SetDataset(split.TrainSet, validationFraction: 0.1)
        .SetMetric("PearsonMean")
        .SetCandidates(families)
        .SetMaxTotalEpochs(run.AutoEpochsPerFamily * families.Length)
        .SetTuner(Tuners.SuccessiveHalving(minEpochs: 1, eta: 2))
        .SetSeed(run.Seed)
        .SetProgress(new TrialLog());
    ExperimentResult selection = experiment.Run();
    Console.WriteLine(selection.ToConsoleTable(top: 10));
    selection.SaveHtmlReport(Path.Combine(run.Output, "optimizer-selection.html"), "Chirp regression: optimizer selection");
    options = options with { Optimizer = selection.BestTrial!.Options };
    AnsiConsole.MarkupLineInterpolated($"selected {selection.BestTrial.Optimizer} ({selection.BestTrial.Options.LearningRate:G3} lr); training it for {run.Epochs} epochs");
}

RegressionTrainer trainer = null!;
RegressionPredictionTransformer model = null!;
var fitClock = Stopwatch.StartNew();
AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
    .Start(ctx =>
    {
        var task = ctx.AddTask("training", maxValue: 1);
        trainer = ml.Regression.Trainers.VisionTransformer(options with
        {
            Progress = new Progress(p =>
            {
                task.Value = p.Fraction;
                task.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:F3}  {p.SamplesPerSecond:F0} samples/s";
            }),
        });
        model = trainer.Fit(split.TrainSet);
        task.Value = 1;
    });
TimeSpan trainTime = fitClock.Elapsed;
TrainingHistory history = trainer.LastHistory!;
if (!leader)
{
    model.Dispose();
    return 0;
}
AnsiConsole.MarkupLineInterpolated($"{history.StopMessage} Training took {trainTime.TotalMinutes:F1} min.");

IDataView scored = model.Transform(split.TestSet);
RegressionMetrics metrics = ml.Regression.Evaluate(scored, labelColumnName: "Targets");
var table = new Table().Title("Held-out test set").AddColumns("target", "Pearson r", "MAE", "RMSE", "R²");
for (int t = 0; t < 3; t++)
{
    var m = metrics.PerTarget[t];
    table.AddRow(targetNames[t], $"{m.PearsonCorrelation:F4}", $"{m.MeanAbsoluteError:F3}", $"{m.RootMeanSquaredError:F3}", $"{m.RSquared:F4}");
}
AnsiConsole.Write(table);

string modelPath = Path.Combine(run.Output, "chirp.zip");
ml.Model.Save(model, split.TrainSet.Schema, modelPath);
float[] before = scored.GetVectors("Score").Values;
ITransformer reloaded = ml.Model.Load(modelPath, out _);
float[] after = reloaded.Transform(split.TestSet).GetVectors("Score").Values;
bool identical = before.AsSpan().SequenceEqual(after);
(reloaded as IDisposable)?.Dispose();
AnsiConsole.MarkupLine(identical
    ? $"model saved to {modelPath} and reloaded: predictions identical"
    : $"[red]model saved to {modelPath} but the reloaded model predicts differently[/]");

string reportPath = Path.Combine(run.Output, "chirp-report.html");
Report.Write(reportPath, run, metrics, history, evaluations, split.TestSet.GetVectors("Targets").Values, before, targetNames, trainTime);
string summaryPath = Path.Combine(run.Output, "chirp-metrics.json");
Summary.Write(summaryPath, run, metrics, history, evaluations, targetNames, trainTime);
AnsiConsole.MarkupLine($"report written to {reportPath}, metrics to {summaryPath}; total time {clock.Elapsed.TotalMinutes:F1} min");
model.Dispose();
return identical ? 0 : 1;

/// <summary>One line per finished selection trial.</summary>
sealed class TrialLog : IProgress<TrialResult>
{
    public void Report(TrialResult t) =>
        AnsiConsole.MarkupLineInterpolated($"trial {t.Optimizer} lr {t.Options.LearningRate:G3}: {t.Status}, PearsonMean {t.Metric:F4} after {t.EpochsUsed} epochs");
}

/// <summary>Progress reports applied synchronously (System.Progress would post them to another thread).</summary>
sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
