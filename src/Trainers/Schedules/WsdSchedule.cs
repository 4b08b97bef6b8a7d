namespace TorchZoo.Trainers.Schedules;

/// <summary>How the WSD schedule cools down.</summary>
public enum CooldownShape
{
    /// <summary>1 − √(t/D) (Hägele et al., "Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations").</summary>
    OneMinusSqrt,
    Linear,
    Cosine,
}

/// <summary>
/// Warmup–stable–decay: linear warmup to 1 over W steps (as <see cref="WarmupSchedule"/>), constant 1, then a cooldown over the last D steps to
/// <see cref="MinRatio"/> with the chosen shape, reached at the last step. Lengths are fractions of the run (or steps).
/// </summary>
public sealed record WsdSchedule : LearningRateSchedule
{
    public double WarmupFraction { get; init => field = CheckFraction(value, nameof(WarmupFraction)); } = 0.05;

    public double DecayFraction { get; init => field = CheckFraction(value, nameof(DecayFraction)); } = 0.2;

    public long? WarmupSteps { get; init => field = value is { } v ? CheckSteps(v, nameof(WarmupSteps)) : null; }

    public long? DecaySteps { get; init => field = value is { } v ? CheckSteps(v, nameof(DecaySteps)) : null; }

    public CooldownShape Cooldown { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Cooldown), value, "Unknown cooldown shape."); } = CooldownShape.OneMinusSqrt;

    /// <summary>The factor at step 0 of the warmup.</summary>
    public double StartFactor { get; init => field = CheckFraction(value, nameof(StartFactor)); } = 0.01;

    public double MinRatio { get; init => field = CheckFraction(value, nameof(MinRatio)); }

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        long w = Math.Min(Resolve(WarmupSteps, WarmupFraction, totalSteps, "WSD warmup"), totalSteps);
        long d = Math.Min(Resolve(DecaySteps, DecayFraction, totalSteps, "WSD decay"), totalSteps - w);
        long decayStart = totalSteps - d;
        if (step < w) return WarmupSchedule.Ramp(step, w, StartFactor);
        if (step < decayStart || d == 0) return 1;
        double z = Math.Min(1.0, (double)(step - decayStart + 1) / d);
        double shape = Cooldown switch
        {
            CooldownShape.OneMinusSqrt => 1 - Math.Sqrt(z),
            CooldownShape.Linear => 1 - z,
            _ => 0.5 * (1 + Math.Cos(Math.PI * z)),
        };
        return MinRatio + (1 - MinRatio) * shape;
    }
}
