namespace TorchZoo.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and disposes them
/// when it ends, except those moved out (<see cref="Tensor.MoveToOuterScope"/>) or detached
/// (<see cref="Tensor.DetachFromDisposeScope"/>). Scopes nest; end them in reverse order of opening
/// (a <c>using</c> declaration does that).
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly List<Tensor> owned = new();
    private bool disposed;

    private DisposeScope(DisposeScope? outer) => Outer = outer;

    /// <summary>The scope that was innermost when this one opened, or null.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current => current;

    /// <summary>Opens a scope that becomes the innermost one on this thread.</summary>
    public static DisposeScope Enter()
    {
        var scope = new DisposeScope(current);
        current = scope;
        return scope;
    }

    /// <summary>How many tensors this scope currently owns (tensors disposed early are still counted).</summary>
    public int Count => owned.Count;

    internal static void Adopt(Tensor tensor)
    {
        DisposeScope? scope = current;
        if (scope is null) return;
        tensor.Scope = scope;
        scope.owned.Add(tensor);
    }

    internal void Take(Tensor tensor)
    {
        if (disposed) throw new ObjectDisposedException(nameof(DisposeScope), "Cannot move a tensor into a scope that has ended.");
        tensor.Scope = this;
        owned.Add(tensor);
    }

    /// <summary>Moves the tensors out of this scope to the outer one (or to no scope) and returns the first.</summary>
    public T MoveToOuter<T>(T tensor) where T : Tensor
    {
        if (tensor.Scope == this) tensor.MoveToOuterScope();
        return tensor;
    }

    public void Dispose()
    {
        if (disposed) return;
        if (current != this)
            throw new InvalidOperationException("Dispose scopes must end in reverse order of opening, on the thread that opened them.");
        disposed = true;
        current = Outer;
        foreach (Tensor t in owned)
            if (t.Scope == this) t.Dispose();
        owned.Clear();
    }
}
