namespace TorchZoo.Trainers.Training;

/// <summary>
/// Reduce-on-plateau as a callback: when the monitored metric has not improved by <see cref="MinDelta"/> for
/// <see cref="Patience"/> evaluations, multiply the learning rate by <see cref="Factor"/> (down to
/// <see cref="MinScale"/> of the schedule's value), then wait <see cref="Cooldown"/> evaluations.
/// </summary>
public sealed class ReduceOnPlateau : ITrainingCallback
{
    public string Monitor { get; init; } = "val_loss";
    public MetricMode Mode { get; init; } = MetricMode.Min;
    public double Factor { get; init => field = value is > 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Factor), value, "Factor must be in (0, 1)."); } = 0.1;
    public int Patience { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Patience), value, "Patience must be ≥ 0."); } = 10;
    public double MinDelta { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinDelta), value, "MinDelta must be ≥ 0."); } = 1e-4;
    public int Cooldown { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Cooldown), value, "Cooldown must be ≥ 0."); }
    public double MinScale { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinScale), value, "MinScale must be ≥ 0."); }

    private double best = double.NaN;
    private int wait;
    private int cooldownLeft;
    private double scale = 1;

    public void OnEvaluation(TrainingContext context, EvaluationRecord evaluation)
    {
        double value = evaluation.Get(Monitor);
        bool improved = double.IsNaN(best) || (Mode == MetricMode.Min ? value < best - MinDelta : value > best + MinDelta);
        if (improved)
        {
            best = value;
            wait = 0;
        }
        else if (cooldownLeft > 0)
        {
            cooldownLeft--;
        }
        else if (++wait > Patience)
        {
            scale = Math.Max(scale * Factor, MinScale);
            wait = 0;
            cooldownLeft = Cooldown;
        }
        context.LearningRateScale = scale;
    }

    public IReadOnlyDictionary<string, double>? SaveState() =>
        new Dictionary<string, double> { ["best"] = best, ["wait"] = wait, ["cooldown"] = cooldownLeft, ["scale"] = scale };

    public void LoadState(IReadOnlyDictionary<string, double> state)
    {
        best = state["best"];
        wait = (int)state["wait"];
        cooldownLeft = (int)state["cooldown"];
        scale = state["scale"];
    }
}
