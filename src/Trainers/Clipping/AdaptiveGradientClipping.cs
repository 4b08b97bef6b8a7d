using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>
/// Adaptive gradient clipping, AGC (Brock et al., "High-Performance Large-Scale Image Recognition Without
/// Normalization", arXiv 2102.06171): per unit i (a row of a matrix, an output channel of a kernel, the
/// whole tensor for vectors), if ‖G_i‖ &gt; λ·max(‖W_i‖, ε) then G_i ← G_i·λ·max(‖W_i‖, ε)/‖G_i‖.
/// Defaults λ = 0.01, ε = 10⁻³.
/// </summary>
public sealed record AdaptiveGradientClipping : IGradientClipper
{
    public double Clipping { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Clipping), value, "Clipping (λ) must be > 0."); } = 0.01;

    public double Eps { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Eps), value, "Eps must be > 0."); } = 1e-3;

    public ClipResult Clip(IReadOnlyList<Parameter> parameters)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        double total = GradientNorms.Total(GradientNorms.Gradients(parameters)).Item();
        bool clipped = false;
        foreach (Parameter p in parameters)
        {
            if (p.Grad is not { } g) continue;
            long[] unitDims = p.Dim <= 1 ? Array.Empty<long>() : Enumerable.Range(1, p.Dim - 1).Select(d => (long)d).ToArray();
            Tensor weightNorm = (unitDims.Length == 0 ? p.Norm() : p.Norm(2, unitDims, keepDim: true)).Clamp_(min: Eps);
            Tensor gradNorm = unitDims.Length == 0 ? g.Norm() : g.Norm(2, unitDims, keepDim: true);
            Tensor maxNorm = weightNorm.Mul_(Clipping);
            Tensor over = gradNorm.Gt(maxNorm);
            clipped |= over.Any().Item() != 0;
            // Where over the limit scale by max/‖G_i‖, elsewhere by 1 (the clamp keeps 0/0 out of the unused branch).
            Tensor scale = Tensor.Where(over, maxNorm.Div(gradNorm.Clamp(min: 1e-6)), maxNorm.OnesLike());
            g.Mul_(scale);
        }
        return new ClipResult(total, clipped);
    }
}
