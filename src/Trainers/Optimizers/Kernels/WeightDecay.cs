using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>The three ways an optimizer applies weight decay λ.</summary>
public static class WeightDecay
{
    /// <summary>Decoupled (AdamW): θ ← θ·(1 − ηλ), before the update.</summary>
    public static void Decoupled(Tensor parameter, double lr, double weightDecay)
    {
        if (weightDecay != 0) parameter.Mul_(1 - lr * weightDecay);
    }

    /// <summary>Coupled (L2, Adam/SGD): g ← g + λθ. Returns the gradient to use (a new tensor when λ ≠ 0).</summary>
    public static Tensor Coupled(Tensor grad, Tensor parameter, double weightDecay) =>
        weightDecay == 0 ? grad : grad.Add(parameter, weightDecay);

    /// <summary>
    /// Cautious weight decay (Chen et al., arXiv 2510.12402): θ ← θ − ηλ·1[u⊙θ ≥ 0]⊙θ, decaying only
    /// coordinates whose sign agrees with the update u (θ moves by −ηu).
    /// </summary>
    public static void Cautious(Tensor parameter, Tensor update, double lr, double weightDecay)
    {
        if (weightDecay == 0) return;
        using Tensor agree = update.Mul(parameter).Ge(0);
        using Tensor decay = parameter.Mul(agree.To(parameter.Dtype));
        parameter.Sub_(decay, lr * weightDecay);
    }
}
