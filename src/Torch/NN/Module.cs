namespace TorchZoo.Torch.NN;

/// <summary>
/// A neural-network building block owning parameters, buffers and child modules under stable dotted
/// names (<c>blocks.3.attn.qkv.weight</c>). Subclasses register what they own in their constructor.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<KeyValuePair<string, Parameter?>> parameters = new();
    private readonly List<KeyValuePair<string, Tensor>> buffers = new();
    private readonly List<KeyValuePair<string, Module>> children = new();
    private bool disposed;

    /// <summary>True in training mode (dropout active), false in evaluation mode.</summary>
    public bool IsTraining { get; private set; } = true;

    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        CheckName(name);
        parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers a non-trainable tensor that belongs to the state (e.g. running statistics, fixed tables).</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        buffer.DetachFromDisposeScope();
        buffers.Add(new(name, buffer));
        return buffer;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        children.Add(new(name, module));
        return module;
    }

    /// <summary>
    /// Registers <paramref name="module"/> as a child after construction (PyTorch's <c>add_module</c>), e.g. an adapter
    /// whose parameters then appear under this module's dotted names. The module now owns and disposes it.
    /// </summary>
    public T AddModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        return RegisterModule(name, module);
    }

    /// <summary>Unregisters the child named <paramref name="name"/> and hands it back to the caller (who now disposes it).</summary>
    public Module RemoveModule(string name)
    {
        int i = children.FindIndex(c => c.Key == name);
        if (i < 0) throw new ArgumentException($"{GetType().Name} has no child module named '{name}'.", nameof(name));
        Module removed = children[i].Value;
        children.RemoveAt(i);
        return removed;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid member name (non-empty, no dots).", nameof(name));
        if (parameters.Any(p => p.Key == name) || buffers.Any(b => b.Key == name) || children.Any(c => c.Key == name))
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'.", nameof(name));
    }

    /// <summary>Every parameter with its dotted name, depth first in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (name, p) in parameters)
            if (p is not null) yield return (name, p);
        foreach (var (childName, child) in children)
            foreach (var (name, p) in child.NamedParameters())
                yield return ($"{childName}.{name}", p);
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (name, b) in buffers) yield return (name, b);
        foreach (var (childName, child) in children)
            foreach (var (name, b) in child.NamedBuffers())
                yield return ($"{childName}.{name}", b);
    }

    /// <summary>Direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children.Select(c => (c.Key, c.Value));

    /// <summary>This module and every descendant with its dotted path ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (childName, child) in children)
            foreach (var (name, m) in child.NamedModules())
                yield return (name.Length == 0 ? childName : $"{childName}.{name}", m);
    }

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount => Parameters().Sum(p => p.NumberOfElements);

    /// <summary>Sets training mode on this module and its descendants; returns this.</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in children) child.Train(training);
        return this;
    }

    /// <summary>Sets evaluation mode (dropout off); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters()) p.Grad = null;
    }

    /// <summary>Moves (and optionally converts) every parameter and buffer in place; returns this.</summary>
    public Module To(Device device, ScalarType? dtype = null)
    {
        using var noGrad = Autograd.NoGrad();
        foreach (Parameter p in Parameters())
        {
            ScalarType target = dtype is { } d && p.Dtype.IsFloatingPoint() ? d : p.Dtype;
            using Tensor moved = p.To(target, device);
            p.SetData(moved);
            // As PyTorch's Module._apply: an existing gradient follows its parameter, or the next backward
            // would keep accumulating into a gradient of the old dtype/device.
            using Tensor? grad = p.Grad;
            if (grad is not null)
            {
                using Tensor movedGrad = grad.To(target, device);
                p.Grad = movedGrad;
            }
        }
        for (int i = 0; i < buffers.Count; i++)
        {
            Tensor b = buffers[i].Value;
            Tensor moved = b.To(dtype is { } d && b.Dtype.IsFloatingPoint() ? d : b.Dtype, device).DetachFromDisposeScope();
            b.Dispose();
            buffers[i] = new(buffers[i].Key, moved);
        }
        foreach (var (_, child) in children) child.To(device, dtype);
        return this;
    }

    /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> in place, keeping their device; returns this.</summary>
    public Module To(ScalarType dtype)
    {
        Device device = Parameters().Select(p => p.Device).Concat(NamedBuffers().Select(b => b.Buffer.Device)).FirstOrDefault(Device.Cpu);
        return To(device, dtype);
    }

    /// <summary>The live parameters and buffers by dotted name (not copies: do not dispose them).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in NamedParameters()) state[name] = p;
        foreach (var (name, b) in NamedBuffers()) state[name] = b;
        return state;
    }

    /// <summary>
    /// Copies values into the parameters and buffers by name. Shapes must match exactly; with
    /// <paramref name="strict"/>, names must match exactly too. Every check runs before any value is copied,
    /// so a failed load leaves the module unchanged.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"The state does not match {GetType().Name}: " +
                    (missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "") +
                    (missing.Count > 0 && unexpected.Count > 0 ? "; " : "") +
                    (unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected)}" : "") + ".");
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out Tensor? source)) continue;
            long[] want = target.Shape, have = source.Shape;
            if (!want.SequenceEqual(have))
                throw new ArgumentException(
                    $"Tensor '{name}' has shape {Tensor.FormatShape(have)} in the state but {Tensor.FormatShape(want)} in {GetType().Name}.");
        }
        using var noGrad = Autograd.NoGrad();
        foreach (var (name, target) in own)
            if (state.TryGetValue(name, out Tensor? source)) target.Copy_(source);
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var (_, p) in parameters) p?.Dispose();
        foreach (var (_, b) in buffers) b.Dispose();
        foreach (var (_, c) in children) c.Dispose();
    }
}

/// <summary>A module with a typed forward pass.</summary>
public abstract class Module<TInput, TOutput> : Module
{
    private readonly List<Action<TInput, TOutput>> forwardHooks = new();

    /// <summary>Computes the output; temporaries belong to the caller's <see cref="DisposeScope"/>.</summary>
    public abstract TOutput Forward(TInput input);

    /// <summary>True for modules whose <see cref="Forward"/> calls the forward hooks (<see cref="Linear"/> does).</summary>
    public virtual bool SupportsForwardHooks => false;

    /// <summary>
    /// Calls <paramref name="hook"/> with the input and the output after every forward pass (PyTorch's
    /// <c>register_forward_hook</c>), e.g. to record a layer's activations for curvature statistics. The tensors belong to
    /// the caller's scope: a hook that keeps one takes its own handle (<see cref="Tensor.Alias"/>, moved out of the scope).
    /// Dispose the returned handle to remove the hook. Throws for modules that do not support hooks.
    /// </summary>
    public IDisposable RegisterForwardHook(Action<TInput, TOutput> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!SupportsForwardHooks)
            throw new NotSupportedException($"{GetType().Name} does not call forward hooks; Linear does.");
        forwardHooks.Add(hook);
        return new HookHandle(() => forwardHooks.Remove(hook));
    }

    /// <summary>Runs the forward hooks (call it at the end of <see cref="Forward"/>) and returns <paramref name="output"/>.</summary>
    protected TOutput RunForwardHooks(TInput input, TOutput output)
    {
        for (int i = 0; i < forwardHooks.Count; i++) forwardHooks[i](input, output);
        return output;
    }

    private sealed class HookHandle(Action remove) : IDisposable
    {
        private Action? remove = remove;

        public void Dispose()
        {
            remove?.Invoke();
            remove = null;
        }
    }
}
