// Foundation benchmark: float32 GEMM throughput and per-op overhead of tiny in-place ops, TorchZoo
// against PyTorch eager (Debian's python3-torch over the same libtorch) in the same run.
//
//   dotnet run -c Release --project bench/Foundation -- --threads 2
//
// The PyTorch side is bench/Foundation/pytorch_foundation.py, started once as a server; every round
// times one block of ours and one block of PyTorch's for each case (alternating which goes first), so
// the load of other processes on the machine lands on both sides of each ratio. A third column, the
// C++ floor, is at::Tensor called directly from C++ (native/floor.cpp), when that program was built.
using System.Diagnostics;
using System.Globalization;
using TorchZoo.Bench.Common;
using TorchZoo.Bench.Foundation;
using TorchZoo.Torch;

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

using var pytorch = PyTorchServer.Start(options.Python, Path.Combine(AppContext.BaseDirectory, "pytorch_foundation.py"), TorchRuntime.BlasCore);
string? floorPath = options.NoFloor ? null : Path.Combine(AppContext.BaseDirectory, "foundation_floor");
if (floorPath is not null && !File.Exists(floorPath)) floorPath = null;

Header.Print(options, pytorch.Info(), floorPath);

var gemmCases = new[] { new GemmCase(1024, 1024, 1024), new GemmCase(4096, 1024, 1024) };
var opCases = new[] { "add_", "mul_", "addcmul_" };

int rounds = options.Rounds ?? (options.Quick ? 3 : 15);
int opCalls = options.Quick ? 20_000 : 100_000;
int opReps = options.Quick ? 2 : 3;
const int OpNumel = 16;
// Calls timed per GEMM block (after one untimed call): blocks of ~50 ms, so the two sides alternate often.
int GemmReps(GemmCase g) => Math.Max(2, (int)(4 * 2.1e9 / g.Flops));

var samples = new Dictionary<string, Samples>();
Samples For(string key) => samples.TryGetValue(key, out var s) ? s : samples[key] = new Samples();

// Keeps the minor page faults per call of a GEMM block (fresh output pages cost time on both sides).
double[] Faults(string key, int reps, (double[] Seconds, long Faults) block)
{
    For($"faults/call {key}").Add(new[] { block.Faults / (double)reps });
    return block.Seconds;
}

// Runs our block and PyTorch's, alternating which goes first; records both and their paired ratio.
void Pair(string key, int round, Func<double[]> ours, Func<double[]> torch)
{
    double[]? o = null, t = null;
    if (round % 2 == 0) { o = ours(); t = torch(); }
    else { t = torch(); o = ours(); }
    For($"ours {key}").Add(o);
    For($"torch {key}").Add(t);
    For($"ratio {key}").Add(new[] { Samples.MedianOf(o) / Samples.MedianOf(t) });
}

using (Autograd.NoGrad())
{
    // GEMM phase, --threads on both sides.
    TorchRuntime.NumThreads = options.Threads;
    pytorch.SetThreads(options.Threads);
    foreach (var g in gemmCases)
    {
        Ours.Gemm(g, 1); // first touches of BLAS, the allocator and the JIT: not recorded
        pytorch.Gemm(g, 1);
    }
    for (int r = 0; r < rounds; r++)
    {
        Console.Error.Write($"\rGEMM round {r + 1}/{rounds}   ");
        foreach (var g in gemmCases)
        {
            int reps = GemmReps(g);
            Pair(g.ToString(), r, () => Faults($"ours {g}", reps, Ours.Gemm(g, reps)), () => Faults($"torch {g}", reps, pytorch.Gemm(g, reps)));
        }
    }

    // Per-op phase, --op-threads on both sides (and in the C++ floor).
    TorchRuntime.NumThreads = options.OpThreads;
    pytorch.SetThreads(options.OpThreads);
    foreach (string op in opCases)
    {
        // Long enough for tiered compilation to finish with the binding's methods (call counting,
        // then the optimized tier compiled in the background): we time steady state, as PyTorch's.
        var warm = Stopwatch.StartNew();
        while (warm.ElapsedMilliseconds < (options.Quick ? 300 : 1000)) Ours.Op(op, OpNumel, opCalls / 10, 1);
        pytorch.Op(op, OpNumel, opCalls, 1);
    }
    int opRounds = Math.Max(3, rounds / 2);
    for (int r = 0; r < opRounds; r++)
    {
        Console.Error.Write($"\rper-op round {r + 1}/{opRounds}   ");
        foreach (string op in opCases)
        {
            Pair(op, r, () => Ours.Op(op, OpNumel, opCalls, opReps), () => pytorch.Op(op, OpNumel, opCalls, opReps));
            if (floorPath is not null) For($"floor {op}").Add(Floor.Op(floorPath, op, OpNumel, opCalls, opReps, options.OpThreads));
        }
    }
    Console.Error.WriteLine();
}

