using System.Diagnostics;

namespace TorchZoo.Extensions.Tests.Examples;

/// <summary>Runs a built example (examples/&lt;Name&gt;) as a user does, as its own process, without launcher variables.</summary>
internal static class ExamplePrograms
{
    /// <summary>The example's dll in the same configuration and framework folder as this test assembly.</summary>
    public static string PathOf(string name)
    {
        // tests/Extensions.Tests/bin/<Configuration>/net10.0/ → examples/<name>/bin/<Configuration>/net10.0/
        var dir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "..", "..", "..", "..", "examples", name, "bin",
            dir.Parent!.Name, dir.Name, name + ".dll"));
        if (!File.Exists(path)) Assert.Inconclusive($"The {name} example is not built ({path}).");
        return path;
    }

    /// <summary>
    /// Runs the example to its end (failing the test after five minutes) and returns its exit code and output;
    /// <paramref name="environment"/> sets variables for it (null removes one).
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string name, IEnumerable<string> arguments,
                                                                   IReadOnlyDictionary<string, string?>? environment = null)
    {
        string[] args = arguments.ToArray();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(PathOf(name));
        foreach (string a in args) info.ArgumentList.Add(a);
        // A test run inside a launched rank must not make the example join that process group.
        foreach (string variable in new[] { "RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT" }) info.Environment.Remove(variable);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(variable);
            else info.Environment[variable] = value;
        }
        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The {name} example ({string.Join(' ', args)}) did not finish within 5 minutes.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
