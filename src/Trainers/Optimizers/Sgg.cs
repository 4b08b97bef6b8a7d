using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SGG, Scaling with Gradient Grouping (Li et al., "Taming LLMs by Scaling Learning Rates with Gradient Grouping",
/// ACL 2025, arXiv 2506.01049), as a wrapper around any optimizer: each tensor's coordinates are grouped by the size of
/// their gradient statistics with online 1-D k-means, and each group's learning rate is scaled by a factor from the
/// "median of deviation to average" (MDA) of the group relative to the whole model. Reconstructed from the paper's
/// description (its algorithm box was not available to us; every choice is an option):
/// <code>
/// v ← β·v + (1−β)·g²;  x = √v                     per coordinate (β = 0: x = |g| of the step, no state)
/// every T steps, per tensor l:
///   centres: k-means on x (the previous centres, or the quantiles (2j+1)/(2K) the first time), L Lloyd passes
///   D_{l,j} = median over group j of |x − mean(x_l)|     D = median over all tensors of |x − mean(x)|
///   s_{l,j} ← β_s·s_{l,j} + (1−β_s)·clamp(D / (D_{l,j} + ε), s_min, s_max)     (s starts at 1)
/// every step: θ₀ = θ;  inner step;  θ ← θ₀ + s[group]⊙(θ − θ₀)
/// </code>
/// Scaling the inner step's change is scaling each coordinate's learning rate exactly for optimizers whose update is
/// proportional to η (SGD, Adam/AdamW including their weight decay, Lion, Muon, …). Groups far from their layer's
/// average (outliers) get a smaller rate, groups near it up to s_max. Defaults, all UNCERTAIN: K = 3, T = 100, β = 0.999,
/// β_s = 0.9, [s_min, s_max] = [0.1, 10], L = 10, ε = 1e-8, inner <see cref="AdamWOptions"/>. State: the inner
/// optimizer's + 4 bytes (v, unless β = 0) + 1 byte (group id) per parameter + 8K bytes per tensor; during a step a copy of
/// θ is held (4 bytes/param, transient).
/// </summary>
public sealed record SggOptions : WrapperOptions
{
    /// <summary>K: groups per tensor, 1–255.</summary>
    public int Clusters { get; init => field = value is >= 1 and <= 255 ? value : throw new ArgumentOutOfRangeException(nameof(Clusters), value, "Clusters must be in [1, 255]."); } = 3;

    /// <summary>T: steps between regroupings (the groups and scales stay fixed in between).</summary>
    public int ReclusterInterval { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ReclusterInterval)); } = 100;

    /// <summary>β: decay of the squared-gradient average that is grouped; 0 groups the step's |g| and keeps no average.</summary>
    public double StatisticBeta { get; init => field = OptionChecks.Beta(value, nameof(StatisticBeta)); } = 0.999;

    /// <summary>β_s: decay of each group's scale across regroupings.</summary>
    public double ScaleBeta { get; init => field = OptionChecks.Beta(value, nameof(ScaleBeta)); } = 0.9;

    /// <summary>s_min in (0, 1]: the smallest learning-rate factor.</summary>
    public double MinScale { get; init => field = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MinScale), value, "MinScale must be in (0, 1]."); } = 0.1;

    /// <summary>s_max ≥ 1: the largest learning-rate factor.</summary>
    public double MaxScale { get; init => field = value >= 1 && !double.IsPositiveInfinity(value) ? value : throw new ArgumentOutOfRangeException(nameof(MaxScale), value, "MaxScale must be a finite number ≥ 1."); } = 10;

    /// <summary>L: Lloyd passes per regrouping.</summary>
    public int KMeansIterations { get; init => field = OptionChecks.AtLeast(value, 1, nameof(KMeansIterations)); } = 10;

    /// <summary>ε in D / (D_j + ε).</summary>
    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    public override string Name => "sgg";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Sgg(this, groups);
}

/// <summary>SGG around an inner optimizer; see <see cref="SggOptions"/>.</summary>
public sealed class Sgg : WrapperOptimizer
{
    private Tensor?[]? statistics;
    private Tensor?[]? labels;
    private Tensor?[]? centres;
    private Tensor?[]? scales;
    private readonly bool[] grouped;

    public Sgg(SggOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        Options = options;
        grouped = new bool[WrappedParameters.Count];
    }

    public SggOptions Options { get; }

    public override bool RequiresClosure => Inner.RequiresClosure;

    protected override long OwnStateBytes =>
        new[] { statistics, labels, centres, scales }.Sum(ts => ts?.Sum(t => t?.ByteCount ?? 0) ?? 0);

