using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Clipping;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Training;

// The data-parallel part of the loop (TrainingOptions.ProcessGroup), kept apart from the single-process flow.
public sealed partial class TrainingLoop
{
    /// <summary>Null without a process group; otherwise checks the batch split and broadcasts rank 0's model.</summary>
    private DataParallel? StartDataParallel()
    {
        if (Options.ProcessGroup is not { } group) return null;
        if (Options.BatchSize % group.WorldSize != 0)
            throw new ArgumentException($"BatchSize {Options.BatchSize} is the global batch and must be divisible by the world size {group.WorldSize} (each rank takes BatchSize / world size examples).");
        var dataParallel = new DataParallel(group, Options.GradientBucketBytes);
        dataParallel.BroadcastModel(Model);
        return dataParallel;
    }

    /// <summary>The optimizer options, given the loop's process group when they need one and have none.</summary>
    private OptimizerOptions OptimizerOptionsFor(DataParallel? dataParallel) =>
        dataParallel is not null && Optimizer is IDistributedOptimizerOptions { ProcessGroup: null } distributed
            ? distributed.WithProcessGroup(dataParallel.Group)
            : Optimizer;

    /// <summary>
    /// Narrows a batch's indices to this rank's shard (positions r, r + W, …). The weight rescales this rank's loss so
    /// that averaging the ranks' gradients gives the gradient of the whole batch's mean loss even when the last batch
    /// does not split evenly (it is 1 when it does). False when this rank has no example of the batch.
    /// </summary>
    private static bool ShardOfBatch(DataParallel dataParallel, ref Tensor indices, out double weight)
    {
        long length = indices.Size(0);
        indices = dataParallel.Shard(indices);
        long mine = indices.Size(0);
        weight = (double)mine * dataParallel.WorldSize / length;
        return mine > 0;
    }

    /// <summary>
    /// After the local backward passes: averages the gradients across ranks (or, for optimizers that synchronize
    /// themselves, only agrees on skipping non-finite steps) and returns the whole batch's mean loss.
    /// </summary>
    private static double SynchronizeRanks(DataParallel dataParallel, Optimizer optimizer, IReadOnlyList<Parameter> parameters, double localLoss)
    {
        if (optimizer is ISelfSynchronizingOptimizer { SynchronizesRanks: true })
            return dataParallel.ReduceLoss(localLoss, NonFiniteGuard.ShouldSkip(localLoss, parameters)).Loss;
        return dataParallel.AverageGradients(parameters, localLoss);
    }
}
