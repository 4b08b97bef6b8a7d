namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Optimizer options by name ("adamw", "reg", "muon", …), for configuration files, command lines and
/// automatic selection. Names are case-insensitive. Users may register their own.
/// </summary>
public static class OptimizerRegistry
{
    private static readonly Dictionary<string, Func<OptimizerOptions>> factories = new(StringComparer.OrdinalIgnoreCase);

    static OptimizerRegistry()
    {
        // Every concrete options record of this assembly registers itself, so adding an optimizer is one file.
        foreach (Type type in typeof(OptimizerOptions).Assembly.GetTypes())
        {
            if (type.IsAbstract || !typeof(OptimizerOptions).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null) continue;
            Register(() => (OptimizerOptions)Activator.CreateInstance(type)!);
        }
    }

    /// <summary>Registers (or replaces) the options type under the name its default instance reports.</summary>
    public static void Register(Func<OptimizerOptions> createDefault)
    {
        ArgumentNullException.ThrowIfNull(createDefault);
        string name = createDefault().Name;
        lock (factories) factories[name] = createDefault;
    }

    /// <summary>Every registered name, sorted.</summary>
    public static IReadOnlyList<string> Names
    {
        get
        {
            lock (factories) return factories.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The options with reference defaults for <paramref name="name"/>.</summary>
    public static OptimizerOptions Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Func<OptimizerOptions>? factory;
        lock (factories) factories.TryGetValue(name.Trim(), out factory);
        return factory?.Invoke()
               ?? throw new ArgumentException($"Unknown optimizer '{name}'. Known optimizers: {string.Join(", ", Names)}.", nameof(name));
    }

    public static bool Contains(string name)
    {
        lock (factories) return factories.ContainsKey(name);
    }
}
