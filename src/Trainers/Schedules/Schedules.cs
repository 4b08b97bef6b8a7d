namespace TorchZoo.Trainers.Schedules;

/// <summary>Shorthands for the common schedules (each returns an immutable record you can adjust with <c>with</c>).</summary>
public static class Schedules
{
    public static LearningRateSchedule Constant() => new ConstantSchedule();

    /// <summary>Linear warmup over a fraction of the run, then cosine to <paramref name="floorRatio"/> of the base rate.</summary>
    public static LearningRateSchedule WarmupCosine(double warmupFraction = 0.05, double floorRatio = 0) =>
        new WarmupSchedule(new CosineSchedule { FloorRatio = floorRatio }) { WarmupFraction = warmupFraction };

    public static LearningRateSchedule Cosine(double floorRatio = 0) => new CosineSchedule { FloorRatio = floorRatio };

    public static LearningRateSchedule LinearToZero() => new LinearDecaySchedule();

    public static LearningRateSchedule Wsd(double warmupFraction = 0.05, double decayFraction = 0.2, CooldownShape cooldown = CooldownShape.OneMinusSqrt, double minRatio = 0) =>
        new WsdSchedule { WarmupFraction = warmupFraction, DecayFraction = decayFraction, Cooldown = cooldown, MinRatio = minRatio };

    public static LearningRateSchedule Rex() => new RexSchedule();

    public static LearningRateSchedule OneCycle(double pctStart = 0.3, AnnealShape anneal = AnnealShape.Cosine) =>
        new OneCycleSchedule { PctStart = pctStart, Anneal = anneal };

    public static LearningRateSchedule WithWarmup(this LearningRateSchedule inner, double warmupFraction) =>
        new WarmupSchedule(inner) { WarmupFraction = warmupFraction };
}
