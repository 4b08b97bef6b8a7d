using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>
/// A CPU random number generator (libtorch's Philox/MT19937 CPU generator) with its own seed and state,
/// so a component's randomness does not depend on what else drew numbers. Pass it to random factories.
/// </summary>
public sealed class Generator : IDisposable
{
    private IntPtr handle;

    public Generator(ulong seed) => handle = TorchException.Check(NativeMethods.tz_generator_new(seed));

    private Generator(IntPtr existing) => handle = existing;

    /// <summary>
    /// A handle to libtorch's default CPU generator (used by dropout and by random calls without a generator),
    /// so its state can be saved and restored. Disposing the handle does not affect the generator.
    /// </summary>
    public static Generator Default() => new(TorchException.Check(NativeMethods.tz_default_generator()));

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(Generator));

    internal static IntPtr HandleOf(Generator? g) => g is null ? IntPtr.Zero : g.Handle;

    /// <summary>The seed the generator was last seeded with.</summary>
    public ulong Seed
    {
        get
        {
            ulong s = NativeMethods.tz_generator_seed(Handle);
            GC.KeepAlive(this);
            return s;
        }
    }

    /// <summary>Reseeds, restarting the sequence.</summary>
    public void ManualSeed(ulong seed)
    {
        TorchException.Check(NativeMethods.tz_generator_set_seed(Handle, seed));
        GC.KeepAlive(this);
    }

    /// <summary>The full state as a byte tensor, for checkpoints.</summary>
    public Tensor GetState()
    {
        var t = Tensor.Wrap(NativeMethods.tz_generator_get_state(Handle), this);
        return t;
    }

    /// <summary>Restores a state obtained from <see cref="GetState"/>.</summary>
    public void SetState(Tensor state)
    {
        TorchException.Check(NativeMethods.tz_generator_set_state(Handle, state.Handle));
        GC.KeepAlive(this);
        GC.KeepAlive(state);
    }

    public void Dispose()
    {
        if (handle == IntPtr.Zero) return;
        NativeMethods.tz_generator_free(handle);
        handle = IntPtr.Zero;
        GC.SuppressFinalize(this);
    }

    ~Generator()
    {
        if (handle != IntPtr.Zero) NativeMethods.tz_generator_free(handle);
    }
}
