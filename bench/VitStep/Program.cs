// bench/VitStep: one full training step (forward, backward, AdamW) of the chirp ViT, ours vs PyTorch eager,
// same libtorch, same thread count, interleaved in one run. Usage:
//   dotnet run -c Release --project bench/VitStep -- [--threads 2] [--rounds 3] [--steps64 3] [--steps8 10] [--no-keep-freed-memory]
using System.Diagnostics;
using System.Globalization;
using TorchZoo.Bench.Common;
using TorchZoo.Torch;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;

int threads = Arg("--threads", 2), rounds = Arg("--rounds", 3);
var steps = new Dictionary<int, int> { [64] = Arg("--steps64", 3), [8] = Arg("--steps8", 10) };
TorchRuntime.NumThreads = threads;
// Ours keeps freed activation blocks in the heap (glibc tuning; see TorchRuntime.KeepFreedMemory): without it each
// batch-64 step page-faults ~40,000 fresh pages in, against ~12,000 in the Python process.
bool keep = !args.Contains("--no-keep-freed-memory") && TorchRuntime.KeepFreedMemory();
var options = VisionTransformerOptions.Micro;

using var python = StartPython(threads);
Console.WriteLine($"libtorch {TorchRuntime.Version}, {threads} threads, OpenBLAS kernels {TorchRuntime.BlasCore ?? "(not OpenBLAS)"}, " +
                  $"freed memory kept: {keep}; PyTorch side: {python.StandardOutput.ReadLine()}");
Console.WriteLine($"chirp ViT: {options.ImageHeight}×{options.ImageWidth}×{options.Channels}, patch {options.PatchSize}, width {options.Width}, " +
                  $"depth {options.Depth}, heads {options.Heads}, {options.Outputs} outputs; AdamW lr 1e-4 wd 0.01");

var states = steps.Keys.ToDictionary(b => b, b => new Trainer(options, b));
var ours = steps.Keys.ToDictionary(b => b, _ => new List<double>());
var theirs = steps.Keys.ToDictionary(b => b, _ => new List<double>());
for (int r = 0; r < rounds; r++)
    foreach (int b in steps.Keys)
    {
        // Alternate which side goes first, so a slow phase of the (shared) host does not always hit the same side.
        if (r % 2 == 0) ours[b].Add(states[b].Time(steps[b]));
        python.StandardInput.WriteLine($"{b} {steps[b]}");
        theirs[b].Add(double.Parse(python.StandardOutput.ReadLine()!, CultureInfo.InvariantCulture));
        if (r % 2 == 1) ours[b].Add(states[b].Time(steps[b]));
        Console.WriteLine($"  round {r + 1} batch {b,2}: ours {ours[b][^1],8:F1} ms  pytorch {theirs[b][^1],8:F1} ms");
    }
python.StandardInput.WriteLine("quit");

// The ceiling the step's matrix products are held against: bench/Foundation's 1024² float32 product, here in the same
// run and at the same thread count, best of its rounds (a noisy host only ever adds time).
double ceiling = GemmCeilingGflops();
Console.WriteLine();
Console.WriteLine($"GEMM ceiling in this run: {ceiling:F1} GFLOP/s (1024×1024 @ 1024×1024 float32, at::mm, {threads} threads, best of 5 × 10 calls)");
Console.WriteLine();
Console.WriteLine("| batch | ours ms/step | PyTorch ms/step | ratio ours/PyTorch | paired ratio | best ms ours / PyTorch | best ratio | ours GFLOP/s | PyTorch GFLOP/s | of ceiling ours / PyTorch |");
Console.WriteLine("|------:|-------------:|----------------:|-------------------:|-------------:|-----------------------:|-----------:|-------------:|----------------:|--------------------------:|");
foreach (int b in steps.Keys)
{
    // Medians of the rounds: the machine is shared, so single rounds can be disturbed. The paired ratio is the median
    // of each round's ours/PyTorch (the two ran back to back), the best ratio compares the fastest rounds (a noisy
    // host only ever adds time); both are printed because on a shared host neither is reliable alone.
    double o = Samples.MedianOf(ours[b]), t = Samples.MedianOf(theirs[b]), gflop = TrainingMatmulGflop(options, b);
    double paired = Samples.MedianOf(ours[b].Zip(theirs[b], (a, c) => a / c).ToList());
    double bestO = ours[b].Min(), bestT = theirs[b].Min();
    Console.WriteLine($"| {b} | {o:F1} | {t:F1} | {o / t:F3} | {paired:F3} | {bestO:F1} / {bestT:F1} | {bestO / bestT:F3} | " +
                      $"{gflop / (o / 1000):F1} | {gflop / (t / 1000):F1} | {gflop / (o / 1000) / ceiling:P0} / {gflop / (t / 1000) / ceiling:P0} |");
}
foreach (var s in states.Values) s.Dispose();

