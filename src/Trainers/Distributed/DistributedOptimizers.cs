using TorchZoo.Torch.Distributed;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Distributed;

/// <summary>
/// An optimizer that communicates across ranks itself (DiLoCo, Distributed Lion): each rank steps on its own
/// gradients, so the data-parallel loop must not average them first.
/// </summary>
public interface ISelfSynchronizingOptimizer
{
    /// <summary>True when this instance talks to other ranks (e.g. Lion only with a vote).</summary>
    bool SynchronizesRanks { get; }

    /// <summary>
    /// Called by the training loop after the last step, on every rank: bring the ranks together if steps since the last
    /// exchange are still local (DiLoCo's unfinished round). Optimizers that agree at every step have nothing to do.
    /// </summary>
    void FinishTraining() { }
}

/// <summary>Options of an optimizer that needs the process group; the training loop supplies its own when none is set.</summary>
public interface IDistributedOptimizerOptions
{
    /// <summary>The group the optimizer communicates over (null: a world of one, or supplied by the training loop).</summary>
    ProcessGroup? ProcessGroup { get; }

    /// <summary>A copy of these options that uses <paramref name="group"/>.</summary>
    OptimizerOptions WithProcessGroup(ProcessGroup group);
}
