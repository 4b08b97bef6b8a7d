using TorchZoo.Torch;

namespace TorchZoo.Trainers.Training;

/// <summary>Early stopping as a training callback; see <see cref="EarlyStoppingOptions"/>.</summary>
public sealed class EarlyStopping : ITrainingCallback, IDisposable
{
    private Dictionary<string, Tensor>? bestWeights;

    public EarlyStopping(EarlyStoppingOptions options) => Options = options ?? throw new ArgumentNullException(nameof(options));

    public EarlyStoppingOptions Options { get; }

    /// <summary>The best monitored value so far (NaN before the first qualifying evaluation).</summary>
    public double Best { get; private set; } = double.NaN;

    public EvaluationRecord? BestEvaluation { get; private set; }

    /// <summary>Evaluations since the last improvement.</summary>
    public int Wait { get; private set; }

    public void OnEvaluation(TrainingContext context, EvaluationRecord evaluation)
    {
        double value = evaluation.Get(Options.Monitor);
        if (Improved(value))
        {
            Best = value;
            BestEvaluation = evaluation;
            Wait = 0;
            if (Options.RestoreBestWeights) SnapshotWeights(context);
            return;
        }
        Wait++;
        if (Wait > Options.Patience)
            context.RequestStop(StopReason.EarlyStopped,
                $"Early stopping at epoch {evaluation.Epoch}: {Options.Monitor} did not improve for {Options.Patience} evaluations (best {Best:G6} at epoch {BestEvaluation?.Epoch.ToString() ?? "none"}).");
    }

    private bool Improved(double value)
    {
        if (!double.IsFinite(value)) return false;
        double reference = double.IsNaN(Best) ? Options.Baseline ?? double.NaN : Best;
        if (double.IsNaN(reference)) return true;
        return Options.Mode == MetricMode.Min ? value < reference - Options.MinDelta : value > reference + Options.MinDelta;
    }

    private void SnapshotWeights(TrainingContext context)
    {
        DisposeWeights();
        bestWeights = context.Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone().DetachFromDisposeScope());
    }

    public void OnTrainEnd(TrainingContext context)
    {
        if (!Options.RestoreBestWeights || bestWeights is null) return;
        context.Model.LoadStateDict(bestWeights);
        context.History.RestoredBest = BestEvaluation;
    }

    public IReadOnlyDictionary<string, double>? SaveState() =>
        new Dictionary<string, double> { ["best"] = Best, ["wait"] = Wait, ["best_step"] = BestEvaluation?.Step ?? -1 };

    public void LoadState(IReadOnlyDictionary<string, double> state)
    {
        Best = state["best"];
        Wait = (int)state["wait"];
        bestStep = (long)state["best_step"];
    }

    private long bestStep = -1;

    /// <summary>After a resume, finds the best evaluation again in the restored history.</summary>
    internal void Reattach(TrainingHistory history) => BestEvaluation = history.Evaluations.LastOrDefault(e => e.Step == bestStep);

    /// <summary>Weights of the best evaluation (kept when RestoreBestWeights), for checkpoints.</summary>
    internal Dictionary<string, Tensor>? BestWeights => bestWeights;

    internal void SetBestWeights(Dictionary<string, Tensor>? weights)
    {
        DisposeWeights();
        bestWeights = weights;
    }

    private void DisposeWeights()
    {
        if (bestWeights is null) return;
        foreach (Tensor t in bestWeights.Values) t.Dispose();
        bestWeights = null;
    }

    public void Dispose() => DisposeWeights();
}
