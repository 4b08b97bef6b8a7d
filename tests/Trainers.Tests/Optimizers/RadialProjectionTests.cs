using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// AdamP/SGDP's projection test (<see cref="RadialProjection.ProjectedRows"/>): the channel view, then the layer view,
/// whose dot product and norms come from the channel view's rows instead of a second read. Each view is pinned by a
/// hand-built case, and the layer view's cosine against the one computed on the flattened tensors.
/// </summary>
public class RadialProjectionTests
{
    private static Tensor Matrix(float[] values, long rows) => Tensor.FromArray(values, rows, values.Length / rows);

    [Test]
    public void Orthogonal_rows_take_the_channel_view()
    {
        using var scope = DisposeScope.Enter();
        Tensor w = Matrix(new float[] { 1, 0, 0, 0, 0, 1, 0, 0 }, 2), g = Matrix(new float[] { 0, 1, 0, 0, 1, 0, 0, 0 }, 2);
        RadialProjection.ProjectedRows(w, g, delta: 0.1, eps: 1e-8).Should().Be(2);
    }

    [Test]
    public void Rows_whose_dot_products_cancel_take_the_layer_view_and_the_projection_removes_the_radial_part()
    {
        using var scope = DisposeScope.Enter();
        // Each row's gradient is parallel to its weight (|cos| = 1), but the two rows' dot products cancel: over the
        // whole layer the gradient is orthogonal to the weight.
        Tensor w = Matrix(new float[] { 1, 0, 0, 0, 1, 0, 0, 0 }, 2), g = Matrix(new float[] { 1, 0, 0, 0, -1, 0, 0, 0 }, 2);
        RadialProjection.ProjectedRows(w, g, delta: 0.1, eps: 1e-8).Should().Be(1);

        Tensor update = Matrix(new float[] { 3, 1, 0, 0, 5, 0, 2, 0 }, 2);
        RadialProjection.Project_(w, update, 1, eps: 0);
        // θ̂ = (1, 0, 0, 0, 1, 0, 0, 0)/√2, update·θ̂ = 8/√2: the radial part (4, 0, 0, 0, 4, 0, 0, 0) goes.
        update.ToArray<float>().Should().Equal(new[] { -1f, 1, 0, 0, 1, 0, 2, 0 }, (a, b) => Math.Abs(a - b) < 1e-6f);
    }

    [Test]
    public void A_gradient_along_the_weight_is_not_projected()
    {
        using var scope = DisposeScope.Enter();
        TorchRuntime.ManualSeed(3);
        Tensor w = Tensor.Randn(8, 16);
        RadialProjection.ProjectedRows(w, w.Mul(0.5), delta: 0.1, eps: 1e-8).Should().BeNull();
    }

    [Test]
    public void The_layer_view_from_row_statistics_decides_as_the_flattened_cosine_does()
    {
        using var scope = DisposeScope.Enter();
        TorchRuntime.ManualSeed(9);
        const double delta = 0.1, eps = 1e-8;
        int projected = 0, kept = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            // Random rows are far from orthogonal per row at this size, so the answer rests on the layer view: a
            // gradient made nearly orthogonal to the whole weight by removing its component, plus a varying remainder.
            Tensor w = Tensor.Randn(6, 5), noise = Tensor.Randn(6, 5);
            Tensor g = noise.Sub(w.Mul(noise.Mul(w).Sum().Item() / w.Square().Sum().Item())).Add(w.Mul(trial * 2e-3));
            double cosine = Math.Abs(g.Mul(w).Sum().Item()) / Math.Max(g.Norm().Item() * w.Norm().Item(), eps);
            long? expected = cosine < delta / Math.Sqrt(30) ? 1 : null;
            double rowCosine = g.Mul(w).Sum(1).Abs().Div(g.Norm(2, new long[] { 1 }).Mul(w.Norm(2, new long[] { 1 }))).Max().Item();
            if (rowCosine < delta / Math.Sqrt(5)) continue;
            RadialProjection.ProjectedRows(w, g, delta, eps).Should().Be(expected, $"trial {trial}: layer cosine {cosine}");
            if (expected is null) kept++;
            else projected++;
        }
        (projected, kept).Should().Match<(int, int)>(c => c.Item1 > 0 && c.Item2 > 0, "both answers are exercised");
    }
}
