using System.Runtime.InteropServices;
using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>
/// A libtorch tensor. It owns one reference to the native tensor and releases it on <see cref="Dispose"/>
/// (or, as a last resort, on finalization). Tensors created while a <see cref="DisposeScope"/> is open are
/// disposed with it. Using a disposed tensor throws <see cref="ObjectDisposedException"/>.
/// </summary>
public partial class Tensor : IDisposable
{
    private readonly TensorHandle handle;
    private IntPtr ptr;

    internal Tensor(IntPtr nativeHandle)
    {
        handle = new TensorHandle(nativeHandle);
        ptr = nativeHandle;
        DisposeScope.Adopt(this);
    }

    internal DisposeScope? Scope { get; set; }

    /// <summary>The native handle; throws if the tensor has been disposed.</summary>
    internal IntPtr Handle
    {
        get
        {
            IntPtr p = ptr;
            if (p == IntPtr.Zero) ThrowDisposed();
            return p;
        }
    }

    private static void ThrowDisposed() =>
        throw new ObjectDisposedException(nameof(Tensor), "The tensor has been disposed (directly or by the DisposeScope that owned it).");

    /// <summary>True once the tensor has been disposed.</summary>
    public bool IsDisposed => ptr == IntPtr.Zero;

    public void Dispose()
    {
        if (ptr == IntPtr.Zero) return;
        ptr = IntPtr.Zero;
        handle.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Moves this tensor from its scope to the enclosing one (or to none) and returns it.</summary>
    public Tensor MoveToOuterScope()
    {
        DisposeScope? outer = Scope?.Outer;
        Scope = null;
        outer?.Take(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller now disposes it. Returns it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope = null;
        return this;
    }

    // Wrap/Check take the tensors a call used as trailing arguments: C# evaluates arguments left to right,
    // so those tensors stay reachable (and their handles alive) until the native call has returned.
    internal static Tensor Wrap(IntPtr result, object? keep1 = null, object? keep2 = null, object? keep3 = null)
    {
        GC.KeepAlive(keep1);
        GC.KeepAlive(keep2);
        GC.KeepAlive(keep3);
        return new Tensor(TorchException.Check(result));
    }

    internal static void Check(int status, object? keep1 = null, object? keep2 = null, object? keep3 = null)
    {
        GC.KeepAlive(keep1);
        GC.KeepAlive(keep2);
        GC.KeepAlive(keep3);
        TorchException.Check(status);
    }

    internal static IntPtr HandleOf(Tensor? t) => t is null ? IntPtr.Zero : t.Handle;

    // ---- properties ----------------------------------------------------------------------------

    /// <summary>Number of dimensions.</summary>
    public int Dim => Keep(NativeMethods.tz_dim(Handle));

    /// <summary>Size of every dimension.</summary>
    public unsafe long[] Shape
    {
        get
        {
            int n = NativeMethods.tz_dim(Handle);
            var shape = new long[n];
            fixed (long* p = shape) NativeMethods.tz_shape(Handle, p, n);
            GC.KeepAlive(this);
            return shape;
        }
    }

    /// <summary>Stride of every dimension, in elements.</summary>
    public unsafe long[] Strides
    {
        get
        {
            int n = NativeMethods.tz_dim(Handle);
            var strides = new long[n];
            fixed (long* p = strides) NativeMethods.tz_strides(Handle, p, n);
            GC.KeepAlive(this);
            return strides;
        }
    }

    /// <summary>Size of one dimension (negative counts from the end).</summary>
    public long Size(int dim)
    {
        long[] shape = Shape;
        int d = dim < 0 ? dim + shape.Length : dim;
        if (d < 0 || d >= shape.Length)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Dimension out of range for a tensor of shape {FormatShape(shape)}.");
        return shape[d];
    }

    /// <summary>Total number of elements.</summary>
    public long NumberOfElements => Keep(NativeMethods.tz_numel(Handle));

    /// <summary>Element type.</summary>
    public ScalarType Dtype => (ScalarType)Keep(NativeMethods.tz_dtype(Handle));

    /// <summary>Where the data lives.</summary>
    public Device Device
    {
        get
        {
            NativeMethods.tz_device(Handle, out int type, out int index);
            GC.KeepAlive(this);
            return new Device((DeviceType)type, index);
        }
    }

    /// <summary>True when the elements are laid out densely in row-major order.</summary>
    public bool IsContiguous => Keep(NativeMethods.tz_is_contiguous(Handle)) != 0;

    /// <summary>Bytes per element times elements.</summary>
    public long ByteCount => NumberOfElements * Dtype.ElementSize();

    /// <summary>Address of the first element (CPU tensors; valid while the tensor lives and is not resized).</summary>
    public IntPtr DataPointer => Keep(NativeMethods.tz_data_ptr(Handle));

    private T Keep<T>(T value)
    {
        GC.KeepAlive(this);
        return value;
    }

    /// <summary>Formats a shape as PyTorch prints it: [2, 3].</summary>
    public static string FormatShape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor({FormatShape(Shape)}, {Dtype}, {Device})";

    private sealed class TensorHandle : SafeHandle
    {
        public TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            NativeMethods.tz_tensor_free(handle);
            return true;
        }
    }
}
