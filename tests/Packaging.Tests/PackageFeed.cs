using System.Diagnostics;

namespace TorchZoo.Packaging.Tests;

/// <summary>
/// The three packages packed once per test run into a temporary folder feed (scripts/pack, from the build the tests
/// run against), and the helpers to run the user-side tools (dotnet restore/build/run) against it.
/// </summary>
[SetUpFixture]
public sealed class PackageFeed
{
    public static string Repository { get; private set; } = "";
    public static string Root { get; private set; } = "";
    public static string Feed => Path.Combine(Root, "feed");
    public static string Version { get; private set; } = "";

    [OneTimeSetUp]
    public void Pack()
    {
        Repository = FindRepository();
        Root = Directory.CreateTempSubdirectory("torchzoo-packaging-").FullName;
        // The tests run from bin/<Configuration>/<tfm>: pack that configuration's build, without rebuilding it.
        string configuration = new DirectoryInfo(TestContext.CurrentContext.TestDirectory).Parent!.Name;
        var result = Run(Path.Combine(Repository, "scripts", "pack"), new[] { Feed, "--no-build" }, Repository,
            new Dictionary<string, string?> { ["CONFIGURATION"] = configuration });
        result.ExitCode.Should().Be(0, $"scripts/pack failed:\n{result.Output}");
        string torch = Directory.GetFiles(Feed, "TorchZoo.Torch.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(torch)["TorchZoo.Torch.".Length..];
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Root.Length > 0 && Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Extensions.sln"))) return dir.FullName;
        throw new InvalidOperationException("The tests do not run inside a TorchZoo checkout (no Extensions.sln above them).");
    }

    public sealed record ProcessResult(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    /// <summary>
    /// Runs a tool to completion with the test host's MSBuild and test-platform variables removed (they would make a
    /// child 'dotnet build' reuse the test run's SDK settings); kills it after <paramref name="timeoutMinutes"/>.
    /// </summary>
    public static ProcessResult Run(string file, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, int timeoutMinutes = 10)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) info.ArgumentList.Add(a);
        foreach (string key in info.Environment.Keys.ToList())
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase) || key == "DOTNET_HOST_PATH")
                info.Environment.Remove(key);
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(timeoutMinutes)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', arguments)} did not finish within {timeoutMinutes} minutes.");
        }
        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }
}
