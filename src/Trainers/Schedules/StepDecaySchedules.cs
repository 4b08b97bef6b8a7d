namespace TorchZoo.Trainers.Schedules;

/// <summary>Multiply by <see cref="Gamma"/> every <see cref="StepSize"/> steps: γ^⌊t/s⌋ (torch StepLR).</summary>
public sealed record StepSchedule : LearningRateSchedule
{
    public long StepSize { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(StepSize), value, "StepSize must be ≥ 1."); } = 1000;

    public double Gamma { get; init => field = CheckFraction(value, nameof(Gamma)); } = 0.1;

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        return Math.Pow(Gamma, step / StepSize);
    }
}

/// <summary>Multiply by <see cref="Gamma"/> at each milestone step: γ^(milestones ≤ t) (torch MultiStepLR).</summary>
public sealed record MultiStepSchedule : LearningRateSchedule
{
    public IReadOnlyList<long> Milestones
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Milestones));
            for (int i = 0; i < value.Count; i++)
                if (value[i] < 0 || (i > 0 && value[i] < value[i - 1]))
                    throw new ArgumentOutOfRangeException(nameof(Milestones), "Milestones must be non-negative and increasing.");
            field = value.ToArray();
        }
    } = Array.Empty<long>();

    public double Gamma { get; init => field = CheckFraction(value, nameof(Gamma)); } = 0.1;

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        return Math.Pow(Gamma, Milestones.Count(m => m <= step));
    }
}

/// <summary>γ^t (torch ExponentialLR).</summary>
public sealed record ExponentialSchedule : LearningRateSchedule
{
    public double Gamma { get; init => field = CheckFraction(value, nameof(Gamma)); } = 0.999;

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        return Math.Pow(Gamma, step);
    }
}

/// <summary>(1 − t/T)^power to 0 at T, held after (torch PolynomialLR with total_iters = T).</summary>
public sealed record PolynomialSchedule : LearningRateSchedule
{
    public double Power { get; init => field = CheckNonNegative(value, nameof(Power)); } = 1;

    /// <summary>Decay length; the whole run when null.</summary>
    public long? DecaySteps { get; init => field = value is { } v and < 1 ? throw new ArgumentOutOfRangeException(nameof(DecaySteps), v, "DecaySteps must be ≥ 1.") : value; }

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        long t = DecaySteps ?? totalSteps;
        return Math.Pow(1 - (double)Math.Min(step, t) / t, Power);
    }
}

/// <summary>
/// Inverse square root (Vaswani et al.): linear warmup to 1 over W steps, then √(W/t)
/// (with W = 0: √(1/(t+1))).
/// </summary>
public sealed record InverseSqrtSchedule : LearningRateSchedule
{
    public long WarmupSteps { get; init => field = CheckSteps(value, nameof(WarmupSteps)); } = 1000;

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        if (WarmupSteps == 0) return 1 / Math.Sqrt(step + 1);
        if (step < WarmupSteps) return (double)(step + 1) / WarmupSteps;
        return Math.Sqrt((double)WarmupSteps / (step + 1));
    }
}
