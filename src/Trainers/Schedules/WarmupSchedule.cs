namespace TorchZoo.Trainers.Schedules;

/// <summary>
/// Linear warmup in front of any schedule: for step &lt; W the factor rises linearly from
/// <see cref="StartFactor"/> to 1 (s + (1 − s)·step/W, as torch.optim.lr_scheduler.LinearLR); from W on, the
/// inner schedule runs over the remaining steps (it sees step − W of totalSteps − W), scaled so it starts at 1.
/// </summary>
public sealed record WarmupSchedule : LearningRateSchedule
{
    public WarmupSchedule(LearningRateSchedule inner) => Inner = inner ?? throw new ArgumentNullException(nameof(inner));

    public LearningRateSchedule Inner { get; init => field = value ?? throw new ArgumentNullException(nameof(Inner)); }

    /// <summary>Warmup length in steps (or use <see cref="WarmupFraction"/>).</summary>
    public long? WarmupSteps { get; init => field = value is { } v ? CheckSteps(v, nameof(WarmupSteps)) : null; }

    /// <summary>Warmup length as a fraction of the run; 0.05 when neither is set.</summary>
    public double? WarmupFraction { get; init => field = value is { } v ? CheckFraction(v, nameof(WarmupFraction)) : null; }

    /// <summary>The factor at step 0 (0 would waste the first step).</summary>
    public double StartFactor { get; init => field = CheckFraction(value, nameof(StartFactor)); } = 0.01;

    /// <summary>The warmup length for a run of <paramref name="totalSteps"/> steps.</summary>
    public long WarmupLength(long totalSteps) =>
        Math.Min(WarmupSteps ?? (long)Math.Round((WarmupFraction ?? 0.05) * totalSteps), totalSteps);

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        long w = WarmupLength(totalSteps);
        if (step < w) return Ramp(step, w, StartFactor);
        return Inner.Factor(step - w, Math.Max(1, totalSteps - w));
    }

    /// <summary>The linear ramp s + (1 − s)·step/W that every warmup phase uses.</summary>
    public static double Ramp(long step, long warmupSteps, double startFactor) =>
        startFactor + (1 - startFactor) * step / warmupSteps;
}
