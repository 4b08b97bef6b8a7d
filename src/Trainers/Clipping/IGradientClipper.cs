using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>What a clipper saw and did in one step.</summary>
/// <param name="NormBeforeClipping">The global L2 norm of all gradients before clipping (for logging; NaN or ∞ when a gradient is not finite).</param>
/// <param name="Clipped">Whether any gradient was changed.</param>
public readonly record struct ClipResult(double NormBeforeClipping, bool Clipped);

/// <summary>A transformation of the gradients between backward and the optimizer step. Works with any optimizer.</summary>
public interface IGradientClipper
{
    /// <summary>Clips the gradients of <paramref name="parameters"/> in place (parameters without a gradient are ignored).</summary>
    ClipResult Clip(IReadOnlyList<Parameter> parameters);
}
