using System.Collections;

namespace TorchZoo.Torch.NN;

/// <summary>Applies its modules in order; children are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module<Tensor, Tensor>, IReadOnlyList<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> layers = new();

    public Sequential(params Module<Tensor, Tensor>[] modules)
    {
        foreach (var m in modules) Append(m);
    }

    public Sequential Append(Module<Tensor, Tensor> module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(layers.Count.ToString(), module);
        layers.Add(module);
        return this;
    }

    public override Tensor Forward(Tensor input)
    {
        if (layers.Count == 0) return input.Alias();
        // Each intermediate belongs to the caller's scope, like every other forward temporary.
        Tensor x = input;
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }

    public int Count => layers.Count;
    public Module<Tensor, Tensor> this[int index] => layers[index];
    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list of modules registered as children "0", "1", …; the owner decides how to call them.</summary>
public sealed class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
{
    private readonly List<T> items = new();

    public ModuleList(IEnumerable<T>? modules = null)
    {
        if (modules is null) return;
        foreach (var m in modules) Add(m);
    }

    public void Add(T module)
    {
        ArgumentNullException.ThrowIfNull(module);
        RegisterModule(items.Count.ToString(), module);
        items.Add(module);
    }

    public int Count => items.Count;
    public T this[int index] => items[index];
    public IEnumerator<T> GetEnumerator() => items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
