using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Routing;

/// <summary>
/// A matrix optimizer and its fallback over one model: each parameter is updated by exactly one of them, as
/// decided by <see cref="RoutingRules"/>; <see cref="Describe"/> says which and why.
/// </summary>
public sealed class RoutedOptimizer : Optimizer
{
    private readonly List<ParameterAssignment> assignments;
    private readonly string name;

    private RoutedOptimizer(string name, Optimizer? matrix, Optimizer? fallback, List<ParameterAssignment> assignments)
    {
        this.name = name;
        Matrix = matrix;
        Fallback = fallback;
        this.assignments = assignments;
    }

    /// <summary>The optimizer of the hidden matrices (null when none were routed to it).</summary>
    public Optimizer? Matrix { get; }

    /// <summary>The optimizer of everything else (null when everything was a hidden matrix).</summary>
    public Optimizer? Fallback { get; }

    internal static RoutedOptimizer Create(MatrixOptimizerOptions options, IReadOnlyList<ParameterGroupSpec> groups)
    {
        var matrixSpecs = new List<ParameterGroupSpec>();
        var fallbackSpecs = new List<ParameterGroupSpec>();
        var assignments = new List<ParameterAssignment>();
        for (int i = 0; i < groups.Count; i++)
        {
            ParameterGroupSpec spec = groups[i];
            OptimizerOptions groupOptions = spec.Options ?? options;
            if (groupOptions is not MatrixOptimizerOptions matrixOptions || groupOptions.GetType() != options.GetType())
                throw new ArgumentException($"Parameter group {spec.Name ?? i.ToString()} has {groupOptions.GetType().Name} but this optimizer takes {options.GetType().Name}.", nameof(groups));
            var toMatrix = new List<NamedParameter>();
            var toFallback = new List<NamedParameter>();
            string groupName = spec.Name ?? i.ToString();
            foreach (NamedParameter p in spec.Parameters)
            {
                long[] shape = p.Parameter.Shape;
                var (matrix, reason) = matrixOptions.Routing.Route(p.Name, shape);
                (matrix ? toMatrix : toFallback).Add(p);
                assignments.Add(new ParameterAssignment(p.Name, matrix ? options.Name : matrixOptions.Fallback.Name,
                    matrix ? groupName : $"{groupName}.fallback", shape, reason));
            }
            if (toMatrix.Count > 0) matrixSpecs.Add(new ParameterGroupSpec(toMatrix, groupOptions, groupName));
            if (toFallback.Count > 0) fallbackSpecs.Add(new ParameterGroupSpec(toFallback, matrixOptions.Fallback, $"{groupName}.fallback"));
        }
        Optimizer? m = matrixSpecs.Count > 0 ? options.CreateMatrixOptimizer(matrixSpecs) : null;
        Optimizer? f = fallbackSpecs.Count > 0 ? CreateFallback(fallbackSpecs) : null;
        return new RoutedOptimizer(options.Name, m, f, assignments);
    }

    private static Optimizer CreateFallback(List<ParameterGroupSpec> specs)
    {
        // Fallback options may differ per group only if they are of one type; group 0's options create it.
        OptimizerOptions first = specs[0].Options!;
        return first.Create(specs);
    }

    public override string Name => name;

    public override IReadOnlyList<ParamGroup> Groups =>
        (Matrix?.Groups ?? Array.Empty<ParamGroup>()).Concat(Fallback?.Groups ?? Array.Empty<ParamGroup>()).ToList();

    public override long StepCount => Math.Max(Matrix?.StepCount ?? 0, Fallback?.StepCount ?? 0);

    public override long StateBytes => (Matrix?.StateBytes ?? 0) + (Fallback?.StateBytes ?? 0);

    public override void Step()
    {
        Matrix?.Step();
        Fallback?.Step();
    }

    public override IReadOnlyList<ParameterAssignment> Describe() => assignments;

    public override OptimizerState StateDict()
    {
        var state = new OptimizerState(name);
        if (Matrix is not null) using (var s = Matrix.StateDict()) state.Include("matrix", s);
        if (Fallback is not null) using (var s = Fallback.StateDict()) state.Include("fallback", s);
        return state;
    }

    public override void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Optimizer != name)
            throw new ArgumentException($"The state was saved by optimizer '{state.Optimizer}' but this optimizer is '{name}'.", nameof(state));
        if (Matrix is not null) Matrix.LoadStateDict(state.Extract("matrix", Matrix.Name));
        if (Fallback is not null) Fallback.LoadStateDict(state.Extract("fallback", Fallback.Name));
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        Matrix?.Dispose();
        Fallback?.Dispose();
    }
}
