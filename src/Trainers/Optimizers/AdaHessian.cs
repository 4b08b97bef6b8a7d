using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaHessian (Yao et al., "ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning", arXiv 2006.00719): Adam
/// whose second moment tracks a Hutchinson estimate of the Hessian diagonal instead of g²:
/// <code>
/// D = |z⊙(Hz)|, z Rademacher; for 4-D conv kernels D is averaged over the spatial dims (kh, kw)
/// m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·D²  (only on steps that refresh D: 1, 1 + P, 1 + 2P, …)
/// θ ← θ·(1 − ηλ) − η·(m/bc1)/((√(v/bc2))^k + ε)
/// </code>
/// Needs the loss closure (<see cref="Optimizer.Step(Func{double})"/>): the closure's <see cref="LossClosure.Backward"/> keeps
/// the gradient graph for the Hessian-vector product. z comes from one generator seeded with <see cref="Seed"/> whose state
/// is saved with the optimizer, so resuming is bitwise. Defaults (official code) η = 0.15, β = (0.9, 0.999), ε = 1e-4, k = 1,
/// λ = 0 (decoupled), P = 1. State: 8 bytes/parameter (+ the generator state, ≈ 5 KB).
/// </summary>
public sealed record AdaHessianOptions : AdaptiveMomentOptions
{
    public AdaHessianOptions()
    {
        LearningRate = 0.15;
        Eps = 1e-4;
    }

    /// <summary>k: the power of the Hessian denominator (1 = full curvature, 0.5 ≈ between SGD and AdaHessian).</summary>
    public double HessianPower { get; init => field = OptionChecks.UnitInterval(value, nameof(HessianPower)); } = 1.0;

    /// <summary>P: steps between Hessian estimates (the second moment stays fixed in between).</summary>
    public int UpdatePeriod { get; init => field = OptionChecks.AtLeast(value, 1, nameof(UpdatePeriod)); } = 1;

    /// <summary>Seed of the Rademacher vectors.</summary>
    public int Seed { get; init => field = OptionChecks.AtLeast(value, 0, nameof(Seed)); }

    public override string Name => "adahessian";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaHessian(this, groups);
}

/// <summary>AdaHessian; see <see cref="AdaHessianOptions"/>.</summary>
public sealed class AdaHessian : CurvatureOptimizer<AdaHessianOptions>
{
    public AdaHessian(AdaHessianOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups, options.Seed) { }

    protected override bool EstimatesThisStep => StepCount % Options.UpdatePeriod == 0;

    protected override Tensor Postprocess(Parameter p, Tensor estimate)
    {
        Tensor d = estimate.Abs();
        return p.Dim == 4 ? d.Mean(new long[] { 2, 3 }, keepDim: true) : d;
    }

    protected override void Update(ParamGroup group, AdaHessianOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_hessian_diag_sq", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        if (Estimate(p) is { } d) v.Mul_(o.Beta2).Addcmul_(d, d, 1 - o.Beta2);
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step), bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor denom = v.Div(bc2).Sqrt_().Pow_(o.HessianPower).Add_(o.Eps);
        p.Addcdiv_(m, denom, -lr / bc1);
    }
}

/// <summary>
/// The closure step shared by the Hutchinson-based optimizers (AdaHessian, Sophia-H): run the closure with the gradient
/// graph captured, estimate z⊙(Hz) on the steps that need it, then the per-parameter updates. Owns the seeded generator
/// and saves its state.
/// </summary>
public abstract class CurvatureOptimizer<TOptions> : ParameterwiseOptimizer<TOptions> where TOptions : OptimizerOptions
{
    private readonly Generator generator;
    private readonly Dictionary<Parameter, Tensor> estimates = new(ReferenceEqualityComparer.Instance);

    protected CurvatureOptimizer(TOptions options, IReadOnlyList<ParameterGroupSpec> groups, int seed) : base(options, groups) =>
        generator = new Generator((ulong)seed);

    public override bool RequiresClosure => true;

    /// <summary>Whether the step about to run estimates the Hessian diagonal (<see cref="Optimizer.StepCount"/> steps done so far).</summary>
    protected abstract bool EstimatesThisStep { get; }

    /// <summary>Turns the raw z⊙(Hz) of a parameter into what the rule uses.</summary>
    protected virtual Tensor Postprocess(Parameter p, Tensor estimate) => estimate;

    /// <summary>This step's estimate for <paramref name="p"/>, or null when the step does not estimate.</summary>
    protected Tensor? Estimate(Parameter p) => estimates.GetValueOrDefault(p);

    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        List<Parameter> parameters = Entries().Select(e => e.Parameter).ToList();
        double loss;
        try
        {
            using (LossClosure.GraphCapture capture = LossClosure.Capture(parameters))
            {
                loss = closure();
                if (EstimatesThisStep)
                {
                    if (capture.Gradients is null)
                        throw new InvalidOperationException($"{Name} needs the gradient graph: the closure must call LossClosure.Backward(loss).");
                    using var scope = DisposeScope.Enter();
                    Tensor?[] raw = Hutchinson.DiagonalEstimate(parameters, capture.Gradients, generator);
                    using var noGrad = Autograd.NoGrad();
                    for (int i = 0; i < parameters.Count; i++)
                        if (raw[i] is { } e) estimates[parameters[i]] = Postprocess(parameters[i], e.Detach()).DetachFromDisposeScope();
                }
            }
            StepParameters();
        }
        finally
        {
            foreach (Tensor t in estimates.Values) t.Dispose();
            estimates.Clear();
        }
        return loss;
    }

    protected override void SaveSharedState(OptimizerState state)
    {
        using Tensor rng = generator.GetState();
        state.Tensors["shared.rng_state"] = rng.Clone().DetachFromDisposeScope();
    }

    protected override void LoadSharedState(OptimizerState state)
    {
        if (state.Tensors.TryGetValue("shared.rng_state", out Tensor? rng)) generator.SetState(rng);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) generator.Dispose();
    }
}
