using TorchZoo.Torch;

namespace TorchZoo.Trainers.Training;

/// <summary>
/// Examples held as two tensors whose first dimension indexes the example: features (N, …) and targets (N, …).
/// The dataset owns both tensors.
/// </summary>
public sealed class TensorDataset : IDisposable
{
    public TensorDataset(Tensor features, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        if (features.Dim == 0 || targets.Dim == 0)
            throw new ArgumentException("Features and targets need a first dimension that indexes the examples.");
        long n = features.Size(0);
        if (targets.Size(0) != n)
            throw new ArgumentException($"Features have {n} examples but targets have {targets.Size(0)}.");
        if (n == 0) throw new ArgumentException("The dataset is empty.");
        Features = features.DetachFromDisposeScope();
        Targets = targets.DetachFromDisposeScope();
        Count = n;
    }

    public Tensor Features { get; }
    public Tensor Targets { get; }

    /// <summary>Number of examples.</summary>
    public long Count { get; }

    /// <summary>The examples at <paramref name="indices"/> (int64), as new tensors owned by the current dispose scope.</summary>
    public (Tensor Features, Tensor Targets) Batch(Tensor indices) => (Features.IndexSelect(0, indices), Targets.IndexSelect(0, indices));

    public void Dispose()
    {
        Features.Dispose();
        Targets.Dispose();
    }
}
