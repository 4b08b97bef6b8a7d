using System.Text.RegularExpressions;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adam-mini (Zhang et al., "Adam-mini: Use Fewer Learning Rates To Gain More", arXiv 2406.16793): Adam whose second
/// moment is one scalar per block of the Hessian's block-diagonal structure: m ← β1m + (1−β1)g;
/// v_b ← β2v_b + (1−β2)·mean_b(g²); θ ← θ(1 − ηλ) − η(m/bc1)/(√(v_b/bc2) + ε).
/// Blocks (the parameter viewed as a (rows, −1) matrix, rows = output neurons):
/// query/key weights (<see cref="QueryKeyPattern"/>) — one block per attention head (rows split into
/// <see cref="HeadCount"/> equal parts); fused q/k/v weights (<see cref="QkvPattern"/>, rows = [q; k; v]) — per head
/// for q and k, per output neuron for v; every other tensor of two or more dimensions — one block per output neuron
/// (row), which for embeddings (vocab × d) and the output head is one block per token; tensors of one dimension
/// (biases, norms) — one block. Head blocks are used only when <see cref="HeadCount"/> &gt; 0 (the model's head count
/// must be given, as the official <c>num_heads</c>); otherwise query/key weights fall back to per-neuron blocks.
/// Defaults η = 1e-3 (the official signature's lr = 1.0 is a placeholder to be set), β = (0.9, 0.999), ε = 1e-8,
/// λ = 0.1 (official). State: 4 bytes/parameter + 4 per block (≈ 4).
/// </summary>
public sealed record AdamMiniOptions : AdaptiveMomentOptions
{
    public AdamMiniOptions()
    {
        LearningRate = 1e-3;
        WeightDecay = 0.1;
    }

    /// <summary>The model's attention head count; 0 disables head blocks (query/key weights are then per neuron).</summary>
    public int HeadCount { get; init => field = OptionChecks.AtLeast(value, 0, nameof(HeadCount)); }

    /// <summary>Regular expression on the dotted name of separate query and key weights.</summary>
    public string QueryKeyPattern { get; init => field = CheckedPattern(value, nameof(QueryKeyPattern)); } =
        @"(^|\.)(q|k|q_proj|k_proj|wq|wk|query|key)\.weight$";

    /// <summary>Regular expression on the dotted name of fused q/k/v weights whose rows are [q; k; v].</summary>
    public string QkvPattern { get; init => field = CheckedPattern(value, nameof(QkvPattern)); } =
        @"(^|\.)(qkv|wqkv|query_key_value)\.weight$|(^|\.)in_proj_weight$";

    public override string Name => "adam_mini";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdamMini(this, groups);

    internal static string CheckedPattern(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        try { _ = new Regex(value); }
        catch (ArgumentException e) { throw new ArgumentException($"{name} is not a valid regular expression: {e.Message}", name); }
        return value;
    }

    /// <summary>The blocks of one parameter: (first row, row count, blocks) segments of its (rows, −1) view.</summary>
    internal IReadOnlyList<(long Start, long Rows, long Blocks)> BlocksOf(string name, long[] shape)
    {
        if (shape.Length < 2) return new[] { (0L, 1L, 1L) };
        long rows = shape[0];
        if (HeadCount > 0 && Regex.IsMatch(name, QkvPattern))
        {
            if (rows % (3L * HeadCount) != 0)
                throw new ArgumentException($"Adam-mini: fused q/k/v weight '{name}' has {rows} rows, not divisible by 3 × HeadCount = {3 * HeadCount}.");
            long d = rows / 3;
            return new[] { (0L, d, (long)HeadCount), (d, d, (long)HeadCount), (2 * d, d, d) };
        }
        if (HeadCount > 0 && Regex.IsMatch(name, QueryKeyPattern))
        {
            if (rows % HeadCount != 0)
                throw new ArgumentException($"Adam-mini: query/key weight '{name}' has {rows} rows, not divisible by HeadCount = {HeadCount}.");
            return new[] { (0L, rows, (long)HeadCount) };
        }
        return new[] { (0L, rows, rows) };
    }
}

/// <summary>Adam-mini; see <see cref="AdamMiniOptions"/>.</summary>
public sealed class AdamMini : ParameterwiseOptimizer<AdamMiniOptions>
{
    private readonly Dictionary<Parameter, IReadOnlyList<(long Start, long Rows, long Blocks)>> blocks = new(ReferenceEqualityComparer.Instance);

    public AdamMini(AdamMiniOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (ParamGroup g in Groups)
            foreach (NamedParameter p in g.Parameters)
                blocks[p.Parameter] = ((AdamMiniOptions)g.Options).BlocksOf(p.Name, p.Parameter.Shape);
    }

    protected override void Update(ParamGroup group, AdamMiniOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);

        var segments = blocks[p];
        long rows = p.Dim < 2 ? 1 : p.Size(0);
        Tensor g2d = grad.Reshape(rows, -1), m2d = m.View(rows, -1), p2d = p.View(rows, -1);
        for (int s = 0; s < segments.Count; s++)
        {
            var (start, count, n) = segments[s];
            Tensor gs = g2d.Narrow(0, start, count).Reshape(n, -1);
            Tensor v = state.GetOrCreate($"exp_avg_sq.{s}", () => Tensor.Zeros(new[] { n, 1L }));
            v.Mul_(o.Beta2).Add_(gs.Square().Mean(1, keepDim: true), 1 - o.Beta2);   // one scalar per block
            Tensor denom = AdamMoments.Denominator(v, bc2, o.Eps);
            p2d.Narrow(0, start, count).View(n, -1).Addcdiv_(m2d.Narrow(0, start, count).View(n, -1), denom, -lr / bc1);
        }
    }
}
