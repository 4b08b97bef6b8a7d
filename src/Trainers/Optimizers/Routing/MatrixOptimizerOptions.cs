namespace TorchZoo.Trainers.Optimizers.Routing;

/// <summary>
/// Options of an optimizer that updates matrices as a whole (Muon, REG, …). Creating it routes every
/// parameter by <see cref="Routing"/>: hidden matrices to this optimizer, the rest to <see cref="Fallback"/>
/// (AdamW by default), and returns a <see cref="RoutedOptimizer"/> over both.
/// </summary>
public abstract record MatrixOptimizerOptions : OptimizerOptions
{
    /// <summary>The optimizer for embeddings, the head, biases and norms.</summary>
    public OptimizerOptions Fallback { get; init => field = OptionChecks.NotNull(value, nameof(Fallback)); } = new AdamWOptions();

    public RoutingRules Routing { get; init => field = OptionChecks.NotNull(value, nameof(Routing)); } = new();

    /// <summary>Builds the optimizer for the parameters routed to the matrix side.</summary>
    protected internal abstract Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups);

    public sealed override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => RoutedOptimizer.Create(this, groups);
}