    /// <summary>The learning-rate factor of each group of parameter <paramref name="index"/> (null before its first grouping).</summary>
    public float[]? GroupScales(int index) => grouped[index] ? scales![index]!.ToArray<float>() : null;

    /// <summary>The group of each coordinate of parameter <paramref name="index"/> (null before its first grouping).</summary>
    public byte[]? GroupLabels(int index) => grouped[index] ? labels![index]!.ToArray<byte>() : null;

    public override void Step()
    {
        Tensor?[] before = Prepare();
        try
        {
            Inner.Step();
            Apply(before);
        }
        finally
        {
            DisposeAll(before);
        }
        CountStep();
    }

    /// <summary>
    /// For a closure-driven inner optimizer the statistics and the grouping use the gradients of the closure's first call,
    /// taken at the weights the step starts from; otherwise the closure runs once and the step is as <see cref="Step()"/>.
    /// </summary>
    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        if (!Inner.RequiresClosure) return base.Step(closure);
        Tensor?[]? before = null;
        try
        {
            double? loss = Inner.Step(() =>
            {
                double l = closure();
                before ??= Prepare();
                return l;
            });
            if (before is not null) Apply(before);
            CountStep();
            return loss;
        }
        finally
        {
            DisposeAll(before);
        }
    }

    /// <summary>Updates the statistics, regroups on every T-th step, and copies the weights that will be scaled.</summary>
    private Tensor?[] Prepare()
    {
        int count = WrappedParameters.Count;
        var before = new Tensor?[count];
        using var noGrad = Autograd.NoGrad();
        using var scope = DisposeScope.Enter();
        var current = new Tensor?[count];
        for (int i = 0; i < count; i++)
        {
            Parameter p = WrappedParameters[i];
            Tensor? g = p.Grad;
            if (g is null) continue;
            // The group state is made at a tensor's first gradient, so a step never adds native tensors later.
            labels ??= new Tensor?[count];
            centres ??= new Tensor?[count];
            scales ??= new Tensor?[count];
            labels[i] ??= p.ZerosLike(ScalarType.Byte).DetachFromDisposeScope();
            centres[i] ??= Tensor.Zeros(Options.Clusters).DetachFromDisposeScope();
            scales[i] ??= Tensor.Ones(Options.Clusters).DetachFromDisposeScope();
            if (Options.StatisticBeta > 0)
            {
                statistics ??= new Tensor?[count];
                statistics[i] ??= p.ZerosLike(ScalarType.Float32).DetachFromDisposeScope();
                AdamMoments.UpdateSecond(statistics[i]!, g, Options.StatisticBeta);
                current[i] = statistics[i]!.Sqrt();
            }
            else current[i] = g.Abs().Float();
        }
        if ((StepCount + 1) % Options.ReclusterInterval == 0) Regroup(current);
        for (int i = 0; i < count; i++)
            if (grouped[i] && current[i] is not null)
                before[i] = WrappedParameters[i].Detach().Clone().DetachFromDisposeScope();
        return before;
    }

    /// <summary>θ ← θ₀ + s[group]⊙(θ − θ₀) for the parameters copied by <see cref="Prepare"/>.</summary>
    private void Apply(Tensor?[] before)
    {
        using var noGrad = Autograd.NoGrad();
        using var scope = DisposeScope.Enter();
        for (int i = 0; i < before.Length; i++)
        {
            if (before[i] is not { } start) continue;
            Parameter p = WrappedParameters[i];
            Tensor s = scales![i]!.IndexSelect(0, labels![i]!.Reshape(-1).Long()).View(p.Shape);
            p.Copy_(start.Add(p.Sub(start).Mul_(s)));
        }
    }

    private void Regroup(Tensor?[] current)
    {
        int count = WrappedParameters.Count;
        var present = current.Where(x => x is not null).Select(x => x!.Reshape(-1)).ToList();
        if (present.Count == 0) return;
        Tensor all = Tensor.Cat(present);
        double globalMda = MedianAbsoluteDeviation(all, all.Mean());
        for (int i = 0; i < count; i++)
        {
            if (current[i] is not { } statistic) continue;
            Tensor x = statistic.Reshape(-1);
            Tensor c = grouped[i] ? centres![i]! : InitialCentres(x, Options.Clusters);
            Tensor assigned = Assign(x, c);
            for (int pass = 0; pass < Options.KMeansIterations; pass++)
            {
                c = UpdateCentres(x, assigned, c, Options.Clusters);
                assigned = Assign(x, c);
            }
            Tensor mean = x.Mean();
            float[] s = scales![i]!.ToArray<float>();
            for (int j = 0; j < Options.Clusters; j++)
            {
                Tensor members = x.MaskedSelect(assigned.Eq(j));
                if (members.NumberOfElements == 0) continue;
                double target = Math.Clamp(globalMda / (MedianAbsoluteDeviation(members, mean) + Options.Eps), Options.MinScale, Options.MaxScale);
                s[j] = (float)(Options.ScaleBeta * s[j] + (1 - Options.ScaleBeta) * target);
            }
            using (Tensor updated = Tensor.FromArray(s, (long)Options.Clusters)) scales[i]!.Copy_(updated);
            centres![i]!.Copy_(c);
            labels![i]!.Copy_(assigned.View(WrappedParameters[i].Shape));
            grouped[i] = true;
        }
    }

    /// <summary>The lower median of |x − <paramref name="average"/>| (torch.median's convention for even counts).</summary>
    private static double MedianAbsoluteDeviation(Tensor x, Tensor average)
    {
        var (sorted, _) = x.Sub(average).Abs_().Sort();
        return sorted.Select(0, (x.NumberOfElements - 1) / 2).Item();
    }

    /// <summary>The sorted values at ranks ⌊(2j+1)·n/(2K)⌋: K centres spread over the distribution.</summary>
    private static Tensor InitialCentres(Tensor x, int k)
    {
        var (sorted, _) = x.Sort();
        long n = x.NumberOfElements;
        long[] ranks = Enumerable.Range(0, k).Select(j => (2L * j + 1) * n / (2L * k)).ToArray();
        return sorted.IndexSelect(0, Tensor.FromArray(ranks, (long)k));
    }

    /// <summary>The nearest centre of every value (the first on ties).</summary>
    private static Tensor Assign(Tensor x, Tensor centres) => x.Unsqueeze(1).Sub(centres.Unsqueeze(0)).Abs_().ArgMin(1);

    /// <summary>Each centre moved to the mean of its values (kept where its group is empty).</summary>
    private static Tensor UpdateCentres(Tensor x, Tensor assigned, Tensor centres, int k)
    {
        Tensor sums = Tensor.Zeros(k).ScatterAdd(0, assigned, x);
        Tensor counts = Tensor.Zeros(k).ScatterAdd(0, assigned, x.OnesLike());
        return Tensor.Where(counts.Gt(0), sums.Div(counts.Clamp(min: 1)), centres);
    }

    protected override void SaveOwnState(OptimizerState state)
    {
        SaveTensors(state, "sgg.v", statistics);
        SaveTensors(state, "sgg.labels", labels);
        SaveTensors(state, "sgg.centres", centres);
        SaveTensors(state, "sgg.scales", scales);
        for (int i = 0; i < grouped.Length; i++)
            if (grouped[i]) state.Scalars[$"sgg.grouped.{i}"] = 1;
    }

    protected override void LoadOwnState(OptimizerState state)
    {
        Tensor?[]? v = LoadTensors(state, "sgg.v");
        Tensor?[]? l = LoadTensors(state, "sgg.labels");
        Tensor?[]? c = LoadGroupTensors(state, "sgg.centres");
        Tensor?[]? s = LoadGroupTensors(state, "sgg.scales");
        DisposeState();
        (statistics, labels, centres, scales) = (v, l, c, s);
        for (int i = 0; i < grouped.Length; i++) grouped[i] = state.Scalars.ContainsKey($"sgg.grouped.{i}");
    }

    /// <summary>Per-tensor vectors of K values (centres, scales), checked against <see cref="SggOptions.Clusters"/>.</summary>
    private Tensor?[]? LoadGroupTensors(OptimizerState state, string prefix)
    {
        var result = new Tensor?[WrappedParameters.Count];
        bool any = false;
        for (int i = 0; i < result.Length; i++)
        {
            if (!state.Tensors.TryGetValue($"{prefix}.{i}", out Tensor? t)) continue;
            if (t.Dim != 1 || t.Shape[0] != Options.Clusters)
            {
                DisposeAll(result);
                throw new ArgumentException($"The state's {prefix} tensor {i} has shape {Tensor.FormatShape(t.Shape)} but this SGG has {Options.Clusters} groups per tensor.", nameof(state));
            }
            result[i] = t.Clone().DetachFromDisposeScope();
            any = true;
        }
        return any ? result : null;
    }

    private void DisposeState()
    {
        DisposeAll(statistics);
        DisposeAll(labels);
        DisposeAll(centres);
        DisposeAll(scales);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DisposeState();
    }
}
