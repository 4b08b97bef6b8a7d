// FashionMnist: a Vision Transformer classifier on the real Fashion-MNIST images (Debian's dataset-fashion-mnist),
// through the same catalog as every other TorchZoo trainer. Prints accuracy and the confusion matrix.
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TorchZoo.Extensions;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Torch;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;
using TorchZoo.Trainers.Schedules;
using TorchZoo.Trainers.Training;

string folder = "/usr/share/datasets/fashion-mnist";
int epochs = 8, threads = Math.Min(Environment.ProcessorCount, 2), samples = 60_000, seed = 1;
string optimizer = "adamw";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data": folder = args[++i]; break;
        case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--samples": samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--optimizer": optimizer = args[++i]; break;
        case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --data DIR --epochs N --threads N --samples N --optimizer NAME --seed N");
            return 2;
    }
}

string[] classes = { "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot" };
var clock = Stopwatch.StartNew();
var ml = new ZooContext(seed);
IDataView train = IdxFile.LoadImagesAndLabels(Path.Combine(folder, "train-images-idx3-ubyte.gz"), Path.Combine(folder, "train-labels-idx1-ubyte.gz"), classes, samples);
IDataView test = IdxFile.LoadImagesAndLabels(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), classes);
AnsiConsole.MarkupLine($"[bold]Fashion-MNIST[/]: {train.RowCount:N0} training and {test.RowCount:N0} test images, {threads} threads, optimizer {optimizer}");

var trainer = ml.MulticlassClassification.Trainers.VisionTransformer(new VisionTransformerTrainer.ClassificationOptions
{
    Model = VisionTransformerOptions.Micro with { PatchSize = 4, Width = 96, Depth = 4, Heads = 4 },
    Optimizer = optimizer == "adamw" ? new AdamWOptions { LearningRate = 2e-3, WeightDecay = 0.05 } : OptimizerRegistry.Create(optimizer),
    Schedule = Schedules.WarmupCosine(0.05),
    MaxEpochs = epochs,
    BatchSize = 128,
    LabelSmoothing = 0.1,
    Seed = seed,
    Threads = threads,
    MetricsCallback = e => AnsiConsole.MarkupLineInterpolated($"epoch {e.Epoch}: train loss {e.TrainLoss:F4} ({clock.Elapsed.TotalMinutes:F1} min)"),
});
var model = trainer.Fit(train);
var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test), topKPredictionCount: 2);
AnsiConsole.MarkupLine($"test accuracy [bold]{metrics.MicroAccuracy:P2}[/] (macro {metrics.MacroAccuracy:P2}, top-2 {metrics.TopKAccuracy:P2}), log-loss {metrics.LogLoss:F4}; {clock.Elapsed.TotalMinutes:F1} min in all");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
model.Dispose();
return 0;
