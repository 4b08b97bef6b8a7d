using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace TorchZoo.Torch.Interop;

/// <summary>
/// Finds the native shim (TORCHZOO_NATIVE, then the usual places: next to the assemblies in a build tree,
/// runtimes/linux-x64/native from a package) and, when it cannot be loaded, says why in one sentence instead of
/// the loader's list of probed paths.
/// </summary>
internal static partial class NativeLibraryLoader
{
    /// <summary>Environment variable naming a shim file to load instead of the packaged one (e.g. built against a CUDA libtorch).</summary>
    internal const string OverrideVariable = "TORCHZOO_NATIVE";

    private static readonly object Gate = new();
    private static IntPtr handle;
    private static NativeLibraryNotFoundException? failure;

    private const string FileName = "libtorchzoo_native.so";

    // A library needs its resolver in place before the first P/Invoke, whatever type the user touches first.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Lib) return IntPtr.Zero;
        lock (Gate)
        {
            // Remember the outcome: every P/Invoke of the shim resolves through here until one succeeds.
            if (handle != IntPtr.Zero) return handle;
            if (failure is not null) throw failure;
            try
            {
                // OpenBLAS reads its kernel choice once, when libtorch pulls it in with the shim.
                BlasCoreSelection.Apply();
                AllocatorDefaults.Apply();
                handle = Load(name, assembly, searchPath);
                return handle;
            }
            catch (DllNotFoundException e)
            {
                failure = new NativeLibraryNotFoundException(Explain(e.Message, Environment.GetEnvironmentVariable(OverrideVariable)), e);
                throw failure;
            }
        }
    }

    private static IntPtr Load(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string? overridePath = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrEmpty(overridePath))
        {
            if (!File.Exists(overridePath))
                throw failure = new NativeLibraryNotFoundException($"{OverrideVariable} names {overridePath}, which does not exist: point it at a built libtorchzoo_native.so or unset it.");
            return NativeLibrary.Load(overridePath);
        }
        // Explicit places first: a build tree puts the shim beside the assembly, a package install under runtimes/.
        string? assemblyDir = Path.GetDirectoryName(assembly.Location);
        foreach (string? dir in new[] { assemblyDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            foreach (string path in new[]
                     {
                         Path.Combine(dir, FileName),
                         Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", FileName),
                         Path.Combine(dir, "runtimes", "linux-x64", "native", FileName),
                     })
            {
                if (File.Exists(path)) return NativeLibrary.Load(path);
            }
        }
        return NativeLibrary.Load(FileName, assembly, searchPath);
    }

    [GeneratedRegex(@"([\w.+-]+\.so(?:\.[\w.]+)?): cannot open shared object file")]
    private static partial Regex MissingFile();

    /// <summary>Turns the loader's message into one sentence naming what is missing and how to get it.</summary>
    internal static string Explain(string loaderMessage, string? overridePath)
    {
        // The shim's own file shows up when it is absent from a probed place; only its dependencies say what to install.
        string? overrideName = string.IsNullOrEmpty(overridePath) ? null : Path.GetFileName(overridePath);
        var dependencies = MissingFile().Matches(loaderMessage).Select(m => Path.GetFileName(m.Groups[1].Value)).Distinct()
            .Where(f => !f.StartsWith("libtorchzoo_native", StringComparison.Ordinal) && f != overrideName).ToList();
        string? torch = dependencies.FirstOrDefault(f => f.StartsWith("libtorch", StringComparison.Ordinal) || f.StartsWith("libc10", StringComparison.Ordinal));
        string where = string.IsNullOrEmpty(overridePath) ? "TorchZoo's native shim" : $"the native shim named by {OverrideVariable} ({overridePath})";
        if (torch is not null)
            return $"libtorch was not found ({torch} is missing), and {where} needs it: on Debian 12 install it with " +
                   "'apt-get install libtorch1.13 libopenblas0-openmp' (or run the repository's scripts/setup); for another libtorch " +
                   $"(a pytorch.org CUDA build), build the shim from the package's native-src folder and set {OverrideVariable} to it (see the package README).";
        if (dependencies.Count > 0)
            return $"{where} could not load because {string.Join(", ", dependencies)} is missing (a library libtorch depends on): " +
                   "install libtorch's runtime dependencies, e.g. 'apt-get install libtorch1.13 libopenblas0-openmp' on Debian 12.";
        if (!string.IsNullOrEmpty(overridePath))
            return $"{where} could not be loaded: {FirstLine(loaderMessage)}";
        return $"{where} (libtorchzoo_native.so) was not found next to the application or under runtimes/linux-x64/native: " +
               $"TorchZoo ships it for linux-x64 only; elsewhere build it from the package's native-src folder and set {OverrideVariable} to it.";
    }

    private static string FirstLine(string text)
    {
        string trimmed = text.Trim();
        int newline = trimmed.IndexOf('\n');
        return newline < 0 ? trimmed : trimmed[..newline].Trim();
    }
}
