using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>Adam's first and second moments and their bias corrections, written once for the whole family.</summary>
public static class AdamMoments
{
    /// <summary>m ← β1·m + (1−β1)·g (the same operation order as torch.optim, so trajectories match to the last bit).</summary>
    public static void UpdateFirst(Tensor m, Tensor g, double beta1) => m.Mul_(beta1).Add_(g, 1 - beta1);

    /// <summary>v ← β2·v + (1−β2)·g².</summary>
    public static void UpdateSecond(Tensor v, Tensor g, double beta2) => v.Mul_(beta2).Addcmul_(g, g, 1 - beta2);

    /// <summary>1 − β^t, the bias correction after <paramref name="step"/> updates.</summary>
    public static double BiasCorrection(double beta, long step) => 1 - Math.Pow(beta, step);

    /// <summary>
    /// The step every Adam-family optimizer starts with: the parameter's "exp_avg" and "exp_avg_sq" state (created as
    /// zeros the first time) updated with <paramref name="grad"/>, and both bias corrections for this step.
    /// </summary>
    public static (Tensor M, Tensor V, double Bc1, double Bc2) Advance(ParameterState state, Tensor parameter, Tensor grad, double beta1, double beta2)
    {
        Tensor m = state.GetOrCreate("exp_avg", () => parameter.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => parameter.ZerosLike());
        UpdateFirst(m, grad, beta1);
        UpdateSecond(v, grad, beta2);
        return (m, v, BiasCorrection(beta1, state.Step), BiasCorrection(beta2, state.Step));
    }

    /// <summary>√(v / bc2) + ε, the Adam denominator (a new tensor).</summary>
    public static Tensor Denominator(Tensor v, double biasCorrection2, double eps) =>
        v.Sqrt().Div_(Math.Sqrt(biasCorrection2)).Add_(eps);
}
