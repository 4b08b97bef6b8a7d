using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// Hutchinson's estimator of the Hessian diagonal: diag(H) ≈ z⊙(Hz) with z Rademacher (±1), E[z⊙Hz] = diag(H).
/// Hz comes from one Hessian-vector product through the gradients' graph (see <see cref="LossClosure"/>).
/// </summary>
public static class Hutchinson
{
    /// <summary>±1 entries shaped like <paramref name="like"/>, drawn from <paramref name="generator"/>.</summary>
    public static Tensor Rademacher(Tensor like, Generator generator)
    {
        using Tensor bits = Tensor.RandInt(0, 2, like.Shape, generator);
        return bits.To(like.Dtype).Mul_(2).Sub_(1);
    }

    /// <summary>
    /// z⊙(Hz) for each parameter that has a graph-connected gradient (null entries elsewhere), one z per parameter drawn in
    /// order. The tensors are owned by the caller's dispose scope.
    /// </summary>
    public static Tensor?[] DiagonalEstimate(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor?> gradients, Generator generator)
    {
        var used = Enumerable.Range(0, parameters.Count).Where(i => gradients[i] is not null).ToList();
        var result = new Tensor?[parameters.Count];
        if (used.Count == 0) return result;
        Tensor[] zs = used.Select(i => Rademacher(parameters[i], generator)).ToArray();
        Tensor?[] hz;
        using (Autograd.EnableGrad())
            hz = Autograd.Grad(used.Select(i => gradients[i]!).ToList(), used.Select(i => (Tensor)parameters[i]).ToList(),
                gradOutputs: zs, allowUnused: true);
        for (int k = 0; k < used.Count; k++)
            result[used[k]] = hz[k] is { } h ? h.Mul_(zs[k]) : zs[k].ZerosLike();
        return result;
    }
}
