// torchzoo-launch: starts N copies of a command on this machine as the ranks of one process group, the way torchrun
// does for a single node: each gets MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE and LOCAL_WORLD_SIZE. Output
// lines are forwarded with a "[rank r] " prefix. When a rank fails, the others are stopped and the launcher exits with
// that rank's exit code.
//
//   torchzoo-launch --world-size 2 [--master-addr 127.0.0.1] [--master-port N] -- <command> [arguments...]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

int worldSize = 1;
string address = "127.0.0.1";
int? port = null;
int separator = Array.IndexOf(args, "--");
if (separator < 0 || separator == args.Length - 1)
    return Usage("give the command to run after '--'.");
for (int i = 0; i < separator; i++)
{
    string option = args[i];
    string? value = i + 1 < separator ? args[i + 1] : null;
    switch (option)
    {
        case "--world-size" or "--nproc-per-node" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int w) && w >= 1:
            worldSize = w;
            i++;
            break;
        case "--master-addr" when !string.IsNullOrWhiteSpace(value):
            address = value!;
            i++;
            break;
        case "--master-port" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 65535:
            port = p;
            i++;
            break;
        default:
            return Usage($"'{option}'{(value is null ? "" : $" {value}")} is not a valid option.");
    }
}
int masterPort = port ?? FreePort();
string command = args[separator + 1];
string[] arguments = args[(separator + 2)..];

var processes = new Process[worldSize];
var output = new object();
int failedRank = -1, failedCode = 0;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    for (int r = 0; r < worldSize; r++)
    {
        var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        info.Environment["MASTER_ADDR"] = address;
        info.Environment["MASTER_PORT"] = masterPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["RANK"] = r.ToString(CultureInfo.InvariantCulture);
        info.Environment["LOCAL_RANK"] = r.ToString(CultureInfo.InvariantCulture);
        info.Environment["WORLD_SIZE"] = worldSize.ToString(CultureInfo.InvariantCulture);
        info.Environment["LOCAL_WORLD_SIZE"] = worldSize.ToString(CultureInfo.InvariantCulture);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        string prefix = $"[rank {r}] ";
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) Console.Out.WriteLine(prefix + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) Console.Error.WriteLine(prefix + e.Data); };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"torchzoo-launch: could not start '{command}' for rank {r}: {e.Message}");
            return 127;
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes[r] = process;
    }

    // Wait for every rank; the first failure (or Ctrl+C) stops the rest.
    var exits = processes.Select((p, r) => p.WaitForExitAsync().ContinueWith(_ => r)).ToList();
    while (exits.Count > 0)
    {
        var finished = Task.WhenAny(exits);
        try { finished.Wait(cancel.Token); }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("torchzoo-launch: interrupted; stopping every rank.");
            failedCode = 130;
            break;
        }
        int rank = finished.Result.Result;
        exits.Remove(finished.Result);
        processes[rank].WaitForExit();
        int code = processes[rank].ExitCode;
        if (code != 0 && failedRank < 0)
        {
            failedRank = rank;
            failedCode = code;
            Console.Error.WriteLine($"torchzoo-launch: rank {rank} exited with code {code}; stopping the other ranks.");
            break;
        }
    }
}
finally
{
    foreach (Process? p in processes)
    {
        if (p is null) continue;
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }
}
return failedCode;

static int Usage(string problem)
{
    Console.Error.WriteLine($"torchzoo-launch: {problem}");
    Console.Error.WriteLine("usage: torchzoo-launch --world-size N [--master-addr 127.0.0.1] [--master-port PORT] -- <command> [arguments...]");
    return 2;
}

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    int port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}
