using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TorchZoo.Torch.Distributed;

/// <summary>
/// Starts N copies of a command on this machine as the ranks of one process group, the way torchrun does for a single
/// node: each gets MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE and LOCAL_WORLD_SIZE (what
/// <see cref="ProcessGroup.InitFromEnvironment"/> reads). Output lines are forwarded with a "[rank r] " prefix; when a
/// rank fails, the others are stopped and its exit code is returned. Used by torchzoo-launch and by programs that
/// launch themselves (the chirp example's --world-size).
/// </summary>
public static class LocalLaunch
{
    /// <summary>
    /// Runs <paramref name="command"/> as <paramref name="worldSize"/> local ranks and returns 0, or the first failing
    /// rank's exit code (127: could not start; 130: cancelled). On several machines, each runs this with the same
    /// <paramref name="nodes"/>, address and port and its own <paramref name="nodeRank"/>: the global ranks are
    /// nodeRank·worldSize + local rank, the world nodes·worldSize (rank 0's machine is the master).
    /// </summary>
    public static int Run(int worldSize, string command, IReadOnlyList<string> arguments, string masterAddress = "127.0.0.1",
        int? masterPort = null, CancellationToken cancellation = default, int nodes = 1, int nodeRank = 0)
    {
        if (worldSize < 1) throw new ArgumentOutOfRangeException(nameof(worldSize), worldSize, "The world size must be at least 1.");
        if (masterPort is < 1 or > 65535) throw new ArgumentOutOfRangeException(nameof(masterPort), masterPort, "The master port must be in 1..65535.");
        if (nodes < 1) throw new ArgumentOutOfRangeException(nameof(nodes), nodes, "The node count must be at least 1.");
        if (nodeRank < 0 || nodeRank >= nodes) throw new ArgumentOutOfRangeException(nameof(nodeRank), nodeRank, $"The node rank must be in 0..{nodes - 1}.");
        if (nodes > 1 && masterPort is null) throw new ArgumentException("A run over several machines needs an agreed master port.", nameof(masterPort));
        int port = masterPort ?? FreePort();
        var processes = new Process?[worldSize];
        var output = new object();
        try
        {
            for (int r = 0; r < worldSize; r++)
            {
                var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (string a in arguments) info.ArgumentList.Add(a);
                info.Environment["MASTER_ADDR"] = masterAddress;
                info.Environment["MASTER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
                info.Environment["RANK"] = (nodeRank * worldSize + r).ToString(CultureInfo.InvariantCulture);
                info.Environment["LOCAL_RANK"] = r.ToString(CultureInfo.InvariantCulture);
                info.Environment["WORLD_SIZE"] = (nodes * worldSize).ToString(CultureInfo.InvariantCulture);
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
                    process.Dispose();
                    return 127;
                }
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                processes[r] = process;
            }
            return WaitForRanks(processes!, cancellation);
        }
        finally
        {
            foreach (Process? p in processes) Stop(p);
        }
    }

    /// <summary>Waits for every rank; the first failure (or cancellation) ends the wait.</summary>
    private static int WaitForRanks(Process[] processes, CancellationToken cancellation)
    {
        var exits = processes.Select((p, r) => p.WaitForExitAsync().ContinueWith(_ => r)).ToList();
        while (exits.Count > 0)
        {
            var finished = Task.WhenAny(exits);
            try { finished.Wait(cancellation); }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("torchzoo-launch: interrupted; stopping every rank.");
                return 130;
            }
            int rank = finished.Result.Result;
            exits.Remove(finished.Result);
            processes[rank].WaitForExit();
            int code = processes[rank].ExitCode;
            if (code != 0)
            {
                Console.Error.WriteLine($"torchzoo-launch: rank {rank} exited with code {code}; stopping the other ranks.");
                return code;
            }
        }
        return 0;
    }

    private static void Stop(Process? p)
    {
        if (p is null) return;
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

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the rendezvous port when none is given).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
