using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

// Reductions. With no dimensions given they reduce over every element.
public partial class Tensor
{
    private unsafe Tensor Reduce(ReduceOp op, long[]? dims, bool keepDim, double param = 0)
    {
        dims ??= Array.Empty<long>();
        fixed (long* d = dims) return Wrap(NativeMethods.tz_reduce((int)op, Handle, d, dims.Length, keepDim ? 1 : 0, param), this);
    }

    public Tensor Sum(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Sum, dims, keepDim);
    public Tensor Mean(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Mean, dims, keepDim);
    public Tensor Prod(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Prod, dims, keepDim);
    public Tensor Amax(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Amax, dims, keepDim);
    public Tensor Amin(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Amin, dims, keepDim);
    public Tensor All(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.All, dims, keepDim);
    public Tensor Any(long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Any, dims, keepDim);
    public Tensor LogSumExp(long[] dims, bool keepDim = false) => Reduce(ReduceOp.LogSumExp, dims, keepDim);
    /// <summary>Variance; unbiased (divides by N − 1) by default, as PyTorch.</summary>
    public Tensor Var(long[]? dims = null, bool unbiased = true, bool keepDim = false) => Reduce(ReduceOp.Var, dims, keepDim, unbiased ? 1 : 0);
    /// <summary>Standard deviation; unbiased (N − 1) by default, as PyTorch.</summary>
    public Tensor Std(long[]? dims = null, bool unbiased = true, bool keepDim = false) => Reduce(ReduceOp.Std, dims, keepDim, unbiased ? 1 : 0);
    /// <summary>Vector p-norm over the dimensions (p = 2 by default; ∞ allowed).</summary>
    public Tensor Norm(double p = 2, long[]? dims = null, bool keepDim = false) => Reduce(ReduceOp.Norm, dims, keepDim, p);

    public Tensor Sum(long dim, bool keepDim = false) => Sum(new[] { dim }, keepDim);
    public Tensor Mean(long dim, bool keepDim = false) => Mean(new[] { dim }, keepDim);

    /// <summary>Largest values and their indices along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) => MinMax(0, dim, keepDim);

    /// <summary>Smallest values and their indices along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) => MinMax(1, dim, keepDim);

    /// <summary>The largest element.</summary>
    public Tensor Max() => Amax();

    /// <summary>The smallest element.</summary>
    public Tensor Min() => Amin();

    private (Tensor, Tensor) MinMax(int kind, long dim, bool keepDim)
    {
        Check(NativeMethods.tz_minmax_dim(kind, Handle, dim, keepDim ? 1 : 0, out IntPtr v, out IntPtr i), this);
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Index of the largest element along <paramref name="dim"/>, or in the flattened tensor.</summary>
    public Tensor ArgMax(long? dim = null, bool keepDim = false) =>
        Wrap(NativeMethods.tz_argminmax(0, Handle, dim.HasValue ? 1 : 0, dim ?? 0, keepDim ? 1 : 0), this);

    public Tensor ArgMin(long? dim = null, bool keepDim = false) =>
        Wrap(NativeMethods.tz_argminmax(1, Handle, dim.HasValue ? 1 : 0, dim ?? 0, keepDim ? 1 : 0), this);

    public Tensor CumSum(long dim) => Wrap(NativeMethods.tz_cumsum(Handle, dim), this);

    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true)
    {
        Check(NativeMethods.tz_topk(Handle, k, dim, largest ? 1 : 0, out IntPtr v, out IntPtr i), this);
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>
    /// The <paramref name="k"/>-th smallest value along <paramref name="dim"/> (1-based, as torch.kthvalue; NaN counts as
    /// the largest) and its index: the value <see cref="Sort"/> puts at position k − 1, found by selection in linear time
    /// instead of sorting.
    /// </summary>
    public (Tensor Values, Tensor Indices) Kthvalue(long k, long dim = -1, bool keepDim = false)
    {
        Check(NativeMethods.tz_kthvalue(Handle, k, dim, keepDim ? 1 : 0, out IntPtr v, out IntPtr i), this);
        return (new Tensor(v), new Tensor(i));
    }

    /// <summary>Stable sort along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false)
    {
        Check(NativeMethods.tz_sort(Handle, dim, descending ? 1 : 0, out IntPtr v, out IntPtr i), this);
        return (new Tensor(v), new Tensor(i));
    }
}
