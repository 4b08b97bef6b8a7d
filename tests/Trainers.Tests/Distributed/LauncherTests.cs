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
