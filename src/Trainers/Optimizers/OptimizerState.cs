using System.Globalization;
using System.Text.Json;
using TorchZoo.Torch;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// An optimizer's state as named tensors and named scalars (keys such as <c>0.3.exp_avg</c> for group 0,
/// parameter 3). Generic, so every optimizer saves and loads the same way; stored as safetensors with
/// the scalars in the metadata. Owns its tensors.
/// </summary>
public sealed class OptimizerState : IDisposable
{
    public OptimizerState(string optimizer) => Optimizer = optimizer;

    /// <summary>The registry name of the optimizer that wrote it, checked on load.</summary>
    public string Optimizer { get; }

    public SortedDictionary<string, Tensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>Scalars, stored as doubles (step counters are exact up to 2^53).</summary>
    public SortedDictionary<string, double> Scalars { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds the entries of <paramref name="inner"/> under a prefix (for composite optimizers), taking its tensors.</summary>
    public void Include(string prefix, OptimizerState inner)
    {
        foreach (var (k, v) in inner.Tensors) Tensors[$"{prefix}.{k}"] = v;
        foreach (var (k, v) in inner.Scalars) Scalars[$"{prefix}.{k}"] = v;
        inner.Tensors.Clear();
    }

    /// <summary>The entries under a prefix, as a new state that shares (does not copy) the tensors.</summary>
    public OptimizerState Extract(string prefix, string optimizer)
    {
        var result = new OptimizerState(optimizer);
        string p = prefix + ".";
        foreach (var (k, v) in Tensors)
            if (k.StartsWith(p, StringComparison.Ordinal)) result.Tensors[k[p.Length..]] = v;
        foreach (var (k, v) in Scalars)
            if (k.StartsWith(p, StringComparison.Ordinal)) result.Scalars[k[p.Length..]] = v;
        return result;
    }

    public double Scalar(string key) =>
        Scalars.TryGetValue(key, out double v) ? v : throw new InvalidDataException($"The optimizer state has no scalar '{key}'.");

    /// <summary>Writes the state to a safetensors file atomically.</summary>
    public void Save(string path)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "torchzoo.optimizer/1",
            ["optimizer"] = Optimizer,
            ["scalars"] = JsonSerializer.Serialize(Scalars.ToDictionary(k => k.Key, k => k.Value.ToString("R", CultureInfo.InvariantCulture))),
        };
        SafeTensors.Save(path, Tensors, metadata);
    }

    /// <summary>Reads a state written by <see cref="Save"/>.</summary>
    public static OptimizerState Load(string path)
    {
        var (_, metadata) = SafeTensors.ReadHeader(path);
        if (!metadata.TryGetValue("format", out string? format) || format != "torchzoo.optimizer/1" || !metadata.TryGetValue("optimizer", out string? name))
            throw new InvalidDataException($"'{path}' is not a TorchZoo optimizer state file.");
        var state = new OptimizerState(name);
        var scalars = JsonSerializer.Deserialize<Dictionary<string, string>>(metadata.GetValueOrDefault("scalars", "{}"))
                      ?? throw new InvalidDataException($"'{path}' has unreadable optimizer scalars.");
        foreach (var (k, v) in scalars) state.Scalars[k] = double.Parse(v, CultureInfo.InvariantCulture);
        foreach (var (k, t) in SafeTensors.Load(path)) state.Tensors[k] = t.DetachFromDisposeScope();
        return state;
    }

    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
