// OptimizerStep benchmark: the time of one optimizer step over a ViT-B-sized parameter set (85.05M float32
// parameters in 144 tensors, fixed random gradients), TorchZoo against PyTorch eager in the same run.
//
//   dotnet run -c Release --project bench/OptimizerStep -- --threads 2            (the six headline optimizers)
//   dotnet run -c Release --project bench/OptimizerStep -- --threads 2 --all      (every registry name)
//
// The PyTorch side is bench/OptimizerStep/pytorch_optimizer_step.py, started once as a server: torch.optim where
// torch 1.13 has the optimizer, else the golden references of tests/golden configured as the golden tests configure
// ours (Cases.Select). Every round runs, for each case, one block of ours (fused path, and the generic path as a
// second column where there is a fused one) and one block of each PyTorch mode that differs (single-tensor and
// foreach), alternating which side goes first; a block is a fresh
// optimizer, untimed warm-up steps (state allocation and first touch), then timed steps. The ratio of a round is
// our median over the faster PyTorch mode's median in that round; the verdict uses the median of those ratios.
// Each round also times a large copy_ to measure the memory bandwidth the step times are compared with.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchZoo.Bench.Common;
using TorchZoo.Bench.OptimizerStep;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
if (options.Help)
{
    Console.WriteLine(Options.Usage);
    return 0;
}

using var pytorch = PyTorchServer.Start(options.Python, Path.Combine(AppContext.BaseDirectory, "pytorch_optimizer_step.py"), TorchRuntime.BlasCore, quitWaitMilliseconds: 10_000);
TorchRuntime.NumThreads = options.Threads;
pytorch.SetThreads(options.Threads);
JsonElement info = pytorch.Info();

// The cases: the six headline ones by default; --all every registry name, --only the names given. Each name is timed
// against what the PyTorch side offers for it (Cases.Select), or listed as excluded with the reason.
string[] names = options.All ? OptimizerRegistry.Names.ToArray()
    : options.Only ?? Cases.Headline.Select(c => c.Key).ToArray();
string[] unknown = names.Where(n => !OptimizerRegistry.Contains(n)).ToArray();
if (unknown.Length > 0)
{
    Console.Error.WriteLine($"--only names no optimizer: {string.Join(", ", unknown)}; the registry has {string.Join(", ", OptimizerRegistry.Names)}");
    return 2;
}
string? golden = options.Golden ?? Cases.FindGoldenFolder(AppContext.BaseDirectory);
if (golden is null || !Directory.Exists(golden))
{
    Console.Error.WriteLine("tests/golden was not found above the program; pass --golden with the repository's tests/golden folder.");
    return 2;
}
var excluded = new List<(string Name, string Reason)>();
List<Case> cases = Cases.Select(names.Select(n => n.ToLowerInvariant()).Distinct(), pytorch.Cases(Path.GetFullPath(golden)), excluded);
// Headline cases first, in their order, then the rest by name.
cases = cases.OrderBy(c => Array.FindIndex(Cases.Headline, h => h.Key == c.Key) is var i && i >= 0 ? i : int.MaxValue)
             .ThenBy(c => c.Key, StringComparer.Ordinal).ToList();
if (cases.Count == 0)
{
    Console.Error.WriteLine("No case to time: " + string.Join("; ", excluded.Select(e => $"{e.Name}: {e.Reason}")));
    return 2;
}

List<NamedParameter> parameters = VitB.CreateParameters();
long parameterCount = parameters.Sum(p => p.Parameter.NumberOfElements);
if (parameterCount != info.GetProperty("parameters").GetInt64())
    throw new InvalidOperationException($"The two sides disagree on the parameter set: {parameterCount} vs {info.GetProperty("parameters").GetInt64()}.");

