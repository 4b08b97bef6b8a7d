namespace TorchZoo.Trainers.Schedules;

/// <summary>Linear decay from 1 to <see cref="EndFactor"/> (0 by default) at the last step: 1 − (1 − e)·t/T, held after T.</summary>
public sealed record LinearDecaySchedule : LearningRateSchedule
{
    public double EndFactor { get; init => field = CheckFraction(value, nameof(EndFactor)); }

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        double t = Math.Min(step, totalSteps);
        return 1 - (1 - EndFactor) * t / totalSteps;
    }
}
