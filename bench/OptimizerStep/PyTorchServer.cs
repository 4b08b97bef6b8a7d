using System.Diagnostics;
using System.Text.Json;

namespace TorchZoo.Bench.OptimizerStep;

/// <summary>pytorch_optimizer_step.py --serve: one command per line in, one JSON line out.</summary>
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
        try
        {
            return new PyTorchServer(Process.Start(psi) ?? throw new InvalidOperationException($"could not start {python}"));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {python} ({e.Message}); pass --python with a Python that has torch.", e);
        }
    }

    private JsonElement Ask(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
        string line = process.StandardOutput.ReadLine()
            ?? throw new InvalidOperationException($"The PyTorch side exited while answering '{command}' (is torch installed for this Python?).");
        JsonElement answer = JsonDocument.Parse(line).RootElement;
        if (answer.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"The PyTorch side failed on '{command}': {error.GetString()}");
        return answer;
    }

    public JsonElement Info() => Ask("info");

    public void SetThreads(int n) => Ask($"threads {n}");

    /// <summary>Seconds of each of <paramref name="reps"/> steps after <paramref name="warm"/> untimed ones, and the state bytes.</summary>
    public (double[] Seconds, long StateBytes) Run(string optimizer, string mode, int warm, int reps)
    {
        JsonElement a = Ask($"run {optimizer} {mode} {warm} {reps}");
        return (a.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray(), a.GetProperty("state_bytes").GetInt64());
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Flush();
                if (!process.WaitForExit(10_000)) process.Kill();
            }
        }
        catch (IOException)
        {
            // the server is already gone
        }
        process.Dispose();
    }
}
