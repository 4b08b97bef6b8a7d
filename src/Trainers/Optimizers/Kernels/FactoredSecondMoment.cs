using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// Adafactor's factored second moment (Shazeer &amp; Stern, arXiv 1804.04235), shared by Adafactor, CAME and AdaLomo.
/// For a tensor of two or more dimensions, only the row means R (over the last dimension) and the column means C
/// (over the second-to-last) of an EMA of X are kept; the full estimate is the rank-1 matrix V̂ = R·Cᵀ/mean(R)
/// (leading dimensions are batch dimensions). A tensor of one dimension keeps the full EMA.
/// State: 4(m + n) bytes per m×n slice instead of 4mn.
/// </summary>
public static class FactoredSecondMoment
{
    /// <summary>Whether a parameter of this shape is factored (two or more dimensions).</summary>
    public static bool IsFactored(Tensor parameter) => parameter.Dim >= 2;

    /// <summary>
    /// Updates the EMA of <paramref name="x"/> (e.g. G² + ε1) with rate <paramref name="beta"/> in the state entries
    /// <c>{name}_row</c>/<c>{name}_col</c> (factored) or <c>{name}</c> (one dimension), creating them as zeros.
    /// </summary>
    public static void Update(ParameterState state, string name, Tensor x, double beta)
    {
        if (x.Dim >= 2)
        {
            Tensor row = state.GetOrCreate(name + "_row", () => x.Mean(-1).ZerosLike());
            Tensor col = state.GetOrCreate(name + "_col", () => x.Mean(-2).ZerosLike());
            row.Mul_(beta).Add_(x.Mean(-1), 1 - beta);
            col.Mul_(beta).Add_(x.Mean(-2), 1 - beta);
        }
        else
        {
            Tensor v = state.GetOrCreate(name, () => x.ZerosLike());
            v.Mul_(beta).Add_(x, 1 - beta);
        }
    }

    /// <summary>
    /// 1/√V̂ for the current state (a new tensor of the parameter's shape, or broadcastable to it):
    /// rsqrt(R/mean(R)) ⊗ rsqrt(C) when factored, rsqrt(V) otherwise.
    /// </summary>
    public static Tensor InverseSqrt(ParameterState state, string name, int dim)
    {
        if (dim >= 2)
        {
            Tensor row = state.Get(name + "_row"), col = state.Get(name + "_col");
            Tensor rowFactor = row.Div(row.Mean(-1, keepDim: true)).Rsqrt_().Unsqueeze(-1);
            return rowFactor.Mul(col.Unsqueeze(-2).Rsqrt());
        }
        return state.Get(name).Rsqrt();
    }

    /// <summary>RMS(x) = √mean(x²), as a one-element tensor.</summary>
    public static Tensor Rms(Tensor x) => x.Square().Mean().Sqrt_();

    /// <summary>Update clipping in place: u ← u / max(1, RMS(u)/d), so only updates with RMS above d shrink.</summary>
    public static Tensor ClipByRms(Tensor u, double threshold)
    {
        using Tensor factor = Rms(u).Div_(threshold).Clamp_(min: 1.0);
        return u.Div_(factor);
    }
}
