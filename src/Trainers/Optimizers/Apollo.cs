using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>How APOLLO turns the low-rank Adam step into a scaling of the full-rank gradient.</summary>
public enum ApolloScaleType
{
    /// <summary>One factor per channel (row or column of the unprojected side): APOLLO.</summary>
    Channel,

    /// <summary>One factor per tensor: APOLLO-Mini.</summary>
    Tensor,
}

/// <summary>
/// APOLLO (Zhu et al., "APOLLO: SGD-like Memory, AdamW-level Performance", arXiv 2412.05270), as the official
/// <c>apollo_torch</c>: each matrix G (m×n, kernels as (out, −1)) is projected by a random Gaussian P (entries
/// N(0, 1/r)) on its smaller side — R = G·Pᵀ (P: r×n) when m ≥ n, R = Pᵀ·G (P: m×r) otherwise; Adam moments on R;
/// R̃ = m/(√v + ε); scale s = ‖R̃‖/(‖R‖ + 1e-8) over the rank dimension per channel (<see cref="ApolloScaleType.Channel"/>)
/// or over the tensor (<see cref="ApolloScaleType.Tensor"/>); the <em>full-rank raw gradient</em> is scaled, G̃ = G·s
/// (pytorch-optimizer 3.9 instead scales R̃ and projects it back); Fira's norm-growth limiter keeps
/// ‖G̃_t‖ ≤ γ‖G̃_{t−1}‖; θ ← θ − η·(√bc2/bc1)·√α·G̃, then θ ← θ − ηλθ. Tensors of one dimension get that AdamW step.
/// P is regenerated from a seed every <see cref="ProjectionUpdateInterval"/> steps; it is not stored, only its seed
/// (a state scalar, so resuming is bitwise). Seeds: <see cref="Seed"/> + the parameter's 1-based position (official:
/// the position), advanced at each refresh by s ← (1103515245·s + 12345) mod 2³¹ (the official code advances torch's
/// generator instead); the rank is capped at the smaller side. Defaults (official scripts): η = 1e-2, β = (0.9, 0.999),
/// ε = 1e-6, λ = 0, r = 256, T = 200, α = 1, channel scaling, γ = 1.01. State: 8r/min(m, n) bytes/parameter for a
/// matrix (r = 256 on 768×3072: ≈ 2.7), 8 for vectors.
/// </summary>
public record ApolloOptions : AdaptiveMomentOptions
{
    public ApolloOptions()
    {
        LearningRate = 1e-2;
        Eps = 1e-6;
    }

    /// <summary>r, the projection rank (capped at the matrix's smaller side).</summary>
    public int Rank { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Rank)); } = 256;

    public ApolloScaleType ScaleType { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(ScaleType), value, "Unknown ApolloScaleType."); } = ApolloScaleType.Channel;

    /// <summary>α; the update is multiplied by √α (APOLLO-Mini's 128 compensates for the rank-1 scaling).</summary>
    public double Scale { get; init => field = OptionChecks.Positive(value, nameof(Scale)); } = 1;

    /// <summary>T: a new projection every T steps.</summary>
    public int ProjectionUpdateInterval { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ProjectionUpdateInterval)); } = 200;

    /// <summary>Base seed of the projections.</summary>
    public int Seed { get; init => field = OptionChecks.AtLeast(value, 0, nameof(Seed)); }

    /// <summary>Fira's norm-growth limiter on the scaled gradient.</summary>
    public bool NormGrowthLimiter { get; init; } = true;

    /// <summary>γ, the largest allowed growth of ‖G̃‖ from one step to the next.</summary>
    public double NormGrowthRate { get; init => field = OptionChecks.GreaterThanOne(value, nameof(NormGrowthRate)); } = 1.01;

    public override string Name => "apollo";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Apollo(this, groups);

    /// <summary>The seed after <paramref name="seed"/> (a 31-bit linear congruential step; exact in a double).</summary>
    public static long NextSeed(long seed) => (1103515245L * seed + 12345L) & 0x7FFFFFFFL;
}

/// <summary>
/// APOLLO-Mini (arXiv 2412.05270): APOLLO with rank 1, one scaling factor per tensor and α = 128 (the official
/// recipe); see <see cref="ApolloOptions"/>. State: 8/min(m, n) bytes/parameter for a matrix (≈ 0.01 on 768×3072).
/// </summary>
public sealed record ApolloMiniOptions : ApolloOptions
{
    public ApolloMiniOptions()
    {
        Rank = 1;
        ScaleType = ApolloScaleType.Tensor;
        Scale = 128;
    }

