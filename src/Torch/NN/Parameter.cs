using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch.NN;

/// <summary>
/// A trainable tensor owned by a module: a leaf that requires gradients, shares storage with the tensor it
/// was made from, and belongs to no <see cref="DisposeScope"/> (the module disposes it).
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>Wraps the data of <paramref name="data"/> (detached from any graph) as a parameter.</summary>
    public Parameter(Tensor data, bool requiresGrad = true) : base(Detached(data))
    {
        DetachFromDisposeScope();
        RequiresGrad = requiresGrad;
    }

    private static IntPtr Detached(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        IntPtr h = TorchException.Check(NativeMethods.tz_detach(data.Handle));
        GC.KeepAlive(data);
        return h;
    }

    /// <summary>Replaces the storage (e.g. after a device or dtype change) while keeping this object's identity.</summary>
    public void SetData(Tensor data) => Check(NativeMethods.tz_set_data(Handle, data.Handle), this, data);
}
