using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TorchZoo.Torch.Interop;

/// <summary>
/// Finds the shim (next to the assembly in a build tree, under runtimes/&lt;rid&gt;/native in a package)
/// and turns a missing libtorch into one sentence that says what to install.
/// </summary>
internal static class NativeLoader
{
    private const string FileName = "libtorchzoo_native.so";

    // A library needs its resolver in place before the first P/Invoke, whatever type the user touches first.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Lib) return IntPtr.Zero;
        string? assemblyDir = Path.GetDirectoryName(assembly.Location);
        var candidates = new List<string>();
        foreach (string? dir in new[] { assemblyDir, AppContext.BaseDirectory })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            candidates.Add(Path.Combine(dir, FileName));
            candidates.Add(Path.Combine(dir, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", FileName));
            candidates.Add(Path.Combine(dir, "runtimes", "linux-x64", "native", FileName));
        }
        foreach (string path in candidates)
        {
            if (!File.Exists(path)) continue;
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"TorchZoo found its native library at {path} but could not load libtorch ({e.Message}). " +
                    "Install libtorch: on Debian/Ubuntu run scripts/setup or 'apt-get install libtorch-dev libopenblas0-openmp'; " +
                    "for a pytorch.org libtorch (e.g. with CUDA) add its lib folder to LD_LIBRARY_PATH.", e);
            }
        }
        if (NativeLibrary.TryLoad(FileName, assembly, searchPath, out IntPtr handle)) return handle;
        throw new DllNotFoundException(
            $"TorchZoo's native library {FileName} was not found next to {assembly.GetName().Name}.dll: " +
            "build the TorchZoo.Torch project (it builds the shim with CMake) or reference the TorchZoo.Torch package.");
    }
}
