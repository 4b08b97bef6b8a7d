using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

// Views, reshaping, joining, splitting and indexing.
public partial class Tensor
{
    public unsafe Tensor Reshape(params long[] shape)
    {
        fixed (long* s = shape) return Wrap(NativeMethods.tz_reshape(Handle, s, shape.Length), this);
    }

    /// <summary>A view with another shape; fails (as PyTorch's view) when the strides do not allow it.</summary>
    public unsafe Tensor View(params long[] shape)
    {
        fixed (long* s = shape) return Wrap(NativeMethods.tz_view(Handle, s, shape.Length), this);
    }

    public unsafe Tensor Permute(params long[] dims)
    {
        fixed (long* d = dims) return Wrap(NativeMethods.tz_permute(Handle, d, dims.Length), this);
    }

    public Tensor Transpose(long dim0, long dim1) => Wrap(NativeMethods.tz_transpose(Handle, dim0, dim1), this);

    /// <summary>The transpose of the last two dimensions.</summary>
    public Tensor MT => Transpose(-2, -1);

    public Tensor Contiguous() => Wrap(NativeMethods.tz_contiguous(Handle), this);

    /// <summary>Removes every size-1 dimension, or only <paramref name="dim"/> when given.</summary>
    public Tensor Squeeze(long? dim = null) => Wrap(NativeMethods.tz_squeeze(Handle, dim.HasValue ? 1 : 0, dim ?? 0), this);

    public Tensor Unsqueeze(long dim) => Wrap(NativeMethods.tz_unsqueeze(Handle, dim), this);

    public unsafe Tensor Expand(params long[] shape)
    {
        fixed (long* s = shape) return Wrap(NativeMethods.tz_expand(Handle, s, shape.Length), this);
    }

    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(NativeMethods.tz_flatten(Handle, startDim, endDim), this);

    public unsafe Tensor Repeat(params long[] repeats)
    {
        fixed (long* r = repeats) return Wrap(NativeMethods.tz_repeat(Handle, r, repeats.Length), this);
    }

    public unsafe Tensor Flip(params long[] dims)
    {
        fixed (long* d = dims) return Wrap(NativeMethods.tz_flip(Handle, d, dims.Length), this);
    }

    /// <summary>A view of <paramref name="length"/> entries of <paramref name="dim"/> from <paramref name="start"/>.</summary>
    public Tensor Narrow(long dim, long start, long length) => Wrap(NativeMethods.tz_narrow(Handle, dim, start, length), this);

    /// <summary>A view of entries start, start+step, … below end of <paramref name="dim"/> (PyTorch slicing rules).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1)
    {
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Slice step must be positive.");
        return Wrap(NativeMethods.tz_slice(Handle, dim, start, end, step), this);
    }

    /// <summary>The view at <paramref name="index"/> along <paramref name="dim"/>, which is removed.</summary>
    public Tensor Select(long dim, long index) => Wrap(NativeMethods.tz_select(Handle, dim, index), this);

    /// <summary>Select along the first dimension.</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[long index] => Select(0, index);

    public Tensor IndexSelect(long dim, Tensor index) => Wrap(NativeMethods.tz_index_select(Handle, dim, index.Handle), this, index);

    public Tensor Gather(long dim, Tensor index) => Wrap(NativeMethods.tz_gather(Handle, dim, index.Handle), this, index);

    /// <summary>A copy with <paramref name="source"/> written at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor Scatter(long dim, Tensor index, Tensor source) =>
        Wrap(NativeMethods.tz_scatter(0, Handle, dim, index.Handle, source.Handle), this, index, source);

    /// <summary>A copy with <paramref name="source"/> added at <paramref name="index"/> along <paramref name="dim"/>.</summary>
    public Tensor ScatterAdd(long dim, Tensor index, Tensor source) =>
        Wrap(NativeMethods.tz_scatter(1, Handle, dim, index.Handle, source.Handle), this, index, source);

    public Tensor MaskedSelect(Tensor mask) => Wrap(NativeMethods.tz_masked_select(Handle, mask.Handle), this, mask);

