namespace TorchZoo.Extensions.Auto;

/// <summary>What a tuner searches over: the candidates, the epochs of a full trial, and its seed.</summary>
public sealed record TunerSetup(IReadOnlyList<OptimizerCandidate> Candidates, int EpochsPerTrial, int Seed);

/// <summary>
/// Proposes trials and learns from their results. The experiment calls <see cref="Propose"/>, runs the trial and
/// calls <see cref="Report"/> before the next proposal. With a fixed seed a tuner must be deterministic.
/// </summary>
public interface ITuner
{
    /// <summary>The next trial, or null when the search is exhausted.</summary>
    TrialProposal? Propose();

    /// <summary>The result of the last proposed trial (failed trials have an infinite <see cref="TrialResult.Loss"/>).</summary>
    void Report(TrialResult result);
}

/// <summary>The built-in tuners, as factories for <see cref="OptimizerExperiment.SetTuner"/>.</summary>
public static class Tuners
{
    /// <summary>Random search: a uniformly chosen candidate with values sampled from its space.</summary>
    public static Func<TunerSetup, ITuner> Random() => setup => new RandomSearchTuner(setup);

    /// <summary>Grid search over each candidate's grid (continuous ranges cut into <paramref name="points"/> values), candidates interleaved.</summary>
    public static Func<TunerSetup, ITuner> Grid(int points = 3) =>
        points >= 1 ? setup => new GridSearchTuner(setup, points) : throw new ArgumentOutOfRangeException(nameof(points), points, "A grid needs at least 1 point per range.");

    /// <summary>
    /// Asynchronous successive halving (ASHA): new random configurations train <paramref name="minEpochs"/> epochs
    /// (rung 0); a configuration in the top 1/<paramref name="eta"/> of its rung is retrained with η times more
    /// epochs on the next rung, up to <paramref name="maxEpochs"/> (default: the experiment's epochs per trial).
    /// </summary>
    public static Func<TunerSetup, ITuner> SuccessiveHalving(int minEpochs = 1, int? maxEpochs = null, int eta = 3)
    {
        if (minEpochs < 1) throw new ArgumentOutOfRangeException(nameof(minEpochs), minEpochs, "minEpochs must be ≥ 1.");
        if (eta < 2) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be ≥ 2.");
        if (maxEpochs is { } m && m < minEpochs) throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, "maxEpochs must be ≥ minEpochs.");
        return setup => new SuccessiveHalvingTuner(setup, minEpochs, maxEpochs ?? Math.Max(minEpochs, setup.EpochsPerTrial), eta);
    }
}

/// <summary>Samples a candidate uniformly, then each dimension of its space; a candidate with a fixed space is tried once.</summary>
public sealed class RandomSearchTuner : ITuner
{
    private readonly TunerSetup setup;
    private readonly Random random;
    private readonly HashSet<string> fixedTried = new(StringComparer.Ordinal);

    public RandomSearchTuner(TunerSetup setup)
    {
        this.setup = Check(setup);
        random = new Random(setup.Seed);
    }

    public TrialProposal? Propose()
    {
        var open = setup.Candidates.Where(c => c.Space.Dimensions.Count > 0 || !fixedTried.Contains(c.Name)).ToList();
        if (open.Count == 0) return null;
        OptimizerCandidate candidate = open[random.Next(open.Count)];
        if (candidate.Space.Dimensions.Count == 0) fixedTried.Add(candidate.Name);
        return new TrialProposal(candidate, Sample(candidate, random), setup.EpochsPerTrial);
    }

    public void Report(TrialResult result) { }

    internal static Dictionary<string, double> Sample(OptimizerCandidate candidate, Random random) =>
        candidate.Space.Dimensions.ToDictionary(d => d.Name, d => d.Sample(random), StringComparer.Ordinal);

    internal static TunerSetup Check(TunerSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        if (setup.Candidates.Count == 0) throw new ArgumentException("A tuner needs at least one candidate optimizer.", nameof(setup));
        if (setup.EpochsPerTrial < 1) throw new ArgumentOutOfRangeException(nameof(setup), setup.EpochsPerTrial, "EpochsPerTrial must be ≥ 1.");
        return setup;
    }
}

/// <summary>Every point of each candidate's grid, interleaving candidates (the first point of each, then the second, …).</summary>
public sealed class GridSearchTuner : ITuner
{
    private readonly TunerSetup setup;
    private readonly List<TrialProposal> order = new();
    private int next;

