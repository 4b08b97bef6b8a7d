using System.Diagnostics;

namespace TorchZoo.Trainers.Tests.Distributed;

// tools/Launch starting the test worker as two ranks on 127.0.0.1.
[TestFixture]
[NonParallelizable]
public class LauncherTests
{
    private static string LauncherPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "..", "..", "..", "..", "tools", "Launch", "bin", dir.Parent!.Name, dir.Name, "torchzoo-launch.dll"));
            if (!File.Exists(path)) Assert.Inconclusive($"The launcher is not built ({path}).");
            return path;
        }
    }

    private static (int ExitCode, string Output, string Errors) Launch(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(LauncherPath);
        foreach (string a in arguments) info.ArgumentList.Add(a);
        info.Environment["TZ_TIMEOUT_MS"] = "5000";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            if (!process.WaitForExit(60_000)) Assert.Fail("the launcher did not finish within 60 s");
            return (process.ExitCode, output.Result, errors.Result);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Test]
    public void Two_ranks_run_with_prefixed_output()
    {
        var (code, output, errors) = Launch("--world-size", "2", "--", "dotnet", RankProcesses.WorkerPath, "collectives");
        code.Should().Be(0, errors);
        output.Should().Contain("[rank 0] RESULT sum 3 14 -7 0.25").And.Contain("[rank 1] RESULT sum 3 14 -7 0.25");
        output.Should().Contain("[rank 1] RESULT broadcast 101 102 103");
    }

    [Test]
    public void Two_launchers_as_two_nodes_form_one_world()
    {
        // Two "machines" on loopback, one rank each: node 1's rank is global rank 1 of a world of 2.
        string port = RankProcesses.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] Node(int k) => new[] { "--world-size", "1", "--nnodes", "2", "--node-rank", k.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--master-port", port, "--", "dotnet", RankProcesses.WorkerPath, "collectives" };
        var nodes = new[] { Task.Run(() => Launch(Node(0))), Task.Run(() => Launch(Node(1))) };
        Task.WaitAll(nodes);
        foreach (var (code, output, errors) in nodes.Select(t => t.Result))
        {
            code.Should().Be(0, errors);
            output.Should().Contain("[rank 0] RESULT sum 3 14 -7 0.25", "each launcher prefixes its local rank");
        }
        // Node 0 receives the broadcast from global rank 1, which lives on node 1.
        nodes[0].Result.Output.Should().Contain("[rank 0] RESULT broadcast 101 102 103");
    }

    [Test]
    public void Several_nodes_need_an_agreed_port_and_a_valid_node_rank()
    {
        Launch("--nnodes", "2", "--node-rank", "0", "--", "dotnet").Errors.Should().Contain("needs --master-port");
        Launch("--nnodes", "2", "--node-rank", "2", "--master-port", "29500", "--", "dotnet").Errors.Should().Contain("--node-rank 2 must be below --nnodes 2");
    }

    [Test]
    public void A_failing_rank_fails_the_launch_with_its_exit_code()
    {
        var (code, _, errors) = Launch("--world-size", "2", "--", "dotnet", RankProcesses.WorkerPath, "die");
        code.Should().Be(3);
        errors.Should().Contain("torchzoo-launch: rank 1 exited with code 3; stopping the other ranks.");
    }

    [Test]
    public void Bad_options_are_named()
    {
        var (code, _, errors) = Launch("--world-size", "zero", "--", "dotnet");
        code.Should().Be(2);
        errors.Should().Contain("torchzoo-launch: '--world-size' zero is not a valid option.");
    }
}
