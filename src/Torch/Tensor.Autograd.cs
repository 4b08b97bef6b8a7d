using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

public partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor.</summary>
    public bool RequiresGrad
    {
        get => Keep(NativeMethods.tz_requires_grad(Handle)) != 0;
        set => Check(NativeMethods.tz_set_requires_grad(Handle, value ? 1 : 0), this);
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
    public bool IsLeaf => Keep(NativeMethods.tz_is_leaf(Handle)) != 0;

    /// <summary>
    /// The accumulated gradient, or null. Each read returns a new handle to the same gradient tensor
    /// (dispose it, or let a scope do it); assigning replaces it, null clears it.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            Check(NativeMethods.tz_grad(Handle, out IntPtr g), this);
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check(NativeMethods.tz_set_grad(Handle, HandleOf(value)), this, value);
    }

    /// <summary>
    /// Makes the next backward pass keep this tensor's gradient in <see cref="Grad"/> even though it is not a leaf (an
    /// intermediate result such as a layer's output); on leaves it changes nothing. Throws when the tensor does not
    /// require grad. Returns this tensor. The gradient lives as long as some handle to this tensor does.
    /// </summary>
    public Tensor RetainGrad()
    {
        Check(NativeMethods.tz_retain_grad(Handle), this);
        return this;
    }

    /// <summary>True when a gradient has been accumulated.</summary>
    public bool HasGrad
    {
        get
        {
            Check(NativeMethods.tz_grad(Handle, out IntPtr g), this);
            if (g == IntPtr.Zero) return false;
            NativeMethods.tz_tensor_free(g);
            return true;
        }
    }

    /// <summary>
    /// Accumulates gradients of this tensor into the leaves. <paramref name="gradient"/> is required
    /// unless this tensor has one element. <paramref name="createGraph"/> records the backward pass
    /// itself, for higher-order derivatives (Hessian-vector products).
    /// </summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        Check(NativeMethods.tz_backward(Handle, HandleOf(gradient), retainGraph || createGraph ? 1 : 0, createGraph ? 1 : 0), this, gradient);
}
