namespace TorchZoo.Trainers.Schedules;

/// <summary>
/// A learning-rate schedule: a pure function from the step to a multiplier of the base learning rate, so its
/// value at any step is known without replaying the run (resuming, plotting, testing exact values).
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>
    /// The multiplier for the optimizer step with 0-based index <paramref name="step"/> in a run of
    /// <paramref name="totalSteps"/> steps. Steps past the end keep the last phase's rule (clamped where it would
    /// otherwise leave its range).
    /// </summary>
    public abstract double Factor(long step, long totalSteps);

    /// <summary>The learning rate at a step for a base rate.</summary>
    public double LearningRate(double baseLearningRate, long step, long totalSteps) => baseLearningRate * Factor(step, totalSteps);

    /// <summary>Checks the arguments every schedule shares.</summary>
    protected static void CheckStep(long step, long totalSteps)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "The step must be ≥ 0.");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The total number of steps must be ≥ 1.");
    }

    /// <summary>A length given either as steps or as a fraction of the run (exactly one of them).</summary>
    protected static long Resolve(long? steps, double? fraction, long totalSteps, string what)
    {
        if (steps is { } s) return s;
        if (fraction is { } f) return (long)Math.Round(f * totalSteps);
        throw new InvalidOperationException($"{what} needs a number of steps or a fraction of the run.");
    }

    protected static double CheckFraction(double value, string name) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");

    protected static double CheckNonNegative(double value, string name) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and ≥ 0.");

    protected static long CheckSteps(long value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 0.");
}
