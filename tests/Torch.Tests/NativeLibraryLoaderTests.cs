using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// The loader's explanation of a failed load, from the messages glibc's loader really gives (the end-to-end case, an
/// installed app whose libtorch is missing, runs in tests/Packaging.Tests).
/// </summary>
public class NativeLibraryLoaderTests
{
    private const string DotnetPrefix = "Unable to load shared library 'torchzoo_native' or one of its dependencies. In order to help diagnose loading problems, consider using a tool like strace.\n";

    [Test]
    public void MissingLibtorchIsNamedWithTheInstallCommand()
    {
        string message = NativeLibraryLoader.Explain(DotnetPrefix + "libtorch_cpu.so.1.13: cannot open shared object file: No such file or directory\n" +
                                                     "/app/libtorchzoo_native.so: cannot open shared object file: No such file or directory", null);
        message.Should().StartWith("libtorch was not found (libtorch_cpu.so.1.13 is missing), and TorchZoo's native shim needs it")
            .And.Contain("apt-get install libtorch1.13 libopenblas0-openmp").And.Contain("TORCHZOO_NATIVE");
        message.Should().NotContain("\n");
    }

    [Test]
    public void MissingC10CountsAsMissingLibtorch() =>
        NativeLibraryLoader.Explain("libc10.so: cannot open shared object file: No such file or directory", "/opt/shim/libtorchzoo_native.so")
            .Should().StartWith("libtorch was not found (libc10.so is missing), and the native shim named by TORCHZOO_NATIVE (/opt/shim/libtorchzoo_native.so)");

    [Test]
    public void AnotherMissingDependencyIsNamed() =>
        NativeLibraryLoader.Explain(DotnetPrefix + "libopenblas.so.0: cannot open shared object file: No such file or directory", null)
            .Should().StartWith("TorchZoo's native shim could not load because libopenblas.so.0 is missing");

    [Test]
    public void AMissingShimSaysWhereItWasLookedFor() =>
        NativeLibraryLoader.Explain(DotnetPrefix + "/app/libtorchzoo_native.so: cannot open shared object file: No such file or directory\n" +
                                    "libtorchzoo_native.so: cannot open shared object file: No such file or directory", null)
            .Should().StartWith("TorchZoo's native shim (libtorchzoo_native.so) was not found next to the application or under runtimes/linux-x64/native");

    [Test]
    public void AnUnloadableOverrideReportsTheLoadersFirstLine() =>
        NativeLibraryLoader.Explain("/opt/x.so: invalid ELF header\nmore", "/opt/x.so")
            .Should().Be("the native shim named by TORCHZOO_NATIVE (/opt/x.so) could not be loaded: /opt/x.so: invalid ELF header");
}
