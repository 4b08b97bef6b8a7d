using System.Diagnostics;
using System.Text.Json;

namespace TorchZoo.Bench.Common;

/// <summary>A benchmark's PyTorch side started as <c>script --serve</c>: one command per line in, one JSON line out.
/// Each benchmark adds its own commands as extension methods over <see cref="Ask"/>.</summary>
public sealed class PyTorchServer : IDisposable
{
    private readonly Process process;
    private readonly int quitWaitMilliseconds;

    private PyTorchServer(Process process, int quitWaitMilliseconds)
    {
        this.process = process;
        this.quitWaitMilliseconds = quitWaitMilliseconds;
    }

    /// <summary>Starts <paramref name="script"/> --serve with <paramref name="python"/>; on dispose the server gets
    /// "quit" and <paramref name="quitWaitMilliseconds"/> to exit before it is killed. <paramref name="blasCore"/> is the
    /// OpenBLAS kernel set our side runs (see <see cref="Machine.ShareBlasCore"/>); null leaves the server's to OpenBLAS.</summary>
    public static PyTorchServer Start(string python, string script, string? blasCore, int quitWaitMilliseconds = 5000)
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
        Machine.ShareBlasCore(psi, blasCore);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {python}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"Could not start {python} ({e.Message}); pass --python with a Python that has torch.", e);
        }
        return new PyTorchServer(p, quitWaitMilliseconds);
    }

    /// <summary>Sends one command and returns its JSON answer; an answer with "error" throws.</summary>
    public JsonElement Ask(string command)
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

    /// <summary>The numbers of the array property <paramref name="name"/> of an answer.</summary>
    public static double[] Numbers(JsonElement answer, string name) =>
        answer.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Flush();
                if (!process.WaitForExit(quitWaitMilliseconds)) process.Kill();
            }
        }
        catch (IOException)
        {
            // the server is already gone
        }
        process.Dispose();
    }
}
