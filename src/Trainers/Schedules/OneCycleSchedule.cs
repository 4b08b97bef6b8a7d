namespace TorchZoo.Trainers.Schedules;

/// <summary>How one-cycle anneals between its phase endpoints.</summary>
public enum AnnealShape
{
    Cosine,
    Linear,
}

/// <summary>
/// One-cycle (Smith &amp; Topin), as torch.optim.lr_scheduler.OneCycleLR with the base learning rate as max_lr:
/// from 1/<see cref="DivFactor"/> up to 1 over the first <see cref="PctStart"/> of the run, then down to
/// 1/(DivFactor·FinalDivFactor) at the last step. <see cref="MomentumFactor"/> gives the matching momentum cycle
/// (high when the lr is low) for optimizers with momentum.
/// </summary>
public sealed record OneCycleSchedule : LearningRateSchedule
{
    public double PctStart { get; init => field = value is > 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(PctStart), value, "PctStart must be in (0, 1)."); } = 0.3;

    public double DivFactor { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(DivFactor), value, "DivFactor must be ≥ 1."); } = 25;

    public double FinalDivFactor { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(FinalDivFactor), value, "FinalDivFactor must be ≥ 1."); } = 1e4;

    public AnnealShape Anneal { get; init; } = AnnealShape.Cosine;

    /// <summary>Cycle the optimizer's momentum (β1) inversely to the lr, as torch's cycle_momentum (on by default); the training loop applies it.</summary>
    public bool CycleMomentum { get; init; } = true;

    /// <summary>Momentum at the lr peak (torch's base_momentum).</summary>
    public double BaseMomentum { get; init => field = CheckFraction(value, nameof(BaseMomentum)); } = 0.85;

    /// <summary>Momentum at the start and end (torch's max_momentum).</summary>
    public double MaxMomentum { get; init => field = CheckFraction(value, nameof(MaxMomentum)); } = 0.95;

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        var (phase, pct) = Position(step, totalSteps);
        double initial = 1 / DivFactor, min = initial / FinalDivFactor;
        return phase == 0 ? Interpolate(initial, 1, pct) : Interpolate(1, min, pct);
    }

    /// <summary>The momentum (e.g. Adam's β1) at a step: MaxMomentum → BaseMomentum → MaxMomentum.</summary>
    public double MomentumFactor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        var (phase, pct) = Position(step, totalSteps);
        return phase == 0 ? Interpolate(MaxMomentum, BaseMomentum, pct) : Interpolate(BaseMomentum, MaxMomentum, pct);
    }

    private (int Phase, double Pct) Position(long step, long totalSteps)
    {
        // torch: phase 1 ends at step pct_start·T − 1, phase 2 at T − 1.
        double end1 = PctStart * totalSteps - 1, end2 = totalSteps - 1;
        double t = Math.Min(step, end2);
        if (t <= end1) return (0, end1 <= 0 ? 1 : t / end1);
        return (1, end2 - end1 <= 0 ? 1 : (t - end1) / (end2 - end1));
    }

    private double Interpolate(double from, double to, double pct) => Anneal == AnnealShape.Cosine
        ? to + (from - to) / 2 * (Math.Cos(Math.PI * pct) + 1)
        : (to - from) * pct + from;
}
