namespace TorchZoo.Trainers.Schedules;

/// <summary>
/// Schedules run one after another (torch SequentialLR): schedule i runs from milestone i−1 (0 for the
/// first) and sees its local step and its own phase length (the next milestone, or the rest of the run).
/// </summary>
public sealed record SequenceSchedule : LearningRateSchedule
{
    public SequenceSchedule(IReadOnlyList<LearningRateSchedule> schedules, IReadOnlyList<long> milestones)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Count == 0) throw new ArgumentException("A sequence needs at least one schedule.", nameof(schedules));
        if (milestones.Count != schedules.Count - 1)
            throw new ArgumentException($"{schedules.Count} schedules need {schedules.Count - 1} milestones, got {milestones.Count}.", nameof(milestones));
        for (int i = 0; i < milestones.Count; i++)
            if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1]))
                throw new ArgumentOutOfRangeException(nameof(milestones), "Milestones must be positive and strictly increasing.");
        Schedules = schedules.ToArray();
        Milestones = milestones.ToArray();
    }

    public IReadOnlyList<LearningRateSchedule> Schedules { get; }

    public IReadOnlyList<long> Milestones { get; }

    public override double Factor(long step, long totalSteps)
    {
        CheckStep(step, totalSteps);
        int i = 0;
        while (i < Milestones.Count && step >= Milestones[i]) i++;
        long start = i == 0 ? 0 : Milestones[i - 1];
        long end = i < Milestones.Count ? Milestones[i] : Math.Max(totalSteps, start + 1);
        return Schedules[i].Factor(step - start, end - start);
    }
}