    public GridSearchTuner(TunerSetup setup, int points = 3)
    {
        this.setup = RandomSearchTuner.Check(setup);
        var grids = setup.Candidates.Select(c => Points(c, points).Select(p => new TrialProposal(c, p, setup.EpochsPerTrial)).ToList()).ToList();
        for (int i = 0; i < grids.Max(g => g.Count); i++)
            foreach (var g in grids)
                if (i < g.Count) order.Add(g[i]);
    }

    /// <summary>The number of trials the full grid takes.</summary>
    public int Count => order.Count;

    public TrialProposal? Propose() => next < order.Count ? order[next++] : null;

    public void Report(TrialResult result) { }

    private static IEnumerable<Dictionary<string, double>> Points(OptimizerCandidate candidate, int points)
    {
        IEnumerable<Dictionary<string, double>> all = new[] { new Dictionary<string, double>(StringComparer.Ordinal) };
        foreach (Dimension d in candidate.Space.Dimensions)
        {
            var values = d.Grid(points);
            all = all.SelectMany(p => values.Select(v => new Dictionary<string, double>(p, StringComparer.Ordinal) { [d.Name] = v })).ToList();
        }
        return all;
    }
}

/// <summary>
/// Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", 2020), run
/// one trial at a time. Rung k trains min(minEpochs·η^k, maxEpochs) epochs. Before sampling a new configuration it
/// promotes, from the highest rung down, the best configuration that is in the top ⌊n/η⌋ of the n results of its
/// rung and was not promoted yet. A promoted configuration is retrained from scratch for the longer budget, so its
/// schedule completes and it is compared at the end of training.
/// </summary>
public sealed class SuccessiveHalvingTuner : ITuner
{
    private readonly TunerSetup setup;
    private readonly Random random;
    private readonly List<List<TrialResult>> rungs = new();
    private readonly HashSet<int> promoted = new();

    public SuccessiveHalvingTuner(TunerSetup setup, int minEpochs, int maxEpochs, int eta)
    {
        this.setup = RandomSearchTuner.Check(setup);
        if (minEpochs < 1 || maxEpochs < minEpochs || eta < 2)
            throw new ArgumentOutOfRangeException(nameof(eta), "Successive halving needs 1 ≤ minEpochs ≤ maxEpochs and eta ≥ 2.");
        MinEpochs = minEpochs;
        MaxEpochs = maxEpochs;
        Eta = eta;
        random = new Random(setup.Seed);
        int top = 0;
        while (RungEpochs(top) < maxEpochs) top++;
        TopRung = top;
        for (int k = 0; k <= top; k++) rungs.Add(new List<TrialResult>());
    }

    public int MinEpochs { get; }
    public int MaxEpochs { get; }
    public int Eta { get; }

    /// <summary>The rung that trains <see cref="MaxEpochs"/>; its trials are final.</summary>
    public int TopRung { get; }

    /// <summary>The epochs of rung <paramref name="rung"/>.</summary>
    public int RungEpochs(int rung)
    {
        long epochs = MinEpochs;
        for (int k = 0; k < rung && epochs < MaxEpochs; k++) epochs *= Eta;
        return (int)Math.Min(epochs, MaxEpochs);
    }

    public TrialProposal? Propose()
    {
        for (int k = TopRung - 1; k >= 0; k--)
        {
            var results = rungs[k];
            int quota = results.Count / Eta;
            TrialResult? best = results
                .Where(r => double.IsFinite(r.Loss))
                .OrderBy(r => r.Loss).ThenBy(r => r.TrialId)
                .Take(quota)
                .FirstOrDefault(r => !promoted.Contains(r.TrialId));
            if (best is null) continue;
            promoted.Add(best.TrialId);
            var candidate = setup.Candidates.First(c => c.Name == best.Optimizer);
            return new TrialProposal(candidate, best.Hyperparameters, RungEpochs(k + 1), k + 1, k + 1 == TopRung, best.TrialId);
        }
        var fresh = setup.Candidates[random.Next(setup.Candidates.Count)];
        return new TrialProposal(fresh, RandomSearchTuner.Sample(fresh, random), RungEpochs(0), 0, TopRung == 0);
    }

    public void Report(TrialResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Rung < 0 || result.Rung > TopRung)
            throw new ArgumentException($"Trial {result.TrialId} reports rung {result.Rung}, but this tuner has rungs 0 to {TopRung}.", nameof(result));
        rungs[result.Rung].Add(result);
    }
}
