using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// The cautious mask (Liang et al., arXiv 2411.16085): keep only update coordinates that agree in sign with
/// the gradient, then rescale so the mean kept fraction does not shrink the step. We divide by
/// max(mean(mask), 10⁻³), as timm's `caution` does.
/// </summary>
public static class CautiousMask
{
    /// <summary>update ← update ⊙ 1[update⊙grad &gt; 0] / max(mean(mask), 1e-3), in place.</summary>
    public static void Apply(Tensor update, Tensor grad)
    {
        using Tensor mask = update.Mul(grad).Gt(0).To(update.Dtype);
        double keep = Math.Max(mask.Mean().Item(), 1e-3);
        update.Mul_(mask).Div_(keep);
    }
}
