using TorchZoo.Torch;
using TorchZoo.Torch.Distributed;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Distributed;

/// <summary>
/// DiLoCo (Douillard et al., "DiLoCo: Distributed Low-Communication Training of Language Models", arXiv 2311.08105)
/// around any inner optimizer. Every rank starts from the shared weights θ (the anchor), takes
/// <see cref="InnerSteps"/> H steps of the inner optimizer on its own gradients without communicating, then the ranks
/// average the pseudo-gradient and take one outer Nesterov-momentum SGD step from the anchor:
/// <code>
/// Δ = mean_i(θ − θ_i);   b ← μ·b + Δ;   θ ← θ − η_out·(Δ + μ·b)   (without Nesterov: θ ← θ − η_out·b);   θ_i ← θ
/// </code>
/// Defaults (the paper's): H = 500, η_out = 0.7, μ = 0.9, Nesterov, inner AdamW. They are meant for thousands of outer
/// steps: the outer step settles at η_out / (1 − μ) = 7 times the averaged pseudo-gradient, and a run with only about a
/// hundred outer steps overshoots with them (the chirp example at H = 10 trains as well as data parallel with μ = 0.5
/// and fails with 0.9; docs/benchmarks.md). The inner optimizer's state stays
/// local to each rank. With one rank (or no group) the average is the rank's own pseudo-gradient. With H = 1,
/// η_out = 1, μ = 0 and a linear inner optimizer (SGD, with or without momentum) it is plain data-parallel training.
/// State per rank: the inner optimizer's plus the anchor and the outer buffer (8 bytes per parameter).
/// <see cref="LearningRate"/>, <see cref="WeightDecay"/> and <see cref="Maximize"/> are the inner optimizer's.
/// </summary>
public sealed record DiLoCoOptions : OptimizerOptions, IDistributedOptimizerOptions
{
    /// <summary>The optimizer every rank runs locally between synchronizations.</summary>
    public OptimizerOptions Inner { get; init => field = OptionChecks.NotNull(value, nameof(Inner)); } = new AdamWOptions { LearningRate = 4e-4, WeightDecay = 0.1 };

    /// <summary>H: inner steps between two outer steps.</summary>
    public int InnerSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(InnerSteps)); } = 500;

    /// <summary>η_out, the outer SGD learning rate.</summary>
    public double OuterLearningRate { get; init => field = OptionChecks.NonNegative(value, nameof(OuterLearningRate)); } = 0.7;

    /// <summary>μ, the outer momentum in [0, 1).</summary>
    public double OuterMomentum { get; init => field = OptionChecks.Beta(value, nameof(OuterMomentum)); } = 0.9;

    /// <summary>Nesterov momentum for the outer step (the paper's choice).</summary>
    public bool Nesterov { get; init; } = true;

    /// <summary>The ranks (null: supplied by the training loop, or a world of one).</summary>
    public ProcessGroup? ProcessGroup { get; init; }

    OptimizerOptions IDistributedOptimizerOptions.WithProcessGroup(ProcessGroup group) => this with { ProcessGroup = group };

    public override double LearningRate { get => Inner.LearningRate; init => Inner = Inner with { LearningRate = value }; }

    public override double WeightDecay { get => Inner.WeightDecay; init => Inner = Inner with { WeightDecay = value }; }

    public override bool Maximize { get => Inner.Maximize; init => Inner = Inner with { Maximize = value }; }

    public override string Name => "diloco";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new DiLoCo(this, groups);
}

/// <summary>DiLoCo around an inner optimizer; see <see cref="DiLoCoOptions"/>.</summary>
public sealed class DiLoCo : Optimizer, ISelfSynchronizingOptimizer
{
    private readonly List<Parameter> parameters;
    private readonly DataParallel? communication;
    private Tensor[]? anchor;
    private Tensor[]? momentum;
    private long stepCount;

    public DiLoCo(DiLoCoOptions options, IReadOnlyList<ParameterGroupSpec> groups)
    {
        Options = OptionChecks.NotNull(options, nameof(options));
        ArgumentNullException.ThrowIfNull(groups);
        var innerSpecs = new List<ParameterGroupSpec>();
        for (int i = 0; i < groups.Count; i++)
        {
            ParameterGroupSpec spec = groups[i];
            if (spec.Options is DiLoCoOptions d)
            {
                if (d.InnerSteps != options.InnerSteps || d.OuterLearningRate != options.OuterLearningRate || d.OuterMomentum != options.OuterMomentum || d.Nesterov != options.Nesterov)
                    throw new ArgumentException($"Parameter group {spec.Name ?? i.ToString()} sets DiLoCo's outer settings; they apply to the whole optimizer.", nameof(groups));
                spec = spec with { Options = d.Inner };
            }
            innerSpecs.Add(spec);
        }
        Inner = options.Inner.Create(innerSpecs);
        if (Inner.RequiresClosure)
            throw new ArgumentException($"DiLoCo's inner optimizer '{Inner.Name}' needs a closure, which DiLoCo does not drive; choose another inner optimizer.", nameof(options));
        parameters = Inner.Parameters.ToList();
        if (options.ProcessGroup is { } group) communication = new DataParallel(group);
    }

    public DiLoCoOptions Options { get; }

