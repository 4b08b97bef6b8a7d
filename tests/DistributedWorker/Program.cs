// The rank process of the distributed tests. Usage: DistributedWorker <mode> [arguments]; the rank and world come from
// RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT (no WORLD_SIZE: a single process without a group). Results are printed as
// "RESULT <name> <values>" lines; a failure prints "ERROR <message>" and exits with 2.
using System.Diagnostics;
using System.Globalization;
using TorchZoo.Extensions;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Torch;
using TorchZoo.Torch.Distributed;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;
using TorchZoo.Trainers.Training;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
TorchRuntime.NumThreads = 1;
var clock = Stopwatch.StartNew();
string mode = args.Length > 0 ? args[0] : "";
var timeout = TimeSpan.FromMilliseconds(int.Parse(Environment.GetEnvironmentVariable("TZ_TIMEOUT_MS") ?? "10000", CultureInfo.InvariantCulture));
ProcessGroup? group = null;
try
{
    if (ProcessGroup.IsLaunchedDistributed) group = ProcessGroup.InitFromEnvironment(timeout);
    switch (mode)
    {
        case "collectives": Collectives(group!); break;
        case "die": Die(group!); break;
        case "train": Train(group, args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3]); break;
        case "bench": Bench(group, int.Parse(args[1], CultureInfo.InvariantCulture), args.ElementAtOrDefault(2) ?? "mlp", args.ElementAtOrDefault(3) ?? "dp"); break;
        case "train-batchnorm": TrainBatchNorm(group, args[1]); break;
        case "pipeline": Pipeline(group, args[1], args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 4); break;
        default: throw new ArgumentException($"Unknown mode '{mode}'.");
    }
    Console.WriteLine($"RESULT seconds {clock.Elapsed.TotalSeconds:R}");
    return 0;
}
catch (Exception e) when (e is TorchException or InvalidOperationException or ArgumentException)
{
    Console.WriteLine($"ERROR {e.Message.ReplaceLineEndings(" ")}");
    Console.WriteLine($"RESULT seconds {clock.Elapsed.TotalSeconds:R}");
    return 2;
}
finally
{
    // Leaving the group must also be prompt after a peer died (the tests bound the whole process).
    group?.Dispose();
}

static void Print(string name, Tensor t) =>
    Console.WriteLine($"RESULT {name} {string.Join(' ', t.To(ScalarType.Float64).ToArray<double>().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");

static void Collectives(ProcessGroup g)
{
    int r = g.Rank;
    using var sum = Tensor.FromArray(new[] { 1.0 + r, 2.0 + 10 * r, -3.5, 0.25 * r });
    g.AllReduce(sum, ReduceOp.Sum);
    Print("sum", sum);
    using var average = Tensor.FromArray(new[] { 1.0f + r, 2.0f + 10 * r, -3.5f, 0.25f * r });
    g.AllReduce(average, ReduceOp.Average);
    Print("average", average);
    using var max = Tensor.FromArray(new[] { (long)r, 7 - r });
    g.AllReduce(max, ReduceOp.Max);
    Print("max", max);
    using var broadcast = Tensor.FromArray(new[] { 100.0 * r + 1, 100.0 * r + 2, 100.0 * r + 3 }, 3, 1);
    g.Broadcast(broadcast, root: g.WorldSize - 1);
    Print("broadcast", broadcast);
    Tensor[] gathered = g.AllGather(Tensor.FromArray(new[] { (float)r, r + 0.5f }));
    Print("gather", Tensor.Cat(gathered));
    g.Barrier();
    Print("barrier", Tensor.FromArray(new[] { 1.0 }));
}

// Rank 1 leaves right after joining; rank 0's next collective must fail within the timeout instead of hanging.
static void Die(ProcessGroup g)
{
    if (g.Rank != 0) Environment.Exit(3);
    Thread.Sleep(300);
    using var t = Tensor.Ones(1000);
    for (int i = 0; i < 100; i++) g.AllReduce(t, ReduceOp.Sum);
    throw new InvalidOperationException("all-reduce with a dead peer succeeded");
}

