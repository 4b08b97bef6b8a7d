using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>Matrix products and decompositions (libtorch's <c>torch.linalg</c>).</summary>
public static class Linalg
{
    /// <summary>Matrix product with broadcasting (torch.matmul).</summary>
    public static Tensor Matmul(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.tz_matmul((int)MatmulOp.Matmul, a.Handle, b.Handle), a, b);
    public static Tensor Mm(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.tz_matmul((int)MatmulOp.Mm, a.Handle, b.Handle), a, b);
    public static Tensor Bmm(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.tz_matmul((int)MatmulOp.Bmm, a.Handle, b.Handle), a, b);
    public static Tensor Outer(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.tz_matmul((int)MatmulOp.Outer, a.Handle, b.Handle), a, b);
    public static Tensor Dot(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.tz_matmul((int)MatmulOp.Dot, a.Handle, b.Handle), a, b);

    /// <summary>beta·input + alpha·(a @ b) in one GEMM.</summary>
    public static Tensor Addmm(Tensor input, Tensor a, Tensor b, double beta = 1, double alpha = 1) =>
        Tensor.Wrap(NativeMethods.tz_addmm(input.Handle, a.Handle, b.Handle, beta, alpha), input, a, b);

    /// <summary>input ← beta·input + alpha·(a @ b), in place.</summary>
    public static Tensor Addmm_(Tensor input, Tensor a, Tensor b, double beta = 1, double alpha = 1)
    {
        Tensor.Check(NativeMethods.tz_addmm_(input.Handle, a.Handle, b.Handle, beta, alpha), input, a, b);
        return input;
    }

    /// <summary>
    /// a @ aᵀ of a matrix. On CPU, for float32 and float64 outside autograd, BLAS's syrk computes one triangle (half the
    /// multiply-adds of <see cref="Mm"/>) and the other is mirrored, so the result is exactly symmetric; elsewhere, or
    /// when the process has no CBLAS, it is <c>Mm(a, a.MT)</c>. For aᵀ @ a pass <c>a.MT</c>.
    /// </summary>
    public static Tensor Gram(Tensor a) => Tensor.Wrap(NativeMethods.tz_gram(a.Handle), a);

    /// <summary>A = U·diag(S)·Vh.</summary>
    public static (Tensor U, Tensor S, Tensor Vh) Svd(Tensor a, bool fullMatrices = false)
    {
        Tensor.Check(NativeMethods.tz_svd(a.Handle, fullMatrices ? 1 : 0, out IntPtr u, out IntPtr s, out IntPtr vh), a);
        return (new Tensor(u), new Tensor(s), new Tensor(vh));
    }

    /// <summary>Eigenvalues (ascending) and eigenvectors of a symmetric matrix.</summary>
    public static (Tensor Eigenvalues, Tensor Eigenvectors) Eigh(Tensor a, bool upper = false)
    {
        Tensor.Check(NativeMethods.tz_eigh(a.Handle, upper ? 1 : 0, out IntPtr l, out IntPtr q), a);
        return (new Tensor(l), new Tensor(q));
    }

    public static (Tensor Q, Tensor R) Qr(Tensor a, bool complete = false)
    {
        Tensor.Check(NativeMethods.tz_qr(a.Handle, complete ? 1 : 0, out IntPtr q, out IntPtr r), a);
        return (new Tensor(q), new Tensor(r));
    }

    public static Tensor Cholesky(Tensor a, bool upper = false) => Tensor.Wrap(NativeMethods.tz_cholesky(a.Handle, upper ? 1 : 0), a);
    public static Tensor Inverse(Tensor a) => Tensor.Wrap(NativeMethods.tz_inverse(a.Handle), a);
    public static Tensor Solve(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.tz_solve(a.Handle, b.Handle), a, b);
    public static Tensor Diag(Tensor a, long diagonal = 0) => Tensor.Wrap(NativeMethods.tz_diag(a.Handle, diagonal), a);

    /// <summary>Matrix norm over the last two dimensions: "fro", "nuc", "1", "-1", "2", "-2", "inf", "-inf".</summary>
    public static Tensor MatrixNorm(Tensor a, string ord = "fro", bool keepDim = false)
    {
        string[] known = { "fro", "nuc", "1", "-1", "2", "-2", "inf", "-inf" };
        if (Array.IndexOf(known, ord) < 0)
            throw new ArgumentException($"Unknown matrix norm '{ord}': expected one of {string.Join(", ", known)}.", nameof(ord));
        return Tensor.Wrap(NativeMethods.tz_matrix_norm(a.Handle, ord, keepDim ? 1 : 0), a);
    }
}
