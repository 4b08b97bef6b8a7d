using System.Reflection;
using System.Text.Json;

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

    /// <summary>
    /// The options for <paramref name="name"/> with the overrides of a JSON object applied through the public init
    /// setters, so every value is validated as in code: <c>{"LearningRate": 0.01, "Nesterov": true, "Scale": "Original"}</c>
    /// (numbers, booleans, strings and enum names by property name).
    /// </summary>
    public static OptimizerOptions Create(string name, string overridesJson)
    {
        ArgumentNullException.ThrowIfNull(overridesJson);
        OptimizerOptions options = Create(name);
        using var doc = JsonDocument.Parse(overridesJson);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new ArgumentException($"The overrides for optimizer '{name}' must be a JSON object, not {doc.RootElement.ValueKind}.", nameof(overridesJson));
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            PropertyInfo property = options.GetType().GetProperty(p.Name, BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } found
                ? found
                : throw new ArgumentException($"{options.GetType().Name} has no option '{p.Name}'.", nameof(overridesJson));
            Type t = property.PropertyType;
            object value = t == typeof(double) ? p.Value.GetDouble()
                : t == typeof(int) ? p.Value.GetInt32()
                : t == typeof(long) ? p.Value.GetInt64()
                : t == typeof(bool) ? p.Value.GetBoolean()
                : t == typeof(string) ? p.Value.GetString()!
                : t.IsEnum ? Enum.Parse(t, p.Value.GetString()!)
                : throw new ArgumentException($"Option '{p.Name}' of {options.GetType().Name} is a {t.Name}; overrides set numbers, booleans, strings and enums only.", nameof(overridesJson));
            try
            {
                // A fresh instance this method owns, so setting an init property in place is safe.
                property.SetValue(options, value);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
                throw;
            }
        }
        return options;
    }

    public static bool Contains(string name)
    {
        lock (factories) return factories.ContainsKey(name);
    }
}
