using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// What an optimizer remembers about one parameter: named state tensors (moments, momentum buffers),
/// named scalars and a step counter. Tensors here live outside every dispose scope; the optimizer owns them.
/// </summary>
public sealed class ParameterState : IDisposable
{
    private readonly SortedDictionary<string, Tensor> tensors = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, double> scalars = new(StringComparer.Ordinal);

    /// <summary>Updates applied to this parameter (1 during the first update).</summary>
    public long Step { get; set; }

    public IReadOnlyDictionary<string, Tensor> Tensors => tensors;
    public IReadOnlyDictionary<string, double> Scalars => scalars;

    /// <summary>The state tensor <paramref name="name"/>, created by <paramref name="create"/> the first time.</summary>
    public Tensor GetOrCreate(string name, Func<Tensor> create)
    {
        if (tensors.TryGetValue(name, out Tensor? t)) return t;
        t = create().DetachFromDisposeScope();
        tensors[name] = t;
        return t;
    }

    public Tensor Get(string name) =>
        tensors.TryGetValue(name, out Tensor? t) ? t : throw new KeyNotFoundException($"The optimizer state has no tensor '{name}'.");

    public bool TryGet(string name, out Tensor tensor) => tensors.TryGetValue(name, out tensor!);

    /// <summary>Stores a tensor (taking ownership; it leaves its dispose scope), replacing and disposing any previous one.</summary>
    public void Set(string name, Tensor value)
    {
        if (tensors.TryGetValue(name, out Tensor? old) && !ReferenceEquals(old, value)) old.Dispose();
        tensors[name] = value.DetachFromDisposeScope();
    }

    public double GetScalar(string name, double fallback = 0) => scalars.TryGetValue(name, out double v) ? v : fallback;

    public void SetScalar(string name, double value) => scalars[name] = value;

    /// <summary>Bytes held by the state tensors.</summary>
    public long Bytes => tensors.Values.Sum(t => t.ByteCount);

    public void Dispose()
    {
        foreach (Tensor t in tensors.Values) t.Dispose();
        tensors.Clear();
    }
}
