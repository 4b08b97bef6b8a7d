using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// AdamP/SGDP's projection (Heo et al., arXiv 2006.08217): for a scale-invariant weight (gradient nearly orthogonal
/// to the weight), remove the radial component of the update so it cannot grow the weight norm.
/// </summary>
public static class RadialProjection
{
    /// <summary>
    /// Tries the channel view (size(0), −1) and then the layer view (1, −1): if max|cos(g, θ)| over the view's rows is
    /// below δ/√(row length), removes from <paramref name="update"/> (in place, which must be contiguous) its component
    /// along each row's unit θ̂ = θ/(‖θ‖ + ε) and returns true. cos = g·θ/max(‖g‖‖θ‖, ε). Returns false otherwise.
    /// </summary>
    public static bool Apply(Tensor parameter, Tensor grad, Tensor update, double delta, double eps)
    {
        foreach (long rows in new[] { parameter.Size(0), 1L })
        {
            Tensor g = grad.Reshape(rows, -1), w = parameter.Reshape(rows, -1);
            long cols = w.Size(1);
            using Tensor dot = g.Mul(w).Sum(1).Abs_();
            using Tensor norms = g.Norm(2, new long[] { 1 }).Mul_(w.Norm(2, new long[] { 1 })).Clamp_(min: eps);
            using Tensor cosine = dot.Div_(norms).Max();
            if (cosine.Item() >= delta / Math.Sqrt(cols)) continue;
            using Tensor unit = w.Div(w.Norm(2, new long[] { 1 }, keepDim: true).Add_(eps));
            Tensor u = update.View(rows, -1);
            using Tensor radial = unit.Mul(u).Sum(1, keepDim: true);
            u.Sub_(unit.Mul(radial));
            return true;
        }
        return false;
    }
}
