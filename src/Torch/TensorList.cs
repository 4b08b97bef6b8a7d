using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>
/// In-place operations over lists of tensors in one native call (libtorch's <c>_foreach_</c> kernels),
/// which cut the per-tensor overhead of optimizer steps over many parameters.
/// </summary>
public static unsafe class TensorList
{
    /// <summary>xs[i] += alpha·ys[i].</summary>
    public static void Add_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys, double alpha = 1) => Binary(BinaryOp.Add, xs, ys, alpha);
    public static void Sub_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys, double alpha = 1) => Binary(BinaryOp.Sub, xs, ys, alpha);
    public static void Mul_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys) => Binary(BinaryOp.Mul, xs, ys, 1);
    public static void Div_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys) => Binary(BinaryOp.Div, xs, ys, 1);
    public static void Maximum_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys) => Binary(BinaryOp.Maximum, xs, ys, 1);

    public static void Add_(IReadOnlyList<Tensor> xs, double scalar) => Scalar(BinaryOp.Add, xs, scalar);
    public static void Mul_(IReadOnlyList<Tensor> xs, double scalar) => Scalar(BinaryOp.Mul, xs, scalar);
    public static void Div_(IReadOnlyList<Tensor> xs, double scalar) => Scalar(BinaryOp.Div, xs, scalar);

    public static void Sqrt_(IReadOnlyList<Tensor> xs) => Unary(UnaryOp.Sqrt, xs);
    public static void Zero_(IReadOnlyList<Tensor> xs) => Unary(UnaryOp.Zero, xs);
    public static void Neg_(IReadOnlyList<Tensor> xs) => Unary(UnaryOp.Neg, xs);
    public static void Abs_(IReadOnlyList<Tensor> xs) => Unary(UnaryOp.Abs, xs);

    /// <summary>xs[i] += value·t1[i]·t2[i].</summary>
    public static void Addcmul_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> t1, IReadOnlyList<Tensor> t2, double value = 1) => Addc(0, xs, t1, t2, value);

    /// <summary>xs[i] += value·t1[i]/t2[i].</summary>
    public static void Addcdiv_(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> t1, IReadOnlyList<Tensor> t2, double value = 1) => Addc(1, xs, t1, t2, value);

    /// <summary>The p-norm of every tensor (zero-dimensional results).</summary>
    public static Tensor[] Norm(IReadOnlyList<Tensor> xs, double p = 2)
    {
        IntPtr[] h = Tensor.Handles(xs);
        var output = new IntPtr[h.Length];
        int status;
        fixed (IntPtr* a = h)
        fixed (IntPtr* o = output) status = NativeMethods.tz_foreach_norm(a, h.Length, p, o);
        Tensor.Check(status, xs);
        return Tensor.Adopt(output, output.Length);
    }

    private static void Binary(BinaryOp op, IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys, double alpha)
    {
        SameLength(xs, ys);
        IntPtr[] a = Tensor.Handles(xs), b = Tensor.Handles(ys);
        int status;
        fixed (IntPtr* pa = a)
        fixed (IntPtr* pb = b) status = NativeMethods.tz_foreach_binary_((int)op, pa, pb, a.Length, alpha);
        Tensor.Check(status, xs, ys);
    }

    private static void Scalar(BinaryOp op, IReadOnlyList<Tensor> xs, double scalar)
    {
        IntPtr[] a = Tensor.Handles(xs);
        int status;
        fixed (IntPtr* pa = a) status = NativeMethods.tz_foreach_scalar_((int)op, pa, a.Length, scalar);
        Tensor.Check(status, xs);
    }

    private static void Unary(UnaryOp op, IReadOnlyList<Tensor> xs)
    {
        IntPtr[] a = Tensor.Handles(xs);
        int status;
        fixed (IntPtr* pa = a) status = NativeMethods.tz_foreach_unary_((int)op, pa, a.Length);
        Tensor.Check(status, xs);
    }

    private static void Addc(int kind, IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> t1, IReadOnlyList<Tensor> t2, double value)
    {
        SameLength(xs, t1);
        SameLength(xs, t2);
        IntPtr[] a = Tensor.Handles(xs), b = Tensor.Handles(t1), c = Tensor.Handles(t2);
        int status;
        fixed (IntPtr* pa = a)
        fixed (IntPtr* pb = b)
        fixed (IntPtr* pc = c) status = NativeMethods.tz_foreach_addc_(kind, pa, pb, pc, a.Length, value);
        Tensor.Check(status, xs, t1, t2);
    }

    private static void SameLength(IReadOnlyList<Tensor> xs, IReadOnlyList<Tensor> ys)
    {
        if (xs.Count != ys.Count)
            throw new ArgumentException($"The tensor lists have different lengths ({xs.Count} and {ys.Count}).");
    }
}
