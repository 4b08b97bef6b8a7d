using TorchZoo.Torch;
using TorchZoo.Torch.Distributed;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Distributed;

/// <summary>
/// Data-parallel training over a <see cref="ProcessGroup"/>: every rank holds the whole model, rank 0's
/// weights are broadcast at the start, each rank computes gradients on its shard of the batch, and the
/// gradients are averaged (bucketed all-reduce) before the optimizer step, so any optimizer runs unchanged and
/// every rank takes the same step. <see cref="Training.TrainingLoop"/> uses it when
/// <see cref="Training.TrainingOptions.ProcessGroup"/> is set.
/// </summary>
public sealed class DataParallel
{
    /// <summary>PyTorch DDP's default bucket size: gradients are flattened into buckets of about this many bytes.</summary>
    public const long DefaultBucketBytes = 25L * 1024 * 1024;

    public DataParallel(ProcessGroup group, long bucketBytes = DefaultBucketBytes)
    {
        Group = group ?? throw new ArgumentNullException(nameof(group));
        if (bucketBytes < 1) throw new ArgumentOutOfRangeException(nameof(bucketBytes), bucketBytes, "The bucket size must be at least one byte.");
        BucketBytes = bucketBytes;
    }

    public ProcessGroup Group { get; }

    public long BucketBytes { get; }

    public int Rank => Group.Rank;

    public int WorldSize => Group.WorldSize;

    /// <summary>Seconds spent in collectives so far (for benchmarks).</summary>
    public double CommunicationSeconds { get; private set; }

    /// <summary>Every rank's parameters and buffers receive rank <paramref name="root"/>'s values.</summary>
    public void BroadcastModel(Module model, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = model.Parameters().Cast<Tensor>().Concat(model.NamedBuffers().Select(b => b.Buffer)).ToList();
        InBuckets(tensors, flat => Group.Broadcast(flat, root));
    }

    /// <summary>Every rank's buffers (running statistics and the like) receive rank <paramref name="root"/>'s values; nothing happens without buffers.</summary>
    public void BroadcastBuffers(Module model, int root = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = model.NamedBuffers().Select(b => b.Buffer).ToList();
        if (tensors.Count > 0) InBuckets(tensors, flat => Group.Broadcast(flat, root));
    }

    /// <summary>
    /// This rank's examples of a batch: positions r, r + W, r + 2W, … of <paramref name="batchIndices"/> (a view).
    /// With a batch of B examples every rank gets B / W of them when W divides B.
    /// </summary>
    public Tensor Shard(Tensor batchIndices)
    {
        ArgumentNullException.ThrowIfNull(batchIndices);
        long n = batchIndices.Size(0);
        return Rank >= n ? batchIndices.Narrow(0, 0, 0) : batchIndices.Slice(0, Rank, n, WorldSize);
    }

    /// <summary>
    /// Replaces each parameter's gradient by its average over the ranks (a missing gradient counts as zeros and
    /// is set afterwards) and returns the sum over the ranks of <paramref name="localLoss"/> (each rank passes its
    /// share of the global mean loss).
    /// </summary>
    public double AverageGradients(IReadOnlyList<Parameter> parameters, double localLoss)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var grads = new List<Tensor>(parameters.Count);
        foreach (Parameter p in parameters)
        {
            Tensor? g = p.Grad;
            if (g is null)
            {
                g = p.ZerosLike();
                p.Grad = g;
            }
            grads.Add(g);
        }
        InBuckets(grads, flat => Group.AllReduce(flat, ReduceOp.Average));
        return ReduceLoss(localLoss, false).Loss;
    }

    /// <summary>
    /// The sum over the ranks of <paramref name="localLoss"/>, and whether any rank reported a non-finite step (so
    /// every rank skips it together, for optimizers that synchronize themselves).
    /// </summary>
    public (double Loss, bool AnyNonFinite) ReduceLoss(double localLoss, bool localNonFinite)
    {
        using var scope = DisposeScope.Enter();
        Tensor t = Tensor.FromArray(new[] { double.IsFinite(localLoss) ? localLoss : 0.0, localNonFinite || !double.IsFinite(localLoss) ? 1.0 : 0.0 });
        Timed(() => Group.AllReduce(t, ReduceOp.Sum));
        double[] v = t.ToArray<double>();
        return (v[1] > 0 ? double.NaN : v[0], v[1] > 0);
    }

    /// <summary>
    /// Runs an in-place collective over <paramref name="tensors"/> in buckets: consecutive tensors of one dtype are
    /// flattened and concatenated up to about <see cref="BucketBytes"/>, the collective runs on the flat buffer, and
    /// the results are copied back.
    /// </summary>
    public void InBuckets(IReadOnlyList<Tensor> tensors, Action<Tensor> collective)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(collective);
        int i = 0;
        while (i < tensors.Count)
        {
            int start = i;
            long bytes = tensors[i].ByteCount;
            ScalarType dtype = tensors[i].Dtype;
            i++;
            while (i < tensors.Count && tensors[i].Dtype == dtype && bytes + tensors[i].ByteCount <= BucketBytes)
                bytes += tensors[i++].ByteCount;
            RunBucket(tensors, start, i - start, collective);
        }
    }

    private void RunBucket(IReadOnlyList<Tensor> tensors, int start, int count, Action<Tensor> collective)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var parts = new Tensor[count];
        for (int k = 0; k < count; k++) parts[k] = tensors[start + k].Detach().Reshape(-1);
        Tensor flat = count == 1 ? parts[0].Clone() : Tensor.Cat(parts);
        Timed(() => collective(flat));
        long offset = 0;
        for (int k = 0; k < count; k++)
        {
            Tensor target = tensors[start + k].Detach(); // shares storage: copying into it writes the original
            long n = parts[k].Size(0);
            target.Copy_(flat.Narrow(0, offset, n).Reshape(target.Shape));
            offset += n;
        }
    }

    private void Timed(Action action)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        try { action(); }
        finally { CommunicationSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds; }
    }
}