Console.WriteLine($"machine:   {Machine.CpuModel()}, {Environment.ProcessorCount} logical cores (nproc)");
Console.WriteLine($"TorchZoo:  libtorch {TorchRuntime.Version}, .NET {Environment.Version}");
Console.WriteLine($"PyTorch:   torch {info.GetProperty("torch").GetString()} (Python {info.GetProperty("python").GetString()}), " +
                  $"OpenBLAS kernels {info.GetProperty("openblas_core").GetString() ?? "(not OpenBLAS)"} (ours {TorchRuntime.BlasCore ?? "(not OpenBLAS)"})");
Console.WriteLine($"workload:  ViT-B parameter set, {parameterCount:N0} float32 parameters in {parameters.Count} tensors, fixed random gradients");
Console.WriteLine($"threads:   {options.Threads} on both sides{(options.Quick ? "  (--quick: smoke run)" : "")}");
Console.WriteLine($"load:      {Machine.LoadAverage()} at start");

int rounds = options.Rounds ?? (options.Quick ? 2 : 7);
int heavyRounds = Math.Max(1, rounds / 3);
int warm = 1, reps = options.Quick ? 2 : 3;

var samples = new Dictionary<string, Samples>();
Samples For(string key) => samples.TryGetValue(key, out var s) ? s : samples[key] = new Samples();
var stateBytes = new Dictionary<string, long>();
var failed = new Dictionary<string, string>();

