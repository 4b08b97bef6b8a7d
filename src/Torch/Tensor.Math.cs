using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

// Elementwise math. A trailing underscore marks an in-place method, as in PyTorch; in-place methods
// return this tensor so they chain.
public partial class Tensor
{
    private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.tz_unary((int)op, Handle), this);

    private Tensor Unary_(UnaryOp op)
    {
        Check(NativeMethods.tz_unary_((int)op, Handle), this);
        return this;
    }

    private Tensor Binary(BinaryOp op, Tensor other, double alpha = 1) =>
        Wrap(NativeMethods.tz_binary((int)op, Handle, other.Handle, alpha), this, other);

    private Tensor Binary_(BinaryOp op, Tensor other, double alpha = 1)
    {
        Check(NativeMethods.tz_binary_((int)op, Handle, other.Handle, alpha), this, other);
        return this;
    }

    private Tensor BinaryScalar(BinaryOp op, double other) => Wrap(NativeMethods.tz_binary_scalar((int)op, Handle, other), this);

    private Tensor BinaryScalar_(BinaryOp op, double other)
    {
        Check(NativeMethods.tz_binary_scalar_((int)op, Handle, other), this);
        return this;
    }

    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Log2() => Unary(UnaryOp.Log2);
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    public Tensor Expm1() => Unary(UnaryOp.Expm1);
    public Tensor Sin() => Unary(UnaryOp.Sin);
    public Tensor Cos() => Unary(UnaryOp.Cos);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Relu() => Unary(UnaryOp.Relu);
    /// <summary>GELU; exact (erf) by default, or the tanh approximation.</summary>
    public Tensor Gelu(bool tanhApproximation = false) => Unary(tanhApproximation ? UnaryOp.GeluTanh : UnaryOp.Gelu);
    public Tensor Silu() => Unary(UnaryOp.Silu);
    public Tensor Softplus() => Unary(UnaryOp.Softplus);
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor Ceil() => Unary(UnaryOp.Ceil);
    public Tensor Round() => Unary(UnaryOp.Round);
    public Tensor Trunc() => Unary(UnaryOp.Trunc);
    public Tensor Erf() => Unary(UnaryOp.Erf);
    public Tensor Erfinv() => Unary(UnaryOp.Erfinv);
    public Tensor IsNaN() => Unary(UnaryOp.IsNan);
    public Tensor IsInf() => Unary(UnaryOp.IsInf);
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);

    public Tensor Neg_() => Unary_(UnaryOp.Neg);
    public Tensor Abs_() => Unary_(UnaryOp.Abs);
    public Tensor Sign_() => Unary_(UnaryOp.Sign);
    public Tensor Sqrt_() => Unary_(UnaryOp.Sqrt);
    public Tensor Rsqrt_() => Unary_(UnaryOp.Rsqrt);
    public Tensor Exp_() => Unary_(UnaryOp.Exp);
    public Tensor Log_() => Unary_(UnaryOp.Log);
    public Tensor Tanh_() => Unary_(UnaryOp.Tanh);
    public Tensor Sigmoid_() => Unary_(UnaryOp.Sigmoid);
    public Tensor Relu_() => Unary_(UnaryOp.Relu);
    public Tensor Reciprocal_() => Unary_(UnaryOp.Reciprocal);
    public Tensor Square_() => Unary_(UnaryOp.Square);
    public Tensor Floor_() => Unary_(UnaryOp.Floor);
    public Tensor Round_() => Unary_(UnaryOp.Round);
    public Tensor Zero_() => Unary_(UnaryOp.Zero);
    public Tensor Erfinv_() => Unary_(UnaryOp.Erfinv);

    /// <summary>Matrix product with broadcasting (torch.matmul).</summary>
    public Tensor Matmul(Tensor other) => Linalg.Matmul(this, other);

    /// <summary>this + alpha·other.</summary>
    public Tensor Add(Tensor other, double alpha = 1) => Binary(BinaryOp.Add, other, alpha);
    /// <summary>this − alpha·other.</summary>
    public Tensor Sub(Tensor other, double alpha = 1) => Binary(BinaryOp.Sub, other, alpha);
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, other);
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, other);
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    public Tensor Atan2(Tensor other) => Binary(BinaryOp.Atan2, other);
    public Tensor Fmod(Tensor other) => Binary(BinaryOp.Fmod, other);
    public Tensor Remainder(Tensor other) => Binary(BinaryOp.Remainder, other);

    public Tensor Add(double other) => BinaryScalar(BinaryOp.Add, other);
    public Tensor Sub(double other) => BinaryScalar(BinaryOp.Sub, other);
    public Tensor Mul(double other) => BinaryScalar(BinaryOp.Mul, other);
    public Tensor Div(double other) => BinaryScalar(BinaryOp.Div, other);
    public Tensor Pow(double exponent) => BinaryScalar(BinaryOp.Pow, exponent);
    public Tensor Fmod(double other) => BinaryScalar(BinaryOp.Fmod, other);
    public Tensor Remainder(double other) => BinaryScalar(BinaryOp.Remainder, other);

    /// <summary>this += alpha·other.</summary>
    public Tensor Add_(Tensor other, double alpha = 1) => Binary_(BinaryOp.Add, other, alpha);
    /// <summary>this −= alpha·other.</summary>
    public Tensor Sub_(Tensor other, double alpha = 1) => Binary_(BinaryOp.Sub, other, alpha);
    public Tensor Mul_(Tensor other) => Binary_(BinaryOp.Mul, other);
    public Tensor Div_(Tensor other) => Binary_(BinaryOp.Div, other);
    public Tensor Pow_(Tensor exponent) => Binary_(BinaryOp.Pow, exponent);
    public Tensor Maximum_(Tensor other) => Binary_(BinaryOp.Maximum, other);
    public Tensor Minimum_(Tensor other) => Binary_(BinaryOp.Minimum, other);
    /// <summary>Copies the elements of <paramref name="source"/> (broadcast, converted) into this tensor.</summary>
    public Tensor Copy_(Tensor source) => Binary_(BinaryOp.Copy, source);

    public Tensor Add_(double other) => BinaryScalar_(BinaryOp.Add, other);
    public Tensor Sub_(double other) => BinaryScalar_(BinaryOp.Sub, other);
    public Tensor Mul_(double other) => BinaryScalar_(BinaryOp.Mul, other);
    public Tensor Div_(double other) => BinaryScalar_(BinaryOp.Div, other);
    public Tensor Pow_(double exponent) => BinaryScalar_(BinaryOp.Pow, exponent);

    /// <summary>this + value·t1·t2.</summary>
    public Tensor Addcmul(Tensor t1, Tensor t2, double value = 1) => Wrap(NativeMethods.tz_addc(0, Handle, t1.Handle, t2.Handle, value), this, t1, t2);
    /// <summary>this + value·t1/t2.</summary>
    public Tensor Addcdiv(Tensor t1, Tensor t2, double value = 1) => Wrap(NativeMethods.tz_addc(1, Handle, t1.Handle, t2.Handle, value), this, t1, t2);

    /// <summary>this += value·t1·t2.</summary>
    public Tensor Addcmul_(Tensor t1, Tensor t2, double value = 1)
    {
        Check(NativeMethods.tz_addc_(0, Handle, t1.Handle, t2.Handle, value), this, t1, t2);
        return this;
    }

    /// <summary>this += value·t1/t2.</summary>
    public Tensor Addcdiv_(Tensor t1, Tensor t2, double value = 1)
    {
        Check(NativeMethods.tz_addc_(1, Handle, t1.Handle, t2.Handle, value), this, t1, t2);
        return this;
    }

    /// <summary>this + weight·(end − this).</summary>
    public Tensor Lerp(Tensor end, double weight) => Wrap(NativeMethods.tz_lerp(Handle, end.Handle, weight, IntPtr.Zero), this, end);
    public Tensor Lerp(Tensor end, Tensor weight) => Wrap(NativeMethods.tz_lerp(Handle, end.Handle, 0, weight.Handle), this, end, weight);

    /// <summary>this += weight·(end − this).</summary>
    public Tensor Lerp_(Tensor end, double weight)
    {
        Check(NativeMethods.tz_lerp_(Handle, end.Handle, weight, IntPtr.Zero), this, end);
        return this;
    }

    public Tensor Lerp_(Tensor end, Tensor weight)
    {
        Check(NativeMethods.tz_lerp_(Handle, end.Handle, 0, weight.Handle), this, end, weight);
        return this;
    }

    /// <summary>Clamps into [min, max]; either bound may be omitted.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(NativeMethods.tz_clamp(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0), this);

    public Tensor Clamp_(double? min = null, double? max = null)
    {
        Check(NativeMethods.tz_clamp_(Handle, min.HasValue ? 1 : 0, min ?? 0, max.HasValue ? 1 : 0, max ?? 0), this);
        return this;
    }

    /// <summary>Elements of <paramref name="whenTrue"/> where <paramref name="condition"/> holds, else of <paramref name="whenFalse"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor whenTrue, Tensor whenFalse) =>
        Wrap(NativeMethods.tz_where(condition.Handle, whenTrue.Handle, whenFalse.Handle), condition, whenTrue, whenFalse);

    /// <summary>A copy with <paramref name="value"/> wherever <paramref name="mask"/> is true.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Wrap(NativeMethods.tz_masked_fill(Handle, mask.Handle, value), this, mask);

    public Tensor MaskedFill_(Tensor mask, double value)
    {
        Check(NativeMethods.tz_masked_fill_(Handle, mask.Handle, value), this, mask);
        return this;
    }

    public Tensor Fill_(double value)
    {
        Check(NativeMethods.tz_fill_(Handle, value), this);
        return this;
    }

    // comparisons and logic: boolean results
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, other);
    public Tensor Ne(Tensor other) => Binary(BinaryOp.Ne, other);
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Lt, other);
    public Tensor Le(Tensor other) => Binary(BinaryOp.Le, other);
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Gt, other);
    public Tensor Ge(Tensor other) => Binary(BinaryOp.Ge, other);
    public Tensor Eq(double other) => BinaryScalar(BinaryOp.Eq, other);
    public Tensor Ne(double other) => BinaryScalar(BinaryOp.Ne, other);
    public Tensor Lt(double other) => BinaryScalar(BinaryOp.Lt, other);
    public Tensor Le(double other) => BinaryScalar(BinaryOp.Le, other);
    public Tensor Gt(double other) => BinaryScalar(BinaryOp.Gt, other);
    public Tensor Ge(double other) => BinaryScalar(BinaryOp.Ge, other);
    public Tensor LogicalAnd(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
    public Tensor LogicalOr(Tensor other) => Binary(BinaryOp.LogicalOr, other);
    public Tensor LogicalXor(Tensor other) => Binary(BinaryOp.LogicalXor, other);

    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator -(double a, Tensor b) => Wrap(NativeMethods.tz_scalar_binary((int)BinaryOp.Sub, a, b.Handle), b);
    public static Tensor operator /(double a, Tensor b) => Wrap(NativeMethods.tz_scalar_binary((int)BinaryOp.Div, a, b.Handle), b);
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>baseValue raised to each element.</summary>
    public static Tensor Pow(double baseValue, Tensor exponent) =>
        Wrap(NativeMethods.tz_scalar_binary((int)BinaryOp.Pow, baseValue, exponent.Handle), exponent);
}