// ---- report --------------------------------------------------------------------------------------

Console.WriteLine();
Console.WriteLine($"GEMM, float32, torch.mm / Linalg.Mm (new output each call), {options.Threads} thread(s); median over {rounds} interleaved rounds");
Console.WriteLine();
Console.WriteLine("| case | ours ms | PyTorch ms | ours GFLOP/s | PyTorch GFLOP/s | best GFLOP/s ours / PyTorch | ratio ours/PyTorch (time) | paired ratio | page faults/call ours / PyTorch | target ≤ 1.03 |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
foreach (var g in gemmCases)
{
    double ours = For($"ours {g}").Median, torch = For($"torch {g}").Median;
    double ratio = ours / torch, paired = For($"ratio {g}").Median;
    double bestOurs = g.Flops / For($"ours {g}").Min / 1e9, bestTorch = g.Flops / For($"torch {g}").Min / 1e9;
    Console.WriteLine($"| {g} | {ours * 1e3:F2} | {torch * 1e3:F2} | {g.Flops / ours / 1e9:F1} | {g.Flops / torch / 1e9:F1} | " +
                      $"{bestOurs:F1} / {bestTorch:F1} | {ratio:F3} | {paired:F3} | {For($"faults/call ours {g}").Median:F0} / {For($"faults/call torch {g}").Median:F0} | {(paired <= 1.03 ? "met" : "missed")} |");
}

Console.WriteLine();
Console.WriteLine($"Per-op overhead, float32, {OpNumel} elements, in place, no-grad, {options.OpThreads} thread(s); µs per call, median of {Math.Max(3, rounds / 2)}×{opReps} loops of {opCalls:N0} calls per side");
Console.WriteLine();
Console.WriteLine(floorPath is null
    ? "| op | ours µs | PyTorch µs | ratio ours/PyTorch | paired ratio | target ≤ 0.65 |"
    : "| op | ours µs | PyTorch µs | C++ floor µs | ratio ours/PyTorch | paired ratio | floor/PyTorch | target ≤ 0.65 |");
Console.WriteLine(floorPath is null ? "|---|---:|---:|---:|---:|---|" : "|---|---:|---:|---:|---:|---:|---:|---|");
foreach (string op in opCases)
{
    double ours = For($"ours {op}").Median, torch = For($"torch {op}").Median;
    double ratio = ours / torch, paired = For($"ratio {op}").Median;
    string verdict = paired <= 0.65 ? "met" : "missed";
    string call = op switch { "add_" => "x.add_(y)", "mul_" => "x.mul_(0.999999)", _ => "x.addcmul_(t1, t2, value=1e-3)" };
    if (floorPath is null)
        Console.WriteLine($"| `{call}` | {ours:F3} | {torch:F3} | {ratio:F2} | {paired:F2} | {verdict} |");
    else
    {
        double floor = For($"floor {op}").Median;
        Console.WriteLine($"| `{call}` | {ours:F3} | {torch:F3} | {floor:F3} | {ratio:F2} | {paired:F2} | {floor / torch:F2} | {verdict} |");
    }
}
Console.WriteLine();
Console.WriteLine($"{Machine.LoadAverage()} at the end. \"paired ratio\" is the median over rounds of ours/PyTorch within a round (blocks run back to back), the noise-robust figure the verdicts use.");
if (options.Verbose)
{
    Console.WriteLine();
    foreach (var (key, s) in samples.OrderBy(kv => kv.Key))
        Console.WriteLine($"{key,-28} n={s.Count,3} min={s.Min:G4} median={s.Median:G4} max={s.Max:G4}");
}
return 0;

namespace TorchZoo.Bench.Foundation
{
    internal sealed record GemmCase(int M, int K, int N)
    {
        public double Flops => 2.0 * M * K * N;
        public override string ToString() => $"{M}×{K} @ {K}×{N}";
    }

    /// <summary>Our side: the same calls a TorchZoo user writes.</summary>
    internal static class Ours
    {
        private static readonly Dictionary<GemmCase, (Tensor A, Tensor B)> GemmInputs = new();

        /// <summary>Seconds for each of <paramref name="reps"/> calls of Linalg.Mm after one untimed call, and their minor page faults.</summary>
        public static (double[] Seconds, long Faults) Gemm(GemmCase g, int reps)
        {
            if (!GemmInputs.TryGetValue(g, out var ab))
            {
                using var gen = new Generator(1);
                GemmInputs[g] = ab = (Tensor.Randn(new long[] { g.M, g.K }, gen), Tensor.Randn(new long[] { g.K, g.N }, gen));
            }
            Linalg.Mm(ab.A, ab.B).Dispose();
            long faults = MinorFaults();
            var seconds = new double[reps];
            for (int i = 0; i < reps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Tensor c = Linalg.Mm(ab.A, ab.B);
                long t1 = Stopwatch.GetTimestamp();
                c.Dispose();
                seconds[i] = (t1 - t0) / (double)Stopwatch.Frequency;
            }
            return (seconds, MinorFaults() - faults);
        }

        /// <summary>Minor page faults of this process so far (/proc/self/stat field 10).</summary>
        public static long MinorFaults()
        {
            string stat = File.ReadAllText("/proc/self/stat");
            return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
        }

        /// <summary>Microseconds per call for each of <paramref name="reps"/> loops of <paramref name="calls"/> calls.</summary>
        public static double[] Op(string op, int numel, int calls, int reps)
        {
            using var x = Tensor.Ones(numel);
            using var y = Tensor.Full(new long[] { numel }, 1e-3);
            using var t1 = Tensor.Full(new long[] { numel }, 0.5);
            using var t2 = Tensor.Full(new long[] { numel }, 0.25);
            var us = new double[reps];
            for (int r = 0; r < reps; r++)
            {
                long start = Stopwatch.GetTimestamp();
                switch (op)
                {
                    case "add_":
                        for (int i = 0; i < calls; i++) x.Add_(y);
                        break;
                    case "mul_":
                        for (int i = 0; i < calls; i++) x.Mul_(0.999999);
                        break;
                    case "addcmul_":
                        for (int i = 0; i < calls; i++) x.Addcmul_(t1, t2, 1e-3);
                        break;
                    default:
                        throw new ArgumentException($"unknown op {op}");
                }
                long end = Stopwatch.GetTimestamp();
                us[r] = (end - start) * 1e6 / Stopwatch.Frequency / calls;
            }
            return us;
        }
    }

    /// <summary>The C++ floor: native/floor.cpp, one process per block.</summary>
    internal static class Floor
    {
        public static double[] Op(string path, string op, int numel, int calls, int reps, int threads)
        {
            var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
            Machine.ShareBlasCore(psi, TorchRuntime.BlasCore);
            foreach (string a in new[] { op, numel.ToString(), calls.ToString(), reps.ToString(), threads.ToString() })
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {path}");
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{path} {op} failed with exit code {p.ExitCode}");
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        }
    }
}
