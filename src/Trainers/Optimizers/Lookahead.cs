using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Lookahead (Zhang, Lucas, Hinton &amp; Ba, "Lookahead Optimizer: k steps forward, 1 step back", arXiv 1907.08610)
/// around any optimizer: the inner ("fast") optimizer takes k steps, then the slow weights φ move towards the fast
/// weights θ and the fast weights restart from them:
/// <code>
/// every k inner steps:  φ ← φ + α·(θ − φ);  θ ← φ          φ starts as θ at the first step
/// </code>
/// Defaults k = 5, α = 0.5 (the paper's; timm uses k = 6), inner <see cref="AdamWOptions"/>. The inner optimizer's
/// state is untouched at synchronization (pytorch-optimizer's "none" pullback mode; "reset"/"pullback" are not offered).
/// State: 4 bytes per parameter (φ) plus the inner optimizer's; saved with it, so resuming is bitwise.
/// <see cref="LearningRate"/>, <see cref="WeightDecay"/> and <see cref="Maximize"/> read and write the inner
/// options (set <see cref="Inner"/> first in an object initializer).
/// </summary>
public sealed record LookaheadOptions : OptimizerOptions
{
    /// <summary>The optimizer that takes the fast steps.</summary>
    public OptimizerOptions Inner { get; init => field = OptionChecks.NotNull(value, nameof(Inner)); } = new AdamWOptions();

    /// <summary>Fast steps k between synchronizations.</summary>
    public int SyncPeriod { get; init => field = OptionChecks.AtLeast(value, 1, nameof(SyncPeriod)); } = 5;

    /// <summary>Slow step size α in [0, 1] (1 = plain inner optimizer, 0 = never moves).</summary>
    public double Alpha { get; init => field = OptionChecks.UnitInterval(value, nameof(Alpha)); } = 0.5;

    /// <summary>The inner optimizer's learning rate.</summary>
    public override double LearningRate { get => Inner.LearningRate; init => Inner = Inner with { LearningRate = value }; }

    /// <summary>The inner optimizer's weight decay.</summary>
    public override double WeightDecay { get => Inner.WeightDecay; init => Inner = Inner with { WeightDecay = value }; }

    /// <summary>The inner optimizer's Maximize flag.</summary>
    public override bool Maximize { get => Inner.Maximize; init => Inner = Inner with { Maximize = value }; }

    public override string Name => "lookahead";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Lookahead(this, groups);
}

/// <summary>Lookahead around an inner optimizer; see <see cref="LookaheadOptions"/>.</summary>
public sealed class Lookahead : Optimizer
{
    private readonly List<Parameter> parameters;
    private Tensor[]? slow;
    private long stepCount;

    public Lookahead(LookaheadOptions options, IReadOnlyList<ParameterGroupSpec> groups)
    {
        Options = OptionChecks.NotNull(options, nameof(options));
        ArgumentNullException.ThrowIfNull(groups);
        // A group may carry LookaheadOptions (the wrapper's own type) to override the inner options of that group;
        // k and α are the wrapper's and must not differ per group.
        var innerSpecs = new List<ParameterGroupSpec>();
        for (int i = 0; i < groups.Count; i++)
        {
            ParameterGroupSpec spec = groups[i];
            if (spec.Options is LookaheadOptions la)
            {
                if (la.SyncPeriod != options.SyncPeriod || la.Alpha != options.Alpha)
                    throw new ArgumentException($"Parameter group {spec.Name ?? i.ToString()} sets Lookahead's SyncPeriod/Alpha; they apply to the whole optimizer.", nameof(groups));
                spec = spec with { Options = la.Inner };
            }
            innerSpecs.Add(spec);
        }
        Inner = options.Inner.Create(innerSpecs);
        parameters = Inner.Parameters.ToList();
    }

    public LookaheadOptions Options { get; }

    /// <summary>The optimizer that takes the fast steps.</summary>
    public Optimizer Inner { get; }

    public override string Name => Options.Name;

    public override IReadOnlyList<ParamGroup> Groups => Inner.Groups;

    public override long StepCount => stepCount;

    public override long StateBytes => Inner.StateBytes + (slow?.Sum(t => t.ByteCount) ?? 0);

    public override IReadOnlyList<ParameterAssignment> Describe() => Inner.Describe();

    public override bool RequiresClosure => Inner.RequiresClosure;

    public override void Step() => FastStep(() => Inner.Step());

    /// <summary>The inner optimizer's closure step (for SAM, SANIA, AdaHessian, … as the fast optimizer).</summary>
    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        double? loss = null;
        FastStep(() => loss = Inner.Step(closure));
        return loss;
    }

    private void FastStep(Action innerStep)
    {
        if (slow is null)
        {
            using var scope = DisposeScope.Enter();
            using var noGradInit = Autograd.NoGrad();
            slow = parameters.Select(p => p.Detach().Clone().DetachFromDisposeScope()).ToArray();
        }
        innerStep();
        using var noGrad = Autograd.NoGrad();
        stepCount++;
        if (stepCount % Options.SyncPeriod != 0) return;
        for (int i = 0; i < parameters.Count; i++)
        {
            slow[i].Lerp_(parameters[i], Options.Alpha);
            parameters[i].Copy_(slow[i]);
        }
    }

    public override OptimizerState StateDict()
    {
        var state = new OptimizerState(Name);
        using (OptimizerState inner = Inner.StateDict()) state.Include("inner", inner);
        state.Scalars["step_count"] = stepCount;
        if (slow is not null)
            for (int i = 0; i < slow.Length; i++) state.Tensors[$"slow.{i}"] = slow[i].Clone().DetachFromDisposeScope();
        return state;
    }

    public override void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Name)
            throw new ArgumentException($"The state was saved by optimizer '{state.Optimizer}' but this optimizer is '{Name}'.", nameof(state));
        bool hasSlow = state.Tensors.ContainsKey("slow.0");
        if (state.Tensors.ContainsKey($"slow.{parameters.Count}") || (hasSlow && !state.Tensors.ContainsKey($"slow.{parameters.Count - 1}")))
            throw new ArgumentException($"The state's slow weights do not match this optimizer's {parameters.Count} parameters.", nameof(state));
        for (int i = 0; hasSlow && i < parameters.Count; i++)
        {
            Tensor t = state.Tensors[$"slow.{i}"];
            if (!t.Shape.SequenceEqual(parameters[i].Shape))
                throw new ArgumentException($"The state's slow weight {i} has shape {Tensor.FormatShape(t.Shape)} but parameter {i} has {Tensor.FormatShape(parameters[i].Shape)}.", nameof(state));
        }

        Inner.LoadStateDict(state.Extract("inner", Inner.Name));
        DisposeSlow();
        if (hasSlow)
        {
            using var scope = DisposeScope.Enter();
            slow = Enumerable.Range(0, parameters.Count).Select(i => state.Tensors[$"slow.{i}"].Clone().DetachFromDisposeScope()).ToArray();
        }
        stepCount = (long)state.Scalar("step_count");
    }

    private void DisposeSlow()
    {
        if (slow is null) return;
        foreach (Tensor t in slow) t.Dispose();
        slow = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Inner.Dispose();
        DisposeSlow();
    }
}
