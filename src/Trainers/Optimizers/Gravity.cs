using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Gravity (Bahrami &amp; Zadeh, "Gravity Optimizer: a Kinematic Approach on Optimization in Deep Learning", arXiv 2101.09192):
/// <code>
/// M = 1/max|g|;  ζ = g/(1 + (g/M)²);  β_t = (β·t + 1)/(t + 2);  v ← β_t·v + (1 − β_t)·ζ;  θ ← θ − η·v
/// </code>
/// with v₀ ~ N(0, (α/η)²). The draw is reproducible: parameter k (its position in the optimizer) uses a generator seeded
/// with <see cref="Seed"/> + k, so no generator state needs saving (v itself is in the state). Defaults η = 1e-2,
/// α = 1e-2, β = 0.9 (pytorch-optimizer's). No weight decay in the paper: λ is applied as coupled L2 (g ← g + λθ), default 0.
/// State: 4 bytes/parameter.
/// </summary>
public sealed record GravityOptions : OptimizerOptions
{
    public GravityOptions() => LearningRate = 1e-2;

    /// <summary>α: the scale of the random initial velocity (standard deviation α/η).</summary>
    public double Alpha { get; init => field = OptionChecks.NonNegative(value, nameof(Alpha)); } = 1e-2;

    public double Beta { get; init => field = OptionChecks.Beta(value, nameof(Beta)); } = 0.9;

    /// <summary>Seed of the initial velocity draws.</summary>
    public int Seed { get; init => field = OptionChecks.AtLeast(value, 0, nameof(Seed)); }

    public override string Name => "gravity";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Gravity(this, groups);
}

/// <summary>Gravity; see <see cref="GravityOptions"/>.</summary>
public sealed class Gravity : ParameterwiseOptimizer<GravityOptions>
{
    private readonly Dictionary<Parameter, int> index = new(ReferenceEqualityComparer.Instance);

    public Gravity(GravityOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (var (_, p, _) in Entries()) index[p] = index.Count;
    }

    protected override void Update(ParamGroup group, GravityOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        if (o.WeightDecay != 0) grad = grad.Add(p, o.WeightDecay);
        Tensor v = state.GetOrCreate("velocity", () =>
        {
            using var generator = new Generator((ulong)(o.Seed + index[p]));
            return p.EmptyLike().Normal_(0, lr > 0 ? o.Alpha / lr : 0, generator);
        });
        // g/M = g·max|g|, written without dividing so an all-zero gradient gives ζ = 0.
        Tensor gmax = grad.Abs().Max();
        Tensor zeta = grad.Div(grad.Mul(gmax).Square_().Add_(1));
        long t = state.Step;
        double beta = (o.Beta * t + 1) / (t + 2);
        v.Mul_(beta).Add_(zeta, 1 - beta);
        p.Sub_(v, lr);
    }
}
