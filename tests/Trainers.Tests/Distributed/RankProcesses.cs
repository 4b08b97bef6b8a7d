using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace TorchZoo.Trainers.Tests.Distributed;

/// <summary>Starts tests/DistributedWorker once per rank on 127.0.0.1 and collects its RESULT/ERROR lines; always kills what it started.</summary>
internal static class RankProcesses
{
    public sealed record Outcome(int Rank, int ExitCode, IReadOnlyList<string> Lines, string Errors)
    {
        public string? Error => Lines.FirstOrDefault(l => l.StartsWith("ERROR ", StringComparison.Ordinal))?[6..];

        public string Result(string name) =>
            Lines.FirstOrDefault(l => l.StartsWith($"RESULT {name} ", StringComparison.Ordinal))?[(8 + name.Length)..]
            ?? throw new AssertionException($"rank {Rank} printed no result '{name}' (exit {ExitCode}):\n{string.Join('\n', Lines)}\n{Errors}");

        public double[] Numbers(string name) =>
            Result(name).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    public static string WorkerPath
    {
        get
        {
            // tests/Trainers.Tests/bin/<Configuration>/net10.0/ → tests/DistributedWorker/bin/<Configuration>/net10.0/
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = dir.Parent!.Name;
            string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "..", "..", "..", "DistributedWorker", "bin", configuration, dir.Name, "DistributedWorker.dll"));
            if (!File.Exists(path)) Assert.Inconclusive($"The distributed test worker is not built ({path}).");
            return path;
        }
    }

    /// <summary>One rank of a world whose other ranks are started separately (on the same <paramref name="port"/>).</summary>
    public static Outcome RunAt(string[] arguments, int worldSize, int? rank, int port, TimeSpan limit) =>
        Run(arguments, worldSize, new[] { rank }, limit, port: port)[0];

    public static int FreePort() => TorchZoo.Torch.Distributed.LocalLaunch.FreePort();

    /// <summary>
    /// Runs the worker for each of <paramref name="ranks"/> (null: one process without a group) and waits at most
    /// <paramref name="limit"/> for all of them; processes still running then are killed and the test fails.
    /// </summary>
    public static Outcome[] Run(string[] arguments, int worldSize, IReadOnlyList<int?> ranks, TimeSpan limit, int timeoutMs = 10_000,
        IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        int masterPort = port ?? FreePort();
        var started = new List<(int Rank, Process Process, ConcurrentQueue<string> Lines, ConcurrentQueue<string> Errors)>();
        try
        {
            foreach (int? rank in ranks)
            {
                var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                info.ArgumentList.Add(WorkerPath);
                foreach (string a in arguments) info.ArgumentList.Add(a);
                foreach (string name in new[] { "RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT" }) info.Environment.Remove(name);
                if (rank is { } r)
                {
                    info.Environment["RANK"] = r.ToString(CultureInfo.InvariantCulture);
                    info.Environment["WORLD_SIZE"] = worldSize.ToString(CultureInfo.InvariantCulture);
                    info.Environment["MASTER_ADDR"] = "127.0.0.1";
                    info.Environment["MASTER_PORT"] = masterPort.ToString(CultureInfo.InvariantCulture);
                }
                info.Environment["TZ_TIMEOUT_MS"] = timeoutMs.ToString(CultureInfo.InvariantCulture);
                foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
                var lines = new ConcurrentQueue<string>();
                var errors = new ConcurrentQueue<string>();
                var process = new Process { StartInfo = info };
                process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
                process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
                process.Start();
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                started.Add((rank ?? -1, process, lines, errors));
            }
            var deadline = Stopwatch.StartNew();
            foreach (var s in started)
            {
                int left = (int)Math.Max(0, (limit - deadline.Elapsed).TotalMilliseconds);
                if (!s.Process.WaitForExit(left))
                    Assert.Fail($"rank {s.Rank} did not finish within {limit.TotalSeconds} s:\n{string.Join('\n', s.Lines)}\n{string.Join('\n', s.Errors)}");
                s.Process.WaitForExit(); // drains the asynchronous output readers
            }
            return started.Select(s => new Outcome(s.Rank, s.Process.ExitCode, s.Lines.ToList(), string.Join('\n', s.Errors))).ToArray();
        }
        finally
        {
            foreach (var s in started)
            {
                try
                {
                    if (!s.Process.HasExited) s.Process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException) { }
                s.Process.Dispose();
            }
        }
    }
}
