using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SANIA (Abdukhakimov et al., "SANIA: Polyak-type Optimization Framework Leads to Scale Invariant Stochastic Algorithms",
/// arXiv 2312.17369): a preconditioned Polyak step, so no learning rate to tune:
/// <code>
/// B ← B + g²  (AdaGrad-SQR: a sum of squares with NO square root, which makes the method scale-invariant)
/// θ ← θ − η·[(f(θ) − f*) / ‖g‖²_{B⁻¹}]·B⁻¹g        ‖g‖²_{B⁻¹} = Σ over all parameters of g²/(B + ε)
/// </code>
/// Needs the loss value, so it is driven by the closure (<see cref="Optimizer.Step(Func{double})"/>). η
/// (<see cref="OptimizerOptions.LearningRate"/>) is a damping factor on the Polyak step, 1 in the paper; f* defaults to 0
/// (interpolation), and a loss below f* gives no step. Only the AdaGrad-SQR preconditioner is offered (the paper also has
/// Adam-SQR and a Hutchinson one). UNCERTAIN: the paper's exact ε placement was not verified; ε = 1e-8 is added to B.
/// No weight decay (λ must stay 0). State: 4 bytes/parameter.
/// </summary>
public sealed record SaniaOptions : OptimizerOptions
{
    public SaniaOptions() => LearningRate = 1.0;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>f*: the optimal loss value the Polyak step aims at.</summary>
    public double OptimalLoss { get; init => field = double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(OptimalLoss), value, "OptimalLoss must be finite."); }

    /// <summary>Weight decay is not part of the method; only 0 is accepted.</summary>
    public override double WeightDecay { get => 0; init => _ = value == 0 ? value : throw new ArgumentOutOfRangeException(nameof(WeightDecay), value, "SANIA has no weight decay; WeightDecay must be 0."); }

    public override string Name => "sania";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Sania(this, groups);
}

/// <summary>SANIA with AdaGrad-SQR; see <see cref="SaniaOptions"/>.</summary>
public sealed class Sania : ParameterwiseOptimizer<SaniaOptions>
{
    private double polyak;

    public Sania(SaniaOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    public override bool RequiresClosure => true;

    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        double loss = closure();
        double normSquared = 0;
        using (Autograd.NoGrad())
            foreach (var (group, p, state) in Entries())
            {
                using var scope = DisposeScope.Enter();
                Tensor? g = p.Grad;
                if (g is null) continue;
                if (group.Options.Maximize) g = g.Neg();
                var o = (SaniaOptions)group.Options;
                Tensor b = state.GetOrCreate("sum_sq", () => p.ZerosLike());
                b.Addcmul_(g, g);
                normSquared += g.Square().Div_(b.Add(o.Eps)).Sum().Item();
            }
        double gap = Math.Max(loss - Options.OptimalLoss, 0);
        polyak = normSquared > 0 ? gap / normSquared : 0;
        StepParameters();
        return loss;
    }

    protected override void Update(ParamGroup group, SaniaOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        Tensor b = state.Get("sum_sq");
        p.Sub_(grad.Div(b.Add(o.Eps)), group.LearningRate * polyak);
    }
}
