namespace TorchZoo.Torch;

/// <summary>
/// The native side could not be loaded: libtorch (or one of its dependencies) is not installed, or the shim
/// (libtorchzoo_native.so) is missing for this platform. The message names what is missing and how to install it.
/// </summary>
public sealed class NativeLibraryNotFoundException : Exception
{
    public NativeLibraryNotFoundException(string message, Exception? inner = null) : base(message, inner) { }
}
