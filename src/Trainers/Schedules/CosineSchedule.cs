namespace TorchZoo.Trainers.Schedules;

/// <summary>
/// Cosine decay from 1 to <see cref="FloorRatio"/> over the run: floor + (1 − floor)·(1 + cos(π·t/T))/2
/// (torch's CosineAnnealingLR closed form with T_max = T); held at the floor after T.
/// </summary>
public sealed record CosineSchedule : LearningRateSchedule
{
    /// <summary>The final factor (eta_min / base lr).</summary>
    public double FloorRatio { get; init => field = CheckFraction(value, nameof(FloorRatio)); }

    /// <summary>Cycle length in steps; the whole run when null.</summary>
    public long? PeriodSteps { get; init => field = value is { } v and < 1 ? throw new ArgumentOutOfRangeException(nameof(PeriodSteps), v, "PeriodSteps must be ≥ 1.") : value; }

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        long period = PeriodSteps ?? totalSteps;
        double t = Math.Min(step, period);
        return FloorRatio + (1 - FloorRatio) * 0.5 * (1 + Math.Cos(Math.PI * t / period));
    }
}