// Our block: a fresh optimizer, warm-up steps, timed steps; then its state is freed.
double[] Ours(Case c, bool fused, int warmSteps, int timedSteps)
{
    using Optimizer optimizer = c.Options(fused).Create(parameters);
    for (int i = 0; i < warmSteps; i++) optimizer.Step();
    var seconds = new double[timedSteps];
    for (int i = 0; i < timedSteps; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        optimizer.Step();
        seconds[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }
    stateBytes[$"ours {c.Key}"] = optimizer.StateBytes;
    return seconds;
}

// Runs one case's work; an optimizer failing on either side is recorded and dropped, so it cannot cost the rest of a
// long --all run.
bool Guard(Case c, Action work)
{
    try
    {
        work();
        return true;
    }
    catch (Exception e) when (e is InvalidOperationException or TorchException or ArgumentException)
    {
        failed[c.Key] = e.Message;
        Console.Error.WriteLine($"\n{c.Key} failed: {e.Message}");
        return false;
    }
}

double[] Torch(Case c, string mode, int warmSteps, int timedSteps)
{
    var (seconds, bytes) = pytorch.Run(c.Key, mode, warmSteps, timedSteps);
    stateBytes[$"torch {c.Key}"] = bytes;
    return seconds;
}

using (Autograd.NoGrad())
{
    // Tiered JIT and first touches of our side before anything is recorded.
    foreach (Case c in cases.Where(c => !c.Heavy)) Guard(c, () => Ours(c, fused: true, 1, 1));

    for (int r = 0; r < rounds; r++)
    {
        // Allocated per round and freed at once: the machine may be short of memory, and the steps need theirs.
        using var source = Tensor.Randn(new long[] { parameterCount });
        using var destination = Tensor.Empty(new long[] { parameterCount });
        destination.Copy_(source);
        var copy = new double[5];
        var add = new double[5];
        for (int i = 0; i < copy.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            destination.Copy_(source);
            copy[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            t0 = Stopwatch.GetTimestamp();
            destination.Add_(source);
            add[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        For("copy_").Add(copy);
        For("add_").Add(add);

        foreach (Case c in cases)
        {
            if ((c.Heavy && r >= heavyRounds) || failed.ContainsKey(c.Key)) continue;
            Console.Error.Write($"\rround {r + 1}/{rounds}: {c.Label,-20}");
            // A decomposition-bound step takes seconds to a minute: one timed step per block, no warm-up.
            int w = c.Heavy ? 0 : warm, n = c.Heavy ? 1 : reps;
            var blocks = new List<(string Key, Func<double[]> Run)> { ($"ours {c.Key}", () => Ours(c, fused: true, w, n)) };
            foreach (string mode in c.TimedModes) blocks.Add(($"torch {mode} {c.Key}", () => Torch(c, mode, w, n)));
            if (options.Generic && c.HasFusedPath) blocks.Add(($"ours generic {c.Key}", () => Ours(c, fused: false, w, n)));
            // Alternate the order: ours first in even rounds, PyTorch first in odd ones.
            if (r % 2 == 1) blocks.Reverse();
            var medians = new Dictionary<string, double>();
            bool done = Guard(c, () =>
            {
                foreach (var (key, run) in blocks)
                {
                    double[] s = run();
                    For(key).Add(s);
                    medians[key] = Samples.MedianOf(s);
                }
            });
            if (!done) continue;
            double torchBest = c.TimedModes.Min(m => medians[$"torch {m} {c.Key}"]);
            For($"ratio {c.Key}").Add(new[] { medians[$"ours {c.Key}"] / torchBest });
        }
    }
    Console.Error.WriteLine();
}

// ---- report --------------------------------------------------------------------------------------

// Bandwidth in bytes read + bytes written per second. copy_ writes to lines it never read, which costs the CPU an
// extra read (write-allocate); x.add_(y) updates x in place, the access pattern of an optimizer's buffers, so its
// figure is the yardstick for the steps.
double copyBandwidth = 2.0 * parameterCount * 4 / For("copy_").Median / 1e9;
double addBandwidth = 3.0 * parameterCount * 4 / For("add_").Median / 1e9;
Console.WriteLine();
Console.WriteLine($"Memory bandwidth, {parameterCount * 4 / 1e6:F0} MB float32 buffers, {options.Threads} threads (bytes read + written per second, median / best): " +
                  $"`x.add_(y)` {addBandwidth:F1} / {3.0 * parameterCount * 4 / For("add_").Min / 1e9:F1} GB/s, " +
                  $"`dst.copy_(src)` {copyBandwidth:F1} / {2.0 * parameterCount * 4 / For("copy_").Min / 1e9:F1} GB/s");
Console.WriteLine();
Console.WriteLine($"One optimizer step, ViT-B parameter set ({parameterCount / 1e6:F2}M parameters), {options.Threads} threads; " +
                  $"ms per step, median over {rounds} interleaved rounds × {reps} steps (decomposition-bound: {heavyRounds} × 1, one PyTorch mode)");
Console.WriteLine();
Console.WriteLine("| optimizer | ours ms | ours generic ms | PyTorch single ms | PyTorch foreach ms | ratio ours / best PyTorch | best-of ratio | target | verdict | bytes/param moved | ours GB/s (share of add_) | floor ms | state B/param ours / PyTorch | PyTorch version |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|");
string Ms(string key) => samples.TryGetValue(key, out var x) ? $"{x.Median * 1e3:F0}" : "–";
foreach (Case c in cases.Where(c => !failed.ContainsKey(c.Key)))
{
    double ours = For($"ours {c.Key}").Median;
    double ratio = For($"ratio {c.Key}").Median;
    string bandwidth = c.BytesPerParameter > 0
        ? $"{c.BytesPerParameter * parameterCount / ours / 1e9:F1} ({c.BytesPerParameter * parameterCount / ours / 1e9 / addBandwidth:P0})"
        : "–";
    string floor = c.BytesPerParameter > 0 ? $"{c.BytesPerParameter * parameterCount / addBandwidth / 1e6:F0}" : "–";
    double bestRatio = For($"ours {c.Key}").Min / c.TimedModes.Min(m => For($"torch {m} {c.Key}").Min);
    string state = $"{stateBytes[$"ours {c.Key}"] / (double)parameterCount:F2} / {stateBytes[$"torch {c.Key}"] / (double)parameterCount:F2}";
    string verdict = (ratio <= c.Target ? "met" : "missed") + (c.Heavy ? $" ({heavyRounds} round{(heavyRounds == 1 ? "" : "s")})" : "");
    Console.WriteLine($"| {c.Label} | {ours * 1e3:F0} | {Ms($"ours generic {c.Key}")} | {Ms($"torch single {c.Key}")} | {Ms($"torch foreach {c.Key}")} | " +
                      $"{ratio:F2} | {bestRatio:F2} | ≤ {c.Target:F1} | {verdict} | {(c.BytesPerParameter > 0 ? c.BytesPerParameter.ToString() : "–")} | " +
                      $"{bandwidth} | {floor} | {state} | {c.Source} |");
}
Console.WriteLine();
if (excluded.Count > 0 || failed.Count > 0)
{
    foreach (var (name, reason) in excluded) Console.WriteLine($"excluded: {name}: {reason}.");
    foreach (var (name, message) in failed) Console.WriteLine($"failed: {name}: {message}");
    Console.WriteLine();
}
Console.WriteLine("bytes/param moved: the float32 reads and writes our step needs at least (" +
                  string.Join("; ", cases.Where(c => c.BytesPerParameter > 0).Select(c => $"{c.Label}: {c.Traffic}")) + ").");
Console.WriteLine("ours GB/s: those bytes over our median step time, and its share of x.add_(y)'s median bandwidth in the same run; " +
                  "floor ms: the bytes at that bandwidth. ratio: median over rounds of ours / faster PyTorch mode in the round (the verdict); " +
                  "best-of ratio: our fastest step / PyTorch's fastest step over the run. A PyTorch mode shown as – is not run: " +
                  "it would be the same code (no torch.optim part) or, for decomposition-bound cases, differs only in the fallback AdamW.");
Console.WriteLine($"{Machine.LoadAverage()} at the end.");
if (options.Verbose)
{
    Console.WriteLine();
    foreach (var (key, s) in samples.OrderBy(kv => kv.Key))
        Console.WriteLine($"{key,-28} n={s.Count,3} min={s.Min:G4} median={s.Median:G4} max={s.Max:G4}");
}
foreach (var (_, p) in parameters) p.Dispose();
return 0;

namespace TorchZoo.Bench.OptimizerStep
{
    /// <summary>The parameter set: names and shapes as in pytorch_optimizer_step.py.</summary>
    internal static class VitB
    {
        public static List<NamedParameter> CreateParameters()
        {
            var shapes = new List<(string, long[])>();
            for (int i = 0; i < 12; i++)
            {
                string b = $"blocks.{i}.";
                shapes.Add((b + "norm1.weight", new long[] { 768 }));
                shapes.Add((b + "norm1.bias", new long[] { 768 }));
                shapes.Add((b + "attn.qkv.weight", new long[] { 768, 2304 }));
                shapes.Add((b + "attn.qkv.bias", new long[] { 2304 }));
                shapes.Add((b + "attn.proj.weight", new long[] { 768, 768 }));
                shapes.Add((b + "attn.proj.bias", new long[] { 768 }));
                shapes.Add((b + "norm2.weight", new long[] { 768 }));
                shapes.Add((b + "norm2.bias", new long[] { 768 }));
                shapes.Add((b + "mlp.fc1.weight", new long[] { 768, 3072 }));
                shapes.Add((b + "mlp.fc1.bias", new long[] { 3072 }));
                shapes.Add((b + "mlp.fc2.weight", new long[] { 3072, 768 }));
                shapes.Add((b + "mlp.fc2.bias", new long[] { 768 }));
            }
            using var g = new Generator(1);
            var result = new List<NamedParameter>();
            foreach (var (name, shape) in shapes)
            {
                var p = new Parameter(Tensor.Randn(shape, g).Mul_(0.02));
                p.Grad = Tensor.Randn(shape, g).DetachFromDisposeScope();
                result.Add(new NamedParameter(name, p));
            }
            return result;
        }
    }
}
