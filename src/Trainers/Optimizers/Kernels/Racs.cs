using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// Row-and-column scaling (RACS): the matrix-balancing operator at the heart of REG. One pass divides every
/// row by the square root of its p-norm and every column by the square root of its p-norm; several passes
/// are Ruiz equilibration, which drives all row and column norms towards 1.
/// </summary>
public static class Racs
{
    /// <summary>diag(r+ε)^(−1/2)·U·diag(c+ε)^(−1/2), repeated <paramref name="passes"/> times (r, c: row and column p-norms).</summary>
    public static Tensor Balance(Tensor u, double p = 2, int passes = 1, double eps = 1e-8)
    {
        if (u.Dim != 2) throw new ArgumentException($"RACS needs a matrix, got shape {Tensor.FormatShape(u.Shape)}.", nameof(u));
        Tensor x = u;
        for (int k = 0; k < passes; k++)
        {
            using Tensor rowScale = x.Norm(p, new long[] { 1 }, keepDim: true).Add_(eps).Rsqrt_();
            using Tensor colScale = x.Norm(p, new long[] { 0 }, keepDim: true).Add_(eps).Rsqrt_();
            Tensor next = x.Mul(rowScale).Mul_(colScale);
            if (!ReferenceEquals(x, u)) x.Dispose();
            x = next;
        }
        return ReferenceEquals(x, u) ? u.Clone() : x;
    }

    /// <summary>X·ρ/(RMS(X) + ε) in place: the update's root-mean-square set to <paramref name="targetRms"/>.</summary>
    public static Tensor MatchRms(Tensor x, double targetRms, double eps = 1e-8)
    {
        using Tensor rms = x.Square().Mean().Sqrt_();
        x.Mul_(targetRms / (rms.Item() + eps));
        return x;
    }
}
