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
        if (ProjectedRows(parameter, grad, delta, eps) is not { } rows) return false;
        Project_(parameter, update, rows, eps);
        return true;
    }

    /// <summary>
    /// The view the projection applies to — <c>size(0)</c> rows (channels) or 1 (the whole layer) — or null when the
    /// gradient is not orthogonal enough to the weight in either. Reads the gradient and the weight once: the layer
    /// view's dot product and norms are the sum of the row dot products and the root of the summed squared row norms.
    /// </summary>
    public static long? ProjectedRows(Tensor parameter, Tensor grad, double delta, double eps)
    {
        long rows = parameter.Size(0);
        Tensor g = grad.Reshape(rows, -1), w = parameter.Reshape(rows, -1);
        long cols = w.Size(1);
        using Tensor dots = g.Mul(w).Sum(1);
        using Tensor gNorms = g.Norm(2, new long[] { 1 });
        using Tensor wNorms = w.Norm(2, new long[] { 1 });
        using (Tensor rowNorms = gNorms.Mul(wNorms).Clamp_(min: eps))
        using (Tensor rowCosine = dots.Abs().Div_(rowNorms).Max())
        {
            if (rowCosine.Item() < delta / Math.Sqrt(cols)) return rows;
        }
        using Tensor dot = dots.Sum().Abs_();
        using Tensor norms = gNorms.Square().Sum().Sqrt_().Mul_(wNorms.Square().Sum().Sqrt_()).Clamp_(min: eps);
        using Tensor cosine = dot.Div_(norms);
        return cosine.Item() < delta / Math.Sqrt(rows * cols) ? 1 : null;
    }

    /// <summary>Removes from <paramref name="update"/> (contiguous, in place) its component along each row's unit weight.</summary>
    public static void Project_(Tensor parameter, Tensor update, long rows, double eps)
    {
        Tensor w = parameter.Reshape(rows, -1);
        using Tensor unit = w.Div(w.Norm(2, new long[] { 1 }, keepDim: true).Add_(eps));
        Tensor u = update.View(rows, -1);
        using Tensor radial = unit.Mul(u).Sum(1, keepDim: true);
        u.Sub_(unit.Mul(radial));
    }
}
