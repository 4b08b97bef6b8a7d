using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>
/// Scales all gradients together so their global p-norm is at most <see cref="MaxNorm"/>, as
/// torch.nn.utils.clip_grad_norm_: coefficient max/(norm + 10⁻⁶), never above 1. Safe when the norm is 0.
/// Returns the norm before clipping. With <see cref="ErrorIfNonFinite"/>, a NaN/∞ norm throws instead of
/// spreading NaN into every gradient.
/// </summary>
public sealed record GlobalNormClipping : IGradientClipper
{
    public double MaxNorm { get; init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MaxNorm), value, "MaxNorm must be finite and > 0."); } = 1.0;

    /// <summary>The norm's p (2 by default; ∞ allowed).</summary>
    public double NormType { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(NormType), value, "NormType must be > 0."); } = 2;

    public bool ErrorIfNonFinite { get; init; }

    public ClipResult Clip(IReadOnlyList<Parameter> parameters)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        List<Tensor> grads = GradientNorms.Gradients(parameters);
        double total = GradientNorms.Total(grads, NormType).Item();
        if (!double.IsFinite(total) && ErrorIfNonFinite)
            throw new InvalidOperationException($"The global gradient norm is {total}; refusing to clip non-finite gradients (GlobalNormClipping.ErrorIfNonFinite).");
        double coefficient = MaxNorm / (total + 1e-6);
        if (!(coefficient < 1)) return new ClipResult(total, false);
        TensorList.Mul_(grads, coefficient);
        return new ClipResult(total, true);
    }
}