    /// <summary>The optimizer each rank runs locally.</summary>
    public Optimizer Inner { get; }

    /// <summary>Always true: the ranks exchange pseudo-gradients every H steps instead of gradients every step.</summary>
    public bool SynchronizesRanks => true;

    public override string Name => Options.Name;

    public override IReadOnlyList<ParamGroup> Groups => Inner.Groups;

    public override long StepCount => stepCount;

    /// <summary>Wall-clock seconds this rank spent in the outer all-reduces (0 without a process group).</summary>
    public double CommunicationSeconds => communication?.CommunicationSeconds ?? 0;

    /// <summary>Outer steps taken.</summary>
    public long OuterSteps => stepCount / Options.InnerSteps;

    public override long StateBytes => Inner.StateBytes + (anchor?.Sum(t => t.ByteCount) ?? 0) + (momentum?.Sum(t => t.ByteCount) ?? 0);

    public override IReadOnlyList<ParameterAssignment> Describe() => Inner.Describe();

    public override void Step()
    {
        if (anchor is null)
        {
            using var scope = DisposeScope.Enter();
            using var noGradInit = Autograd.NoGrad();
            anchor = parameters.Select(p => p.Detach().Clone().DetachFromDisposeScope()).ToArray();
            momentum ??= parameters.Select(p => p.Detach().ZerosLike().DetachFromDisposeScope()).ToArray();
        }
        Inner.Step();
        stepCount++;
        if (stepCount % Options.InnerSteps == 0) OuterStep();
    }

    /// <summary>
    /// Ends an unfinished round: when the last outer step lies fewer than H inner steps back, the pseudo-gradients of
    /// those steps are averaged and applied now, so that training ends with the same weights on every rank.
    /// </summary>
    public void FinishTraining()
    {
        if (anchor is not null && stepCount % Options.InnerSteps != 0) OuterStep();
    }

    private void OuterStep()
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        momentum ??= anchor!.Select(a => a.ZerosLike().DetachFromDisposeScope()).ToArray();
        // Pseudo-gradients θ − θ_i, averaged over the ranks in buckets.
        var delta = new Tensor[parameters.Count];
        for (int i = 0; i < parameters.Count; i++) delta[i] = anchor![i].Sub(parameters[i]);
        communication?.InBuckets(delta, flat => communication.Group.AllReduce(flat, ReduceOp.Average));
        double mu = Options.OuterMomentum, lr = Options.OuterLearningRate;
        for (int i = 0; i < parameters.Count; i++)
        {
            Tensor b = momentum![i].Mul_(mu).Add_(delta[i]);
            Tensor update = Options.Nesterov ? delta[i].Add(b, mu) : b;
            anchor![i].Sub_(update, lr);
            parameters[i].Copy_(anchor[i]);
        }
    }

    public override OptimizerState StateDict()
    {
        var state = new OptimizerState(Name);
        using (OptimizerState inner = Inner.StateDict()) state.Include("inner", inner);
        state.Scalars["step_count"] = stepCount;
        for (int i = 0; anchor is not null && i < anchor.Length; i++) state.Tensors[$"anchor.{i}"] = anchor[i].Clone().DetachFromDisposeScope();
        for (int i = 0; momentum is not null && i < momentum.Length; i++) state.Tensors[$"outer_momentum.{i}"] = momentum[i].Clone().DetachFromDisposeScope();
        return state;
    }

    public override void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Name)
            throw new ArgumentException($"The state was saved by optimizer '{state.Optimizer}' but this optimizer is '{Name}'.", nameof(state));
        Tensor[]? Read(string prefix)
        {
            if (!state.Tensors.ContainsKey(prefix + "0")) return null;
            if (state.Tensors.ContainsKey(prefix + parameters.Count) || !state.Tensors.ContainsKey(prefix + (parameters.Count - 1)))
                throw new ArgumentException($"The state's {prefix.TrimEnd('.')} tensors do not match this optimizer's {parameters.Count} parameters.", nameof(state));
            for (int i = 0; i < parameters.Count; i++)
                if (!state.Tensors[prefix + i].Shape.SequenceEqual(parameters[i].Shape))
                    throw new ArgumentException($"The state's {prefix}{i} has shape {Tensor.FormatShape(state.Tensors[prefix + i].Shape)} but parameter {i} has {Tensor.FormatShape(parameters[i].Shape)}.", nameof(state));
            using var scope = DisposeScope.Enter();
            return Enumerable.Range(0, parameters.Count).Select(i => state.Tensors[prefix + i].Clone().DetachFromDisposeScope()).ToArray();
        }
        Tensor[]? newAnchor = Read("anchor."), newMomentum = Read("outer_momentum.");
        Inner.LoadStateDict(state.Extract("inner", Inner.Name));
        DisposeState();
        anchor = newAnchor;
        momentum = newMomentum;
        stepCount = (long)state.Scalar("step_count");
    }

    private void DisposeState()
    {
        foreach (Tensor t in anchor ?? Array.Empty<Tensor>()) t.Dispose();
        foreach (Tensor t in momentum ?? Array.Empty<Tensor>()) t.Dispose();
        anchor = null;
        momentum = null;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Inner.Dispose();
        DisposeState();
    }
}
