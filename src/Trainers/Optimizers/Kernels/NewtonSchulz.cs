using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>Coefficients (a, b, c) of the quintic iteration X ← aX + (bA + cA²)X with A = XXᵀ.</summary>
public sealed record NewtonSchulzCoefficients(double A, double B, double C)
{
    /// <summary>Keller Jordan's Muon coefficients (3.4445, −4.7750, 2.0315): fast, converges to ≈ U·diag(0.7..1.2)·Vᵀ.</summary>
    public static NewtonSchulzCoefficients Quintic { get; } = new(3.4445, -4.7750, 2.0315);

    /// <summary>The classic cubic-like Newton–Schulz (1.5, −0.5, 0): slow but converges to the exact polar factor.</summary>
    public static NewtonSchulzCoefficients Classic { get; } = new(1.5, -0.5, 0);
}

/// <summary>Approximate orthogonalization (the polar factor U·Vᵀ of G = U·S·Vᵀ) by Newton–Schulz iterations.</summary>
public static class NewtonSchulz
{
    /// <summary>
    /// Returns ≈ U·Vᵀ for a 2-D <paramref name="g"/>: X = G/(‖G‖_F + ε), transposed when rows &gt; cols so
    /// the Gram matrix is the small side, then <paramref name="steps"/> iterations, in float32 (float64 for float64
    /// input: its rounding noise must stay far below the ε of the adaptive rules that normalize the result).
    /// </summary>
    public static Tensor Orthogonalize(Tensor g, NewtonSchulzCoefficients coefficients, int steps = 5, double eps = 1e-7)
    {
        if (g.Dim != 2) throw new ArgumentException($"Newton–Schulz needs a matrix, got shape {Tensor.FormatShape(g.Shape)}.", nameof(g));
        long rows = g.Size(0), cols = g.Size(1);
        bool transpose = rows > cols;
        Tensor x = g.To(g.Dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32, copy: true);
        if (transpose) x = x.MT;
        using (Tensor norm = x.Norm()) x.Div_(norm.Add_(eps));
        var (a, b, c) = (coefficients.A, coefficients.B, coefficients.C);
        for (int i = 0; i < steps; i++)
        {
            using Tensor gram = Linalg.Gram(x);
            // b·A + c·A² in one GEMM: addmm computes beta·A + alpha·(A @ A).
            using Tensor poly = Linalg.Addmm(gram, gram, gram, beta: b, alpha: c);
            Tensor next = Linalg.Addmm(x, poly, x, beta: a, alpha: 1);
            x.Dispose();
            x = next;
        }
        if (transpose) x = x.MT;
        return x.To(g.Dtype);
    }
}