    public override string Name => "apollo_mini";
}

/// <summary>APOLLO and APOLLO-Mini; see <see cref="ApolloOptions"/>.</summary>
public sealed class Apollo : ParameterwiseOptimizer<ApolloOptions>
{
    private readonly Dictionary<Parameter, int> positions = new(ReferenceEqualityComparer.Instance);

    public Apollo(ApolloOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (var (p, i) in Groups.SelectMany(g => g.Parameters).Select((p, i) => (p.Parameter, i + 1))) positions[p] = i;
    }

    /// <summary>The projection of a parameter at its current step (for tests): r×n (right) or m×r (left).</summary>
    public Tensor ProjectionOf(Parameter parameter)
    {
        ParameterState state = StateOf(parameter);
        return Projection((long)state.GetScalar("seed"), parameter.Size(0), parameter.NumberOfElements / parameter.Size(0), Options.Rank);
    }

    protected override void Update(ParamGroup group, ApolloOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        double stepSize = lr * Math.Sqrt(bc2) / bc1;
        if (p.Dim < 2)
        {
            Tensor m1 = state.GetOrCreate("exp_avg", () => p.ZerosLike());
            Tensor v1 = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
            AdamMoments.UpdateFirst(m1, grad, o.Beta1);
            AdamMoments.UpdateSecond(v1, grad, o.Beta2);
            p.Addcdiv_(m1, v1.Sqrt().Add_(o.Eps), -stepSize);
            if (o.WeightDecay != 0) p.Mul_(1 - lr * o.WeightDecay);
            return;
        }

        long rows = p.Size(0), cols = p.NumberOfElements / rows;
        bool right = rows >= cols;
        Tensor g = grad.Reshape(rows, cols);

        // 1. Project onto the current random subspace (a new seed every T steps).
        long seed = state.Scalars.ContainsKey("seed") ? (long)state.GetScalar("seed") : o.Seed + positions[p];
        if (state.Step > 1 && (state.Step - 1) % o.ProjectionUpdateInterval == 0) seed = ApolloOptions.NextSeed(seed);
        state.SetScalar("seed", seed);
        Tensor proj = Projection(seed, rows, cols, o.Rank);
        Tensor r = right ? g.Matmul(proj.MT) : proj.MT.Matmul(g);

        // 2. Adam moments in the low-rank space.
        Tensor m = state.GetOrCreate("exp_avg", () => r.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => r.ZerosLike());
        AdamMoments.UpdateFirst(m, r, o.Beta1);
        AdamMoments.UpdateSecond(v, r, o.Beta2);
        Tensor adapted = m.Div(v.Sqrt().Add_(o.Eps));

        // 3. Scaling factor ‖R̃‖/‖R‖ per channel (over the rank dimension) or per tensor.
        Tensor scale;
        if (o.ScaleType == ApolloScaleType.Channel)
        {
            long[] rankDim = { right ? 1 : 0 };
            scale = adapted.Norm(2, rankDim, keepDim: true).Div_(r.Norm(2, rankDim, keepDim: true).Add_(1e-8));
        }
        else scale = adapted.Norm().Div_(r.Norm().Add_(1e-8));

        // 4. Scale the full-rank raw gradient; limit its norm growth.
        Tensor scaled = g.Mul(scale);
        if (o.NormGrowthLimiter)
        {
            double norm = scaled.Norm().Item();
            if (state.Scalars.TryGetValue("scaled_grad_norm", out double previous))
            {
                double limiter = Math.Max(norm / (previous + 1e-8), o.NormGrowthRate) / o.NormGrowthRate;
                scaled.Div_(limiter);
                norm /= limiter;
            }
            state.SetScalar("scaled_grad_norm", norm);
        }
        p.Sub_(scaled.View(p.Shape), stepSize * Math.Sqrt(o.Scale));
        if (o.WeightDecay != 0) p.Mul_(1 - lr * o.WeightDecay);
    }

    /// <summary>P with N(0, 1/r) entries from <paramref name="seed"/>: r×cols when rows ≥ cols, else rows×r.</summary>
    private static Tensor Projection(long seed, long rows, long cols, int rank)
    {
        long r = Math.Min(rank, Math.Min(rows, cols));
        using var generator = new Generator((ulong)seed);
        long[] shape = rows >= cols ? new[] { r, cols } : new[] { rows, r };
        return Tensor.Randn(shape, generator).Div_(Math.Sqrt(r));
    }
}
