using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AuON (Maity, "AuON: A Linear-time Alternative to Semi-Orthogonal Momentum Updates", arXiv 2509.24320): Muon's
/// momentum, but no Newton–Schulz; the momentum matrix is normalized instead, in linear time:
/// <code>
/// B ← μB + (1−μ)G;  U = G + μ(B − G) (Nesterov) or B, as (size(0), −1);  X = U/(‖U‖_F + 1e-7)
/// O = X/(√mean(cosh(X)²) + 1e-8);  θ ← θ·(1 − ηλ) − η·√max(1, m/n)·O
/// </code>
/// Hidden matrices only; the rest goes to <see cref="MatrixOptimizerOptions.Fallback"/> (AdamW). Defaults from the README
/// example: η = 0.08, μ = 0.95, Nesterov, λ = 0.01. UNCERTAIN: the formula comes from a secondary summary, not the code;
/// the "hybrid" variant (one extra Newton–Schulz iteration) is not offered. State: 4 bytes/parameter.
/// </summary>
public sealed record AuOnOptions : MatrixOptimizerOptions
{
    public AuOnOptions()
    {
        LearningRate = 0.08;
        WeightDecay = 0.01;
    }

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.95;

    public bool Nesterov { get; init; } = true;

    public override string Name => "auon";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new AuOn(this, groups);
}

/// <summary>The matrix side of AuON; see <see cref="AuOnOptions"/>.</summary>
public sealed class AuOn : ParameterwiseOptimizer<AuOnOptions>
{
    internal AuOn(AuOnOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, AuOnOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor buf = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
        MatrixMomentum.Update(buf, grad, o.Momentum);
        Tensor u = MatrixMomentum.Direction(buf, grad, o.Momentum, o.Nesterov).Reshape(p.Size(0), -1);
        Tensor x = u.Div(u.Norm().Add_(1e-7));
        Tensor coshSquared = x.Exp().Add_(x.Neg().Exp_()).Mul_(0.5).Square_();
        Tensor o2 = x.Div_(coshSquared.Mean().Sqrt_().Add_(1e-8));
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(o2.View(p.Shape), lr * Math.Sqrt(Math.Max(1.0, (double)u.Size(0) / u.Size(1))));
    }
}