static void Train(ProcessGroup? g, string optimizer, int steps, string output)
{
    int rank = g?.Rank ?? 0;
    // Rank 1 starts from different weights: the loop must broadcast rank 0's.
    using var init = new Generator(7 + (ulong)rank);
    var model = new Sequential(new Linear(8, 16, generator: init), new Gelu(), new Linear(16, 16, generator: init), new Gelu(), new Linear(16, 1, generator: init));
    using var data = new Generator(123);
    Tensor x = Tensor.Randn(new long[] { 64, 8 }, data);
    Tensor y = x.Narrow(1, 0, 4).Sum(new long[] { 1 }, keepDim: true).Sin().Add(x.Narrow(1, 4, 4).Mul(0.3).Sum(new long[] { 1 }, keepDim: true));
    using var train = new TensorDataset(x, y);
    var check = new RankAgreement(g);
    var loop = new TrainingLoop
    {
        Model = model,
        Loss = (p, t) => Functional.MseLoss(p, t),
        Optimizer = OptimizerFor(optimizer),
        Options = new TrainingOptions { Epochs = steps / 4, BatchSize = 16, Seed = 5, ProcessGroup = g, Threads = 1 },
        Callbacks = new ITrainingCallback[] { check },
    };
    var history = loop.Fit(train);
    Console.WriteLine($"RESULT steps {history.StepLosses.Count}");
    Console.WriteLine($"RESULT losses {string.Join(' ', history.StepLosses.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
    Console.WriteLine($"RESULT rank_max_difference {check.MaxDifference.ToString("R", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"RESULT rank_checks {check.Checks}");
    SafeTensors.Save(output, model.StateDict());
}

// A ViT with a convolutional stem (BatchNorm running statistics: buffers each rank updates from its own shard) trained
// with a validation set and early stopping; prints the validation losses and saves the state (weights and buffers).
static void TrainBatchNorm(ProcessGroup? g, string output)
{
    int rank = g?.Rank ?? 0;
    using var init = new Generator(3);
    using var model = new VisionTransformer(new VisionTransformerOptions
    {
        ImageHeight = 8, ImageWidth = 8, Channels = 1, PatchSize = 4, PatchEmbedding = PatchEmbeddingKind.ConvolutionalStem,
        Width = 16, Depth = 1, Heads = 2, Outputs = 1, Pooling = TokenPooling.Mean,
    }, init);
    using var data = new Generator(21);
    Tensor x = Tensor.Randn(new long[] { 96, 1, 8, 8 }, data);
    Tensor y = x.Narrow(2, 0, 4).Mean(new long[] { 1, 2, 3 }).Unsqueeze(1);
    using var train = new TensorDataset(x.Narrow(0, 0, 64), y.Narrow(0, 0, 64));
    using var validation = new TensorDataset(x.Narrow(0, 64, 32), y.Narrow(0, 64, 32));
    var loop = new TrainingLoop
    {
        Model = model,
        Loss = (p, t) => Functional.MseLoss(p, t),
        Optimizer = new AdamWOptions { LearningRate = 1e-2 },
        Options = new TrainingOptions { Epochs = 6, BatchSize = 16, Seed = 5, ProcessGroup = g, Threads = 1 },
        EarlyStopping = new EarlyStoppingOptions { Patience = 2, RestoreBestWeights = true },
    };
    var history = loop.Fit(train, validation);
    Console.WriteLine($"RESULT val_losses {string.Join(' ', history.Evaluations.Select(e => e.Metrics["val_loss"].ToString("R", CultureInfo.InvariantCulture)))}");
    var norm = (BatchNorm2d)model.PatchEmbed.Stem![1];
    Console.WriteLine($"RESULT batches_tracked {norm.BatchesTracked.Item()}");
    SafeTensors.Save(output, model.StateDict());
}

// The ML.NET-style pipeline with TorchTrainerOptions.ProcessGroup: a regression trainer on 240 rows (25% held out
// for validation), global batch 32; prints the validation losses and every training row's score.
static void Pipeline(ProcessGroup? g, string optimizer, int epochs)
{
    var ml = new ZooContext(3);
    ml.Log += (_, e) => { if (e.Message.Contains("data-parallel")) Console.WriteLine($"RESULT log {e.Message}"); };
    var random = new Random(11);
    var rows = Enumerable.Range(0, 240).Select(_ =>
    {
        float[] f = Enumerable.Range(0, 6).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        return new PipelineRow { Features = f, Label = MathF.Sin(f[0] + f[1]) + 0.5f * f[2] * f[3] - f[4] };
    }).ToList();
    IDataView data = ml.Data.LoadFromEnumerable(rows);
    var losses = new List<double>();
    var trainer = ml.Regression.Trainers.TorchModel(new MlpSpec(new MlpOptions { HiddenSizes = new[] { 32, 32 } }), new RegressionTrainerOptions
    {
        Optimizer = OptimizerFor(optimizer),
        MaxEpochs = epochs,
        BatchSize = 32,
        ValidationFraction = 0.25,
        Seed = 5,
        Threads = 1,
        ProcessGroup = g,
        MetricsCallback = e => losses.Add(e.Metrics["val_loss"]),
    });
    using var model = trainer.Fit(data);
    Console.WriteLine($"RESULT val_losses {string.Join(' ', losses.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}");
    float[] scores = model.Transform(data).GetScalars<float>("Score");
    Console.WriteLine($"RESULT scores {string.Join(' ', scores.Select(v => ((double)v).ToString("R", CultureInfo.InvariantCulture)))}");
}

// Data-parallel step timing (docs/benchmarks.md "Data parallel"). Models: "mlp", 784-1024-1024-10 (1.86 M parameters),
// global batch 256, MSE on random targets; "vit", the chirp example's ViT (64×64×1, patch 8, width 128, depth 4, 4 heads,
// 3 outputs; 0.81 M parameters), global batch 64. Synchronization: "dp" averages gradients every step; "diloco" runs
// AdamW locally and averages pseudo-gradients every 10 steps. Reports ms per step, ms per step in all-reduces and the
// float32 bytes each rank sends into all-reduces per step.
static void Bench(ProcessGroup? g, int steps, string modelName, string synchronization)
{
    g ??= ProcessGroup.Single();
    using var init = new Generator(1);
    TorchRuntime.ManualSeed(1);
    Module<Tensor, Tensor> model = modelName switch
    {
        "mlp" => new Sequential(new Linear(784, 1024, generator: init), new Gelu(), new Linear(1024, 1024, generator: init), new Gelu(), new Linear(1024, 10, generator: init)),
        "vit" => new TorchZoo.Trainers.Models.VisionTransformer(VisionTransformerOptions.Micro with { Width = 128, Depth = 4, Heads = 4 }),
        _ => throw new ArgumentException($"Unknown bench model '{modelName}'."),
    };
    long[] inputShape = modelName == "mlp" ? new long[] { 784 } : new long[] { 1, 64, 64 };
    long outputs = modelName == "mlp" ? 10 : 3;
    int globalBatch = modelName == "mlp" ? 256 : 64;
    const int innerSteps = 10;
    var dp = new DataParallel(g);
    dp.BroadcastModel(model);
    var parameters = model.Parameters().ToList();
    long parameterBytes = parameters.Sum(p => p.ByteCount);
    using Optimizer optimizer = synchronization switch
    {
        "dp" => new AdamWOptions().Create(model),
        "diloco" => new DiLoCoOptions { Inner = new AdamWOptions(), InnerSteps = innerSteps, ProcessGroup = g }.Create(model),
        _ => throw new ArgumentException($"Unknown synchronization '{synchronization}'."),
    };
    using var data = new Generator(2);
    int perRank = globalBatch / g.WorldSize;
    Tensor x = Tensor.Randn(new long[] { perRank }.Concat(inputShape).ToArray(), data).DetachFromDisposeScope();
    Tensor y = Tensor.Randn(new long[] { perRank, outputs }, data).DetachFromDisposeScope();
    double total = 0, communication = 0;
    double Communicated() => dp.CommunicationSeconds + ((optimizer as DiLoCo)?.CommunicationSeconds ?? 0);
    const int warmup = innerSteps;
    for (int step = 0; step < steps + warmup; step++)
    {
        using var scope = DisposeScope.Enter();
        long t0 = Stopwatch.GetTimestamp();
        double c0 = Communicated();
        Tensor loss = Functional.MseLoss(model.Forward(x), y);
        loss.Backward();
        if (g.WorldSize > 1 && synchronization == "dp") dp.AverageGradients(parameters, loss.Item() / g.WorldSize);
        optimizer.Step();
        optimizer.ZeroGrad();
        if (step < warmup) continue;
        total += Stopwatch.GetElapsedTime(t0).TotalSeconds;
        communication += Communicated() - c0;
    }
    long bytesPerStep = g.WorldSize == 1 ? 0 : synchronization == "dp" ? parameterBytes : parameterBytes / innerSteps;
    Console.WriteLine($"RESULT step_ms {1000 * total / steps:F2}");
    Console.WriteLine($"RESULT allreduce_ms {1000 * communication / steps:F2}");
    Console.WriteLine($"RESULT allreduce_bytes_per_step {bytesPerStep}");
    Console.WriteLine($"RESULT parameters {parameters.Sum(p => p.NumberOfElements)}");
}

static OptimizerOptions OptimizerFor(string name) => name switch
{
    "adamw" => new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0.01 },
    "sgd" => new SgdOptions { LearningRate = 0.05, Momentum = 0.9 },
    "muon" => new MuonOptions { LearningRate = 0.02 },
    "reg" => new RegOptions { LearningRate = 0.02 },
    "lion" => new LionOptions { LearningRate = 1e-3 },
    "lion-majority" => new LionOptions { LearningRate = 1e-3, DistributedVote = DistributedLionVote.MajorityVote },
    "lion-average" => new LionOptions { LearningRate = 1e-3, DistributedVote = DistributedLionVote.Average },
    "diloco-sgd-h1" => new DiLoCoOptions { Inner = new SgdOptions { LearningRate = 0.05, Momentum = 0.9 }, InnerSteps = 1, OuterLearningRate = 1, OuterMomentum = 0 },
    "diloco-adamw-h4" => new DiLoCoOptions { Inner = new AdamWOptions { LearningRate = 1e-2 }, InnerSteps = 4 },
    "diloco-adamw-h10" => new DiLoCoOptions { Inner = new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0.01 }, InnerSteps = 10 },
    _ => throw new ArgumentException($"Unknown optimizer '{name}'."),
};

/// <summary>After every step, gathers every rank's flattened weights and records the largest difference to this rank's.</summary>
sealed class RankAgreement(ProcessGroup? group) : ITrainingCallback
{
    public double MaxDifference { get; private set; }
    public int Checks { get; private set; }

    public void OnStepEnd(TrainingContext context, double loss)
    {
        if (group is null) return;
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        Tensor mine = Tensor.Cat(context.Model.Parameters().Select(p => p.Detach().Reshape(-1)).ToList());
        foreach (Tensor other in group.AllGather(mine))
            MaxDifference = Math.Max(MaxDifference, other.Sub(mine).Abs().Max().Item());
        Checks++;
    }
}

sealed class PipelineRow
{
    [VectorType(6)] public float[] Features { get; set; } = Array.Empty<float>();
    public float Label { get; set; }
}