// Matrix-product FLOPs of one training step: forward 2·m·n·k per product; backward twice that (input and weight
// gradients), except the patch projection, whose input needs no gradient. Elementwise work is not counted.
static double TrainingMatmulGflop(VisionTransformerOptions o, int batch)
{
    double d = o.Width, n = o.PatchCount + 1, t = batch * n, hd = d / o.Heads, patchIn = o.Channels * o.PatchSize * o.PatchSize;
    double perBlock = 2 * t * d * 3 * d + 2 * t * d * d + 2 * 2 * t * d * o.MlpHidden + 2 * 2 * batch * o.Heads * n * n * hd;
    double patch = 2.0 * batch * o.PatchCount * patchIn * d, head = 2.0 * batch * d * o.Outputs;
    return (3 * (o.Depth * perBlock + head) + 2 * patch) / 1e9;
}

static double GemmCeilingGflops()
{
    using var scope = DisposeScope.Enter();
    Tensor a = Tensor.Randn(1024, 1024), b = Tensor.Randn(1024, 1024);
    a.Matmul(b);
    double best = double.MaxValue;
    for (int round = 0; round < 5; round++)
    {
        using var inner = DisposeScope.Enter();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++) a.Matmul(b);
        best = Math.Min(best, watch.Elapsed.TotalSeconds / 10);
    }
    return 2.0 * 1024 * 1024 * 1024 / best / 1e9;
}

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static Process StartPython(int threads)
{
    string script = Path.Combine(AppContext.BaseDirectory, "pytorch_vit_step.py");
    var info = new ProcessStartInfo("/usr/bin/python3", $"\"{script}\" --threads {threads}")
    {
        RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false,
    };
    Machine.ShareBlasCore(info, TorchRuntime.BlasCore);
    return Process.Start(info) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
}

/// <summary>The model, optimizer and one fixed batch; <see cref="Time"/> runs timed training steps.</summary>
sealed class Trainer : IDisposable
{
    private readonly VisionTransformer model;
    private readonly Optimizer optimizer;
    private readonly Tensor x, y;

    public Trainer(VisionTransformerOptions options, int batch)
    {
        TorchRuntime.ManualSeed(0);
        model = new VisionTransformer(options);
        model.Train();
        optimizer = new AdamWOptions { LearningRate = 1e-4, WeightDecay = 0.01 }.Create(model);
        x = Tensor.Randn(new long[] { batch, options.Channels, options.ImageHeight, options.ImageWidth });
        y = Tensor.Randn(new long[] { batch, options.Outputs });
        for (int i = 0; i < 3; i++) Step(); // warm-up, as the PyTorch side
    }

    public void Step()
    {
        using var scope = DisposeScope.Enter();
        optimizer.ZeroGrad();
        model.Loss(model.Forward(x), y).Backward();
        optimizer.Step();
    }

    public double Time(int steps)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        return watch.Elapsed.TotalMilliseconds / steps;
    }

    public void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
        x.Dispose();
        y.Dispose();
    }
}
