using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Updates parameters from their gradients. Concrete optimizers derive from <see cref="ParameterwiseOptimizer{TOptions}"/>;
/// composites (routing, wrappers) derive from this class directly.
/// </summary>
public abstract class Optimizer : IDisposable
{
    /// <summary>The registry name of the optimizer ("adamw", "muon", …), recorded in saved state.</summary>
    public abstract string Name { get; }

    /// <summary>The parameter groups, in order; schedules set their <see cref="ParamGroup.LearningRate"/>.</summary>
    public abstract IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>Steps taken so far.</summary>
    public abstract long StepCount { get; }

    /// <summary>Bytes of optimizer state (moments, buffers) currently held.</summary>
    public abstract long StateBytes { get; }

    /// <summary>Applies one update from the current gradients. Parameters without a gradient are skipped and keep their state.</summary>
    public abstract void Step();

    /// <summary>
    /// True when <see cref="Step()"/> alone is not enough and the optimizer must evaluate the loss itself (SAM's second
    /// gradient, SANIA's Polyak step, AdaHessian's Hessian-vector product): drive it with <see cref="Step(Func{double})"/>.
    /// </summary>
    public virtual bool RequiresClosure => false;

    /// <summary>
    /// One step driven by a closure that zeroes the gradients, runs forward and backward — calling
    /// <see cref="LossClosure.Backward"/> instead of <c>loss.Backward()</c>, so curvature optimizers can keep the graph —
    /// and returns the loss. The optimizer may call it more than once. By default: calls it once, then <see cref="Step()"/>.
    /// Returns the loss at the parameters the step started from.
    /// </summary>
    public virtual double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        double loss = closure();
        Step();
        return loss;
    }

    /// <summary>Clears every parameter's gradient.</summary>
    public virtual void ZeroGrad()
    {
        foreach (ParamGroup g in Groups)
            foreach (NamedParameter p in g.Parameters)
                p.Parameter.Grad = null;
    }

    /// <summary>A snapshot of the state (copies of the tensors) that <see cref="LoadStateDict"/> restores bitwise.</summary>
    public abstract OptimizerState StateDict();

    /// <summary>Restores a snapshot taken from an optimizer built the same way over parameters of the same shapes.</summary>
    public abstract void LoadStateDict(OptimizerState state);

    /// <summary>Which optimizer and group each named parameter is updated by.</summary>
    public virtual IReadOnlyList<ParameterAssignment> Describe() =>
        Groups.SelectMany(g => g.Parameters.Select(p =>
            new ParameterAssignment(p.Name, g.Options.Name, g.Name, p.Parameter.Shape, "all parameters"))).ToList();

    /// <summary>Every parameter this optimizer updates.</summary>
    public IEnumerable<Parameter> Parameters => Groups.SelectMany(g => g.Parameters.Select(p => p.Parameter));

    /// <summary>Sets every group's learning rate to its base rate times <paramref name="factor"/> (what schedules call).</summary>
    public void ScaleLearningRates(double factor)
    {
        foreach (ParamGroup g in Groups) g.LearningRate = g.InitialLearningRate * factor;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) { }
}

/// <summary>One line of <see cref="Optimizer.Describe"/>: where a parameter went and why.</summary>
public sealed record ParameterAssignment(string Parameter, string Optimizer, string Group, long[] Shape, string Reason)
{
    public override string ToString() => $"{Parameter} {Tensor.FormatShape(Shape)} → {Optimizer} ({Group}): {Reason}";
}
