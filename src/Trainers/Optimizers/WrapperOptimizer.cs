using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Options of a wrapper around any optimizer (SAM, XGrad, AdaGC, SGG). <see cref="LearningRate"/>,
/// <see cref="WeightDecay"/> and <see cref="Maximize"/> read and write the inner options, so `wrapper with
/// { LearningRate = x }` reaches the inner optimizer (set <see cref="Inner"/> first in an object initializer).
/// </summary>
public abstract record WrapperOptions : OptimizerOptions
{
    /// <summary>The optimizer that applies the updates.</summary>
    public OptimizerOptions Inner { get; init => field = OptionChecks.NotNull(value, nameof(Inner)); } = new AdamWOptions();

    public override double LearningRate { get => Inner.LearningRate; init => Inner = Inner with { LearningRate = value }; }

    public override double WeightDecay { get => Inner.WeightDecay; init => Inner = Inner with { WeightDecay = value }; }

    public override bool Maximize { get => Inner.Maximize; init => Inner = Inner with { Maximize = value }; }

    /// <summary>
    /// The inner groups: a group may carry this wrapper's own options type to override the inner options of that group;
    /// the wrapper's other settings apply to the whole optimizer and must not differ.
    /// </summary>
    internal List<ParameterGroupSpec> InnerSpecs(IReadOnlyList<ParameterGroupSpec> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var specs = new List<ParameterGroupSpec>();
        for (int i = 0; i < groups.Count; i++)
        {
            ParameterGroupSpec spec = groups[i];
            if (spec.Options is WrapperOptions w && w.GetType() == GetType())
            {
                if (!Equals(w with { Inner = Inner }))
                    throw new ArgumentException($"Parameter group {spec.Name ?? i.ToString()} changes {Name}'s own settings; only its Inner options may differ per group.", nameof(groups));
                spec = spec with { Options = w.Inner };
            }
            specs.Add(spec);
        }
        return specs;
    }
}

/// <summary>
/// A wrapper around an inner optimizer: groups, description and step count come from the inner optimizer; the
/// saved state holds the inner state under "inner." plus the wrapper's own tensors and scalars.
/// </summary>
public abstract class WrapperOptimizer : Optimizer
{
    private long stepCount;

    protected WrapperOptimizer(WrapperOptions options, IReadOnlyList<ParameterGroupSpec> groups)
    {
        OptionChecks.NotNull(options, nameof(options));
        Inner = options.Inner.Create(options.InnerSpecs(groups));
        WrappedParameters = Inner.Parameters.ToList();
        Name = options.Name;
    }

    /// <summary>The optimizer that applies the updates.</summary>
    public Optimizer Inner { get; }

    /// <summary>The inner optimizer's parameters, in its order.</summary>
    protected IReadOnlyList<Parameter> WrappedParameters { get; }

    public override string Name { get; }

    public override IReadOnlyList<ParamGroup> Groups => Inner.Groups;

    public override long StepCount => stepCount;

    public override long StateBytes => Inner.StateBytes + OwnStateBytes;

    /// <summary>Bytes of the wrapper's own persistent state.</summary>
    protected virtual long OwnStateBytes => 0;

    public override IReadOnlyList<ParameterAssignment> Describe() => Inner.Describe();

    /// <summary>Counts a completed step (call once per step).</summary>
    protected void CountStep() => stepCount++;

    public override OptimizerState StateDict()
    {
        var state = new OptimizerState(Name);
        using (OptimizerState inner = Inner.StateDict()) state.Include("inner", inner);
        state.Scalars["step_count"] = stepCount;
        SaveOwnState(state);
        return state;
    }

    public override void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Name)
            throw new ArgumentException($"The state was saved by optimizer '{state.Optimizer}' but this optimizer is '{Name}'.", nameof(state));
        Inner.LoadStateDict(state.Extract("inner", Inner.Name));
        LoadOwnState(state);
        stepCount = (long)state.Scalar("step_count");
    }

    /// <summary>Adds the wrapper's own state (copies of its tensors) to <paramref name="state"/>.</summary>
    protected virtual void SaveOwnState(OptimizerState state) { }

    /// <summary>Restores what <see cref="SaveOwnState"/> wrote (cloning tensors it keeps).</summary>
    protected virtual void LoadOwnState(OptimizerState state) { }

    /// <summary>Per-parameter tensors saved as "{prefix}.{index}" (null entries are skipped).</summary>
    protected static void SaveTensors(OptimizerState state, string prefix, Tensor?[]? tensors)
    {
        if (tensors is null) return;
        for (int i = 0; i < tensors.Length; i++)
            if (tensors[i] is { } t) state.Tensors[$"{prefix}.{i}"] = t.Clone().DetachFromDisposeScope();
    }

    /// <summary>Reads tensors written by <see cref="SaveTensors"/>, checking shapes against the parameters; null when none were saved.</summary>
    protected Tensor?[]? LoadTensors(OptimizerState state, string prefix)
    {
        var result = new Tensor?[WrappedParameters.Count];
        bool any = false;
        for (int i = 0; i < result.Length; i++)
        {
            if (!state.Tensors.TryGetValue($"{prefix}.{i}", out Tensor? t)) continue;
            if (!t.Shape.SequenceEqual(WrappedParameters[i].Shape))
                throw new ArgumentException($"The state's {prefix} tensor {i} has shape {Tensor.FormatShape(t.Shape)} but parameter {i} has {Tensor.FormatShape(WrappedParameters[i].Shape)}.", nameof(state));
            result[i] = t.Clone().DetachFromDisposeScope();
            any = true;
        }
        if (state.Tensors.ContainsKey($"{prefix}.{result.Length}"))
            throw new ArgumentException($"The state has more {prefix} tensors than this optimizer has parameters.", nameof(state));
        return any ? result : null;
    }

    protected static void DisposeAll(Tensor?[]? tensors)
    {
        if (tensors is null) return;
        foreach (Tensor? t in tensors) t?.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Inner.Dispose();
    }
}