    public Tensor Tril(long diagonal = 0) => Wrap(NativeMethods.tz_triangle(0, Handle, diagonal), this);
    public Tensor Triu(long diagonal = 0) => Wrap(NativeMethods.tz_triangle(1, Handle, diagonal), this);

    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        IntPtr[] handles = Handles(tensors);
        fixed (IntPtr* h = handles) return Wrap(NativeMethods.tz_cat(h, handles.Length, dim), tensors);
    }

    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        IntPtr[] handles = Handles(tensors);
        fixed (IntPtr* h = handles) return Wrap(NativeMethods.tz_stack(h, handles.Length, dim), tensors);
    }

    /// <summary>Splits into at most <paramref name="chunks"/> views of equal size (the last may be smaller).</summary>
    public unsafe Tensor[] Chunk(long chunks, long dim = 0)
    {
        if (chunks <= 0) throw new ArgumentOutOfRangeException(nameof(chunks), chunks, "Chunk needs a positive number of chunks.");
        var output = new IntPtr[chunks];
        int n;
        fixed (IntPtr* o = output) n = NativeMethods.tz_chunk(Handle, chunks, dim, o, output.Length);
        Check(n, this);
        return Adopt(output, n);
    }

    /// <summary>Splits into views of the given sizes along <paramref name="dim"/>.</summary>
    public unsafe Tensor[] Split(long[] sizes, long dim = 0)
    {
        var output = new IntPtr[sizes.Length];
        int n;
        fixed (long* s = sizes)
        fixed (IntPtr* o = output) n = NativeMethods.tz_split(Handle, s, sizes.Length, dim, o, output.Length);
        Check(n, this);
        return Adopt(output, n);
    }

    /// <summary>Splits into views of <paramref name="size"/> entries (the last may be smaller).</summary>
    public Tensor[] Split(long size, long dim = 0)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Split needs a positive size.");
        long total = Size((int)dim);
        var sizes = new List<long>();
        for (long at = 0; at < total; at += size) sizes.Add(Math.Min(size, total - at));
        return Split(sizes.ToArray(), dim);
    }

    /// <summary>A copy with its own storage (recorded by autograd).</summary>
    public Tensor Clone() => Wrap(NativeMethods.tz_clone(Handle), this);

    /// <summary>The same data, cut from the autograd graph.</summary>
    public Tensor Detach() => Wrap(NativeMethods.tz_detach(Handle), this);

    /// <summary>A second handle to the same tensor (same data, same autograd identity), disposed separately.</summary>
    public Tensor Alias() => Wrap(NativeMethods.tz_alias(Handle), this);

    /// <summary>Converts the element type (a no-op handle when it already matches, unless <paramref name="copy"/>).</summary>
    public Tensor To(ScalarType dtype, bool copy = false) => To(dtype, Device, copy);

    /// <summary>Moves to a device.</summary>
    public Tensor To(Device device, bool copy = false) => To(Dtype, device, copy);

    public Tensor To(ScalarType dtype, Device device, bool copy = false) =>
        Wrap(NativeMethods.tz_to(Handle, (int)dtype, (int)device.Type, device.Index, copy ? 1 : 0), this);

    public Tensor Float() => To(ScalarType.Float32);
    public Tensor Double() => To(ScalarType.Float64);
    public Tensor Long() => To(ScalarType.Int64);

    /// <summary>Real and imaginary parts of a complex tensor as a trailing dimension of size 2.</summary>
    public Tensor ViewAsReal() => Wrap(NativeMethods.tz_view_as_real(Handle), this);

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var handles = new IntPtr[tensors.Count];
        for (int i = 0; i < handles.Length; i++)
            handles[i] = (tensors[i] ?? throw new ArgumentNullException(nameof(tensors), $"Tensor {i} of the list is null.")).Handle;
        return handles;
    }

    internal static Tensor[] Adopt(IntPtr[] handles, int count)
    {
        var result = new Tensor[count];
        for (int i = 0; i < count; i++) result[i] = new Tensor(handles[i]);
        return result;
    }
}
