using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>
/// Skip-non-finite: reports whether any gradient holds NaN or ±∞ so the step can be skipped (and counted)
/// instead of corrupting the weights and the optimizer state.
/// </summary>
public static class NonFiniteGuard
{
    /// <summary>True when the step should be skipped: the loss or some gradient is not finite.</summary>
    public static bool ShouldSkip(double loss, IEnumerable<Parameter> parameters) =>
        !double.IsFinite(loss) || !GradientNorms.AllFinite(parameters);
}
