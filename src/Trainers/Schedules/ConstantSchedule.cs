namespace TorchZoo.Trainers.Schedules;

/// <summary>The base learning rate at every step (factor 1, or <see cref="Value"/>).</summary>
public sealed record ConstantSchedule : LearningRateSchedule
{
    public double Value { get; init => field = CheckNonNegative(value, nameof(Value)); } = 1;

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        return Value;
    }
}
