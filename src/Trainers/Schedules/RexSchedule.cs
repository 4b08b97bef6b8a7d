namespace TorchZoo.Trainers.Schedules;

/// <summary>
/// REX (Chen et al., "REX: Revisiting Budgeted Training with an Improved Schedule", arXiv 2107.04197):
/// with z = t/T, factor = (1 − z)/(1 − z/2); 1 at the start, 0 at the end, decaying slowly then fast.
/// </summary>
public sealed record RexSchedule : LearningRateSchedule
{
    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        double z = Math.Min(1.0, (double)step / totalSteps);
        return (1 - z) / (1 - z / 2);
    }
}
