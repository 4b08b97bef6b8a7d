namespace TorchZoo.Packaging.Tests;

/// <summary>
/// A user's console app outside the solution, restored from the folder feed only for TorchZoo (a private packages
/// folder, so no earlier build's packages stand in), built, and run: it trains through ZooContext, saves and reloads.
/// </summary>
public class ConsumerTests
{
    private static string app = "";
    private static string output = "";

    [OneTimeSetUp]
    public void RestoreAndBuild()
    {
        app = Path.Combine(PackageFeed.Root, "consumer");
        Directory.CreateDirectory(app);
        foreach (string f in new[] { "Program.cs", "Consumer.csproj" })
            File.Copy(Path.Combine(TestContext.CurrentContext.TestDirectory, "Consumer", f), Path.Combine(app, f));
        // The feed is added to the machine's sources (which serve CsvHelper); TorchZoo exists only in the feed.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="torchzoo-local" value="{PackageFeed.Feed}" />
              </packageSources>
            </configuration>
            """);
        string packages = Path.Combine(PackageFeed.Root, "packages");
        var restore = PackageFeed.Run("dotnet", new[] { "restore", "--packages", packages, $"-p:TorchZooVersion={PackageFeed.Version}" }, app);
        restore.ExitCode.Should().Be(0, $"restore failed:\n{restore.All}");
        var build = PackageFeed.Run("dotnet", new[] { "build", "--no-restore", "-c", "Release", "-o", Path.Combine(app, "out"), $"-p:TorchZooVersion={PackageFeed.Version}" }, app);
        build.ExitCode.Should().Be(0, $"build failed:\n{build.All}");
        output = Path.Combine(app, "out");
    }

    [Test]
    public void TheShimComesFromThePackagesRuntimesFolder()
    {
        File.Exists(Path.Combine(output, "runtimes", "linux-x64", "native", "libtorchzoo_native.so")).Should().BeTrue();
        // Nothing of the build tree leaks into the app: the only shim is the package's.
        File.Exists(Path.Combine(output, "libtorchzoo_native.so")).Should().BeFalse();
    }

    [Test]
    public void TrainsSavesAndReloadsThroughZooContext()
    {
        var run = PackageFeed.Run("dotnet", new[] { Path.Combine(output, "Consumer.dll") }, app);
        run.ExitCode.Should().Be(0, $"the app failed:\n{run.All}");
        run.Output.Should().Contain("trained: R^2").And.Contain("saved:").And.Contain("identical predictions");
    }

    [Test]
    public void WithoutLibtorchTheAppSaysSoInOneSentence()
    {
        // The app as installed, but its packaged shim replaced by one whose libtorch dependency does not exist.
        string broken = Path.Combine(PackageFeed.Root, "consumer-without-libtorch");
        CopyDirectory(output, broken);
        string native = Path.Combine(broken, "runtimes", "linux-x64", "native");
        string source = Path.Combine(PackageFeed.Root, "stub.cpp");
        File.WriteAllText(source, "extern \"C\" int tz_missing_dependency(); extern \"C\" int tz_stub() { return tz_missing_dependency(); }\n");
        File.WriteAllText(Path.Combine(PackageFeed.Root, "dep.cpp"), "extern \"C\" int tz_missing_dependency() { return 1; }\n");
        string dependency = Path.Combine(PackageFeed.Root, "libtorch_cpu.so.0.missing");
        Compile(new[] { "-shared", "-fPIC", "-o", dependency, "-Wl,-soname,libtorch_cpu.so.0.missing", Path.Combine(PackageFeed.Root, "dep.cpp") });
        Compile(new[] { "-shared", "-fPIC", "-o", Path.Combine(native, "libtorchzoo_native.so"), source, dependency });
        File.Delete(dependency);

        var run = PackageFeed.Run("dotnet", new[] { Path.Combine(broken, "Consumer.dll") }, broken);
        run.ExitCode.Should().NotBe(0);
        string firstLine = run.Error.Split('\n')[0];
        firstLine.Should().Contain("NativeLibraryNotFoundException: libtorch was not found (libtorch_cpu.so.0.missing is missing)")
            .And.Contain("apt-get install libtorch1.13");
        run.Output.Should().NotContain("trained");
    }

    private static void Compile(string[] arguments)
    {
        var result = PackageFeed.Run("g++", arguments, PackageFeed.Root);
        result.ExitCode.Should().Be(0, $"g++ failed (scripts/setup installs it):\n{result.All}");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(dir.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, file.Replace(from, to));
    }
}
