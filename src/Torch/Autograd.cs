using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>Autograd controls: gradient mode and explicit gradients.</summary>
public static class Autograd
{
    /// <summary>Whether operations on this thread are being recorded.</summary>
    public static bool IsGradEnabled => NativeMethods.tz_grad_enabled() != 0;

    /// <summary>Turns recording off on this thread until the returned scope is disposed.</summary>
    public static GradModeScope NoGrad() => new(false);

    /// <summary>Turns recording on on this thread until the returned scope is disposed.</summary>
    public static GradModeScope EnableGrad() => new(true);

    /// <summary>
    /// Gradients of the outputs with respect to the inputs, without touching <c>.Grad</c>. An entry is
    /// null for an input the outputs do not depend on when <paramref name="allowUnused"/>.
    /// </summary>
    public static unsafe Tensor?[] Grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor>? gradOutputs = null, bool retainGraph = false, bool createGraph = false, bool allowUnused = false)
    {
        IntPtr[] outs = Tensor.Handles(outputs);
        IntPtr[] ins = Tensor.Handles(inputs);
        IntPtr[]? gos = gradOutputs is null ? null : Tensor.Handles(gradOutputs);
        if (gos is not null && gos.Length != outs.Length)
            throw new ArgumentException($"{gos.Length} output gradients were given for {outs.Length} outputs.", nameof(gradOutputs));
        var result = new IntPtr[ins.Length];
        int status;
        fixed (IntPtr* o = outs)
        fixed (IntPtr* i = ins)
        fixed (IntPtr* g = gos)
        fixed (IntPtr* r = result)
            status = NativeMethods.tz_autograd_grad(o, outs.Length, gos is null ? null : g, i, ins.Length,
                retainGraph || createGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, r);
        Tensor.Check(status, outputs, inputs, gradOutputs);
        var grads = new Tensor?[ins.Length];
        for (int k = 0; k < grads.Length; k++) grads[k] = result[k] == IntPtr.Zero ? null : new Tensor(result[k]);
        return grads;
    }

    /// <summary>Restores the previous gradient mode when disposed.</summary>
    public readonly struct GradModeScope : IDisposable
    {
        private readonly bool previous;

        internal GradModeScope(bool enabled) => previous = NativeMethods.tz_set_grad_enabled(enabled ? 1 : 0) != 0;

        public void Dispose() => NativeMethods.tz_set_grad_enabled(previous ? 1 : 0);
    }
}
