using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>A parameter with its dotted name in the model (<c>blocks.0.attn.qkv.weight</c>).</summary>
public readonly record struct NamedParameter(string Name, Parameter Parameter);

/// <summary>
/// Parameters that share hyperparameters. <see cref="Options"/> overrides the optimizer's options for this
/// group (it must be the same options type); null means the optimizer's own options.
/// </summary>
public sealed record ParameterGroupSpec(IReadOnlyList<NamedParameter> Parameters, OptimizerOptions? Options = null, string? Name = null);

/// <summary>
/// Hyperparameters of one optimizer, with the reference defaults, validated when set (so also in
/// <c>with</c> expressions). Each options type creates its optimizer and is registered by name in
/// <see cref="OptimizerRegistry"/>.
/// </summary>
public abstract record OptimizerOptions
{
    // LearningRate, WeightDecay and Maximize are virtual only so that wrappers (Lookahead) can forward them to the
    // options they wrap: `wrapper with { LearningRate = x }` (what tuning and the generic tests do) then reaches the inner optimizer.

    /// <summary>Step size η. Schedules scale it per step.</summary>
    public virtual double LearningRate { get; init => field = OptionChecks.NonNegative(value, nameof(LearningRate)); }

    /// <summary>Weight decay λ (decoupled or coupled as the optimizer defines; see its docs).</summary>
    public virtual double WeightDecay { get; init => field = OptionChecks.NonNegative(value, nameof(WeightDecay)); }

    /// <summary>Ascend instead of descend (the gradient is negated before the update).</summary>
    public virtual bool Maximize { get; init; }

    /// <summary>The registry name, e.g. "adamw".</summary>
    public abstract string Name { get; }

    /// <summary>Creates the optimizer over parameter groups.</summary>
    public abstract Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups);

    /// <summary>Creates the optimizer over one group of named parameters.</summary>
    public Optimizer Create(IEnumerable<NamedParameter> parameters) => Create(new[] { new ParameterGroupSpec(parameters.ToList()) });

    /// <summary>
    /// Creates the optimizer over every trainable parameter of a module. Optimizers that also read the module's structure
    /// (AdaFisher attaches to its Linear layers) override this.
    /// </summary>
    public virtual Optimizer Create(Module module) =>
        Create(module.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => new NamedParameter(p.Name, p.Parameter)));

    /// <summary>Creates the optimizer over unnamed parameters (named "0", "1", …).</summary>
    public Optimizer Create(IEnumerable<Parameter> parameters) =>
        Create(parameters.Select((p, i) => new NamedParameter(i.ToString(), p)));
}
