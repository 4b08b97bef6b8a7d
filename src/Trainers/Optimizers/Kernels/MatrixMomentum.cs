using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>The EMA momentum with optional Nesterov look-ahead that Muon, REG and their relatives share.</summary>
public static class MatrixMomentum
{
    /// <summary>B ← μB + (1−μ)G, in place.</summary>
    public static void Update(Tensor buffer, Tensor grad, double momentum) => buffer.Lerp_(grad, 1 - momentum);

    /// <summary>Nesterov: G + μ(B − G) (a new tensor); otherwise B itself.</summary>
    public static Tensor Direction(Tensor buffer, Tensor grad, double momentum, bool nesterov) =>
        nesterov ? grad.Lerp(buffer, momentum) : buffer;
}
