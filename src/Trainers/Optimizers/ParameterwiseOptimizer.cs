using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// The base of every concrete optimizer: param groups of one options type, per-parameter state, a step
/// that runs without autograd and frees each parameter's temporaries as soon as its update is done, and
/// generic state save/load. A derived class writes only <see cref="Update"/> (the paper's update box).
/// </summary>
public abstract class ParameterwiseOptimizer<TOptions> : Optimizer where TOptions : OptimizerOptions
{
    private readonly List<ParamGroup> groups = new();
    private readonly List<ParameterState[]> states = new();
    private long stepCount;

    protected ParameterwiseOptimizer(TOptions options, IReadOnlyList<ParameterGroupSpec> specs)
    {
        Options = OptionChecks.NotNull(options, nameof(options));
        ArgumentNullException.ThrowIfNull(specs);
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < specs.Count; i++)
        {
            ParameterGroupSpec spec = specs[i];
            OptimizerOptions groupOptions = spec.Options ?? options;
            // The exact runtime type: AdamW's options derive from Adam's, yet an Adam group must not slip into AdamW.
            if (groupOptions.GetType() != options.GetType())
                throw new ArgumentException(
                    $"Parameter group {spec.Name ?? i.ToString()} has {groupOptions.GetType().Name} but this optimizer takes {options.GetType().Name}.", nameof(specs));
            foreach (NamedParameter p in spec.Parameters)
            {
                if (p.Parameter is null) throw new ArgumentException($"Parameter '{p.Name}' is null.", nameof(specs));
                if (!seen.Add(p.Parameter))
                    throw new ArgumentException($"Parameter '{p.Name}' appears in more than one place in the parameter groups.", nameof(specs));
                if (!p.Parameter.Dtype.IsFloatingPoint())
                    throw new ArgumentException($"Parameter '{p.Name}' has dtype {p.Parameter.Dtype}; optimizers update floating-point parameters only.", nameof(specs));
            }
            groups.Add(new ParamGroup(spec.Name ?? i.ToString(), spec.Parameters.ToList(), groupOptions));
            states.Add(spec.Parameters.Select(_ => new ParameterState()).ToArray());
        }
    }

    /// <summary>The optimizer's own options (groups may override them).</summary>
    public TOptions Options { get; }

    public override string Name => Options.Name;

    public override IReadOnlyList<ParamGroup> Groups => groups;

    public override long StepCount => stepCount;

    public override long StateBytes => states.Sum(g => g.Sum(s => s.Bytes));

    /// <summary>The state of one parameter (for inspection and tests).</summary>
    public ParameterState StateOf(Parameter parameter)
    {
        for (int g = 0; g < groups.Count; g++)
            for (int i = 0; i < groups[g].Parameters.Count; i++)
                if (ReferenceEquals(groups[g].Parameters[i].Parameter, parameter)) return states[g][i];
        throw new ArgumentException("The parameter is not updated by this optimizer.", nameof(parameter));
    }

    /// <summary>Every parameter with its group and state, in group order (for optimizers that act outside <see cref="Step"/>).</summary>
    protected IEnumerable<(ParamGroup Group, Parameter Parameter, ParameterState State)> Entries()
    {
        for (int g = 0; g < groups.Count; g++)
            for (int i = 0; i < groups[g].Parameters.Count; i++)
                yield return (groups[g], groups[g].Parameters[i].Parameter, states[g][i]);
    }

    public override void Step()
    {
        if (RequiresClosure)
            throw new InvalidOperationException($"Optimizer '{Name}' evaluates the loss itself: call Step(closure) instead of Step().");
        StepParameters();
    }

    /// <summary>The per-parameter loop of <see cref="Step()"/>: <see cref="Update"/> for every parameter with a gradient.</summary>
    protected void StepParameters()
    {
        using var noGrad = Autograd.NoGrad();
        stepCount++;
        for (int g = 0; g < groups.Count; g++)
        {
            ParamGroup group = groups[g];
            var options = (TOptions)group.Options;
            for (int i = 0; i < group.Parameters.Count; i++)
            {
                Parameter p = group.Parameters[i].Parameter;
                using var scope = DisposeScope.Enter();
                Tensor? grad = p.Grad;
                if (grad is null) continue;
                if (options.Maximize) grad = grad.Neg();
                ParameterState state = states[g][i];
                state.Step++;
                Update(group, options, p, grad, state);
            }
        }
    }

    /// <summary>
    /// Updates one parameter in place. Runs without autograd inside a dispose scope: temporaries need no
    /// disposing; tensors kept across steps go into <paramref name="state"/>. <paramref name="grad"/> is
    /// already negated when the options say Maximize. <c>state.Step</c> is 1 on the first update.
    /// </summary>
    protected abstract void Update(ParamGroup group, TOptions options, Parameter parameter, Tensor grad, ParameterState state);

    public override OptimizerState StateDict()
    {
        var result = new OptimizerState(Options.Name);
        result.Scalars["step_count"] = stepCount;
        for (int g = 0; g < groups.Count; g++)
        {
            result.Scalars[$"group.{g}.lr"] = groups[g].LearningRate;
            for (int i = 0; i < states[g].Length; i++)
            {
                ParameterState s = states[g][i];
                string key = $"{g}.{i}";
                result.Scalars[$"{key}.step"] = s.Step;
                foreach (var (name, t) in s.Tensors) result.Tensors[$"{key}.{name}"] = t.Clone().DetachFromDisposeScope();
                foreach (var (name, v) in s.Scalars) result.Scalars[$"{key}.{name}"] = v;
            }
        }
        SaveSharedState(result);
        return result;
    }

    public override void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != Options.Name)
            throw new ArgumentException($"The state was saved by optimizer '{state.Optimizer}' but this optimizer is '{Options.Name}'.", nameof(state));
        for (int g = 0; g < groups.Count; g++)
        {
            if (!state.Scalars.ContainsKey($"group.{g}.lr"))
                throw new ArgumentException($"The state has no parameter group {g}; it was saved from a different set of parameters.", nameof(state));
            for (int i = 0; i < states[g].Length; i++)
                if (!state.Scalars.ContainsKey($"{g}.{i}.step"))
                    throw new ArgumentException($"The state has no entry for parameter {groups[g].Parameters[i].Name} (group {g}, index {i}).", nameof(state));
        }
        if (state.Scalars.ContainsKey($"group.{groups.Count}.lr"))
            throw new ArgumentException("The state has more parameter groups than this optimizer.", nameof(state));

        for (int g = 0; g < groups.Count; g++)
        {
            groups[g].LearningRate = state.Scalars[$"group.{g}.lr"];
            for (int i = 0; i < states[g].Length; i++)
            {
                string prefix = $"{g}.{i}.";
                var fresh = new ParameterState { Step = (long)state.Scalars[$"{g}.{i}.step"] };
                foreach (var (k, t) in state.Tensors)
                    if (k.StartsWith(prefix, StringComparison.Ordinal)) fresh.Set(k[prefix.Length..], t.Clone());
                foreach (var (k, v) in state.Scalars)
                    if (k.StartsWith(prefix, StringComparison.Ordinal) && k != $"{g}.{i}.step") fresh.SetScalar(k[prefix.Length..], v);
                states[g][i].Dispose();
                states[g][i] = fresh;
            }
        }
        stepCount = (long)state.Scalar("step_count");
        LoadSharedState(state);
    }

    /// <summary>Adds state that belongs to the whole optimizer (e.g. a random generator), under keys starting with "shared.".</summary>
    protected virtual void SaveSharedState(OptimizerState state) { }

    /// <summary>Restores what <see cref="SaveSharedState"/> wrote.</summary>
    protected virtual void LoadSharedState(OptimizerState state) { }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var g in states)
            foreach (var s in g) s.Dispose();
    }
}
