namespace TorchZoo.Bench.Common;

/// <summary>What the numbers were measured on: CPU, load and the BLAS libraries mapped into this process.</summary>
public static class Machine
{
    /// <summary>/proc/loadavg's 1, 5 and 15 minute averages: other work on the machine during the run.</summary>
    public static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"load average {parts[0]} / {parts[1]} / {parts[2]} (1 / 5 / 15 min)";
        }
        catch (IOException)
        {
            return "load average unknown";
        }
    }

    /// <summary>The CPU's model name from /proc/cpuinfo.</summary>
    public static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal))
                    return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        return "unknown CPU";
    }

    /// <summary>OpenBLAS's variable for forcing a kernel set, read when the library loads.</summary>
    public const string BlasCoreVariable = "OPENBLAS_CORETYPE";

    /// <summary>
    /// Gives a child process (the PyTorch side, the C++ floor) the OpenBLAS kernel set this process runs,
    /// <paramref name="core"/> (TorchRuntime.BlasCore), so that both sides' matrix products run the same code:
    /// TorchZoo picks the kernels from the CPU's instruction sets, while OpenBLAS alone goes by the CPU model and falls
    /// back to SSE3 on models it does not know. A user's own OPENBLAS_CORETYPE reaches the child unchanged.
    /// </summary>
    public static void ShareBlasCore(System.Diagnostics.ProcessStartInfo child, string? core)
    {
        if (core is not null && Environment.GetEnvironmentVariable(BlasCoreVariable) is null) child.Environment[BlasCoreVariable] = core;
    }

    /// <summary>BLAS/LAPACK libraries mapped into this process (resolved through symlinks and alternatives).</summary>
    public static IEnumerable<string> BlasLibraries()
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 6) continue;
                string path = parts[5];
                string name = Path.GetFileName(path);
                if (!name.Contains("blas", StringComparison.Ordinal) && !name.Contains("lapack", StringComparison.Ordinal)) continue;
                found.Add(Resolve(path));
            }
        }
        catch (IOException)
        {
        }
        return found.Count == 0 ? new[] { "none (libtorch not loaded yet?)" } : found;
    }

    private static string Resolve(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
