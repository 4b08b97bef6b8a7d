using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace TorchZoo.Bench.Foundation;

/// <summary>pytorch_foundation.py --serve: one command per line in, one JSON line out.</summary>
internal sealed class PyTorchServer : IDisposable
{
    private readonly Process process;

    private PyTorchServer(Process process) => this.process = process;

    public static PyTorchServer Start(string python, string script)
    {
        if (!File.Exists(script)) throw new FileNotFoundException($"The PyTorch side of the benchmark is missing: {script}");
        var psi = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false, // Python's own errors go straight to the console
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("--serve");
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {python}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {python} ({e.Message}); pass --python with a Python that has torch.", e);
        }
        return new PyTorchServer(p);
    }

    private JsonElement Ask(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
        string? line = process.StandardOutput.ReadLine();
        if (line is null)
            throw new InvalidOperationException($"The PyTorch side exited while answering '{command}' (is torch installed for this Python?).");
        JsonElement answer = JsonDocument.Parse(line).RootElement;
        if (answer.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"The PyTorch side failed on '{command}': {error.GetString()}");
        return answer;
    }

    public JsonElement Info() => Ask("info");

    public void SetThreads(int n) => Ask($"threads {n}");

    /// <summary>Seconds of each call, and the minor page faults of all of them.</summary>
    public (double[] Seconds, long Faults) Gemm(GemmCase g, int reps)
    {
        JsonElement answer = Ask($"gemm {g.M} {g.K} {g.N} {reps}");
        return (Numbers(answer, "seconds"), answer.GetProperty("faults").GetInt64());
    }

    public double[] Op(string op, int numel, int calls, int reps) =>
        Numbers(Ask(string.Create(CultureInfo.InvariantCulture, $"op {op} {numel} {calls} {reps}")), "us");

    private static double[] Numbers(JsonElement answer, string name) =>
        answer.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Flush();
                if (!process.WaitForExit(5000)) process.Kill();
            }
        }
        catch (IOException)
        {
            // the server is already gone
        }
        process.Dispose();
    }
}
