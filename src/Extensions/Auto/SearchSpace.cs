using System.Globalization;
using System.Reflection;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Extensions.Auto;

/// <summary>
/// One tunable hyperparameter: <see cref="Name"/> is the property of the optimizer's options record it sets
/// ("LearningRate", "WeightDecay", "Beta2", "Momentum", …). Integer properties get the rounded value, boolean
/// properties get value ≠ 0.
/// </summary>
public abstract record Dimension
{
    protected Dimension(string name) =>
        Name = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("A search dimension must name an options property.", nameof(name)) : name;

    public string Name { get; }

    /// <summary>A random value from this dimension.</summary>
    public abstract double Sample(Random random);

    /// <summary>The values a grid search tries; continuous ranges are cut into <paramref name="points"/> values (ends included).</summary>
    public abstract IReadOnlyList<double> Grid(int points);
}

/// <summary>A positive range sampled uniformly in log space (learning rates).</summary>
public sealed record LogUniform : Dimension
{
    public LogUniform(string name, double min, double max) : base(name)
    {
        if (!(min > 0) || !(max >= min) || !double.IsFinite(max))
            throw new ArgumentOutOfRangeException(nameof(min), $"A log-uniform range needs 0 < min ≤ max, got [{min}, {max}] for {name}.");
        Min = min;
        Max = max;
    }

    public double Min { get; }
    public double Max { get; }

    public override double Sample(Random random) => Math.Exp(Math.Log(Min) + random.NextDouble() * (Math.Log(Max) - Math.Log(Min)));

    public override IReadOnlyList<double> Grid(int points) => points <= 1 || Min == Max
        ? new[] { Math.Sqrt(Min * Max) }
        : Enumerable.Range(0, points).Select(i => Math.Exp(Math.Log(Min) + (Math.Log(Max) - Math.Log(Min)) * i / (points - 1))).ToArray();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ~ log-uniform[{Min:G3}, {Max:G3}]");
}

/// <summary>A range sampled uniformly.</summary>
public sealed record Uniform : Dimension
{
    public Uniform(string name, double min, double max) : base(name)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || max < min)
            throw new ArgumentOutOfRangeException(nameof(min), $"A uniform range needs finite min ≤ max, got [{min}, {max}] for {name}.");
        Min = min;
        Max = max;
    }

    public double Min { get; }
    public double Max { get; }

    public override double Sample(Random random) => Min + random.NextDouble() * (Max - Min);

    public override IReadOnlyList<double> Grid(int points) => points <= 1 || Min == Max
        ? new[] { (Min + Max) / 2 }
        : Enumerable.Range(0, points).Select(i => Min + (Max - Min) * i / (points - 1)).ToArray();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name} ~ uniform[{Min:G3}, {Max:G3}]");
}

/// <summary>A few discrete values, each equally likely.</summary>
public sealed record Choice : Dimension
{
    public Choice(string name, params double[] values) : base(name)
    {
        if (values is null || values.Length == 0) throw new ArgumentException($"The choice for {name} needs at least one value.", nameof(values));
        Values = values.ToArray();
    }

    public IReadOnlyList<double> Values { get; }

    public override double Sample(Random random) => Values[random.Next(Values.Count)];

    public override IReadOnlyList<double> Grid(int points) => Values;

    public override string ToString() => $"{Name} ∈ {{{string.Join(", ", Values.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)))}}}";
}

/// <summary>
/// The hyperparameters tuned for one optimizer. <see cref="For"/> builds the default space around an optimizer's
/// reference defaults; <see cref="With"/> and <see cref="Without"/> change it.
/// </summary>
public sealed record SearchSpace
{
    public SearchSpace(IEnumerable<Dimension> dimensions)
    {
        var list = dimensions?.ToList() ?? throw new ArgumentNullException(nameof(dimensions));
        string? twice = list.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null) throw new ArgumentException($"The search space names '{twice}' more than once.", nameof(dimensions));
        Dimensions = list;
    }

    public IReadOnlyList<Dimension> Dimensions { get; }

    /// <summary>Nothing tuned: the options are used as given.</summary>
    public static SearchSpace Fixed { get; } = new(Array.Empty<Dimension>());

    /// <summary>Adds a dimension, replacing one of the same name.</summary>
    public SearchSpace With(Dimension dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        return new SearchSpace(Dimensions.Where(d => d.Name != dimension.Name).Append(dimension));
    }

    public SearchSpace Without(string name) => new(Dimensions.Where(d => d.Name != name));

    /// <summary>
    /// The default space around <paramref name="reference"/>'s values: the learning rate log-uniform in
    /// [η/10, 10·η]; weight decay from {0, 1e-4, 1e-2} (plus the reference value); Beta2 from {reference, 0.95}
    /// (or {0.95, 0.99}) when the optimizer has one; Momentum from {reference, 0.9} when it has one.
    /// </summary>
    public static SearchSpace For(OptimizerOptions reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var dims = new List<Dimension>();
        if (reference.LearningRate > 0) dims.Add(new LogUniform(nameof(OptimizerOptions.LearningRate), reference.LearningRate / 10, reference.LearningRate * 10));
        dims.Add(new Choice(nameof(OptimizerOptions.WeightDecay), new[] { 0, 1e-4, 1e-2, reference.WeightDecay }.Distinct().Order().ToArray()));
        if (DoubleProperty(reference, "Beta2") is { } beta2)
            dims.Add(new Choice("Beta2", beta2 == 0.95 ? new[] { 0.95, 0.99 } : new[] { beta2, 0.95 }));
        if (DoubleProperty(reference, "Momentum") is { } momentum)
            dims.Add(new Choice("Momentum", momentum == 0.9 ? new[] { 0.9, 0.95 } : new[] { momentum, 0.9 }));
        return new SearchSpace(dims);
    }

    private static double? DoubleProperty(OptimizerOptions options, string name) =>
        options.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { PropertyType: var t, CanWrite: true } p && t == typeof(double)
            ? (double)p.GetValue(options)!
            : null;

    /// <summary>A copy of <paramref name="reference"/> with the given values set (by property name).</summary>
    public static OptimizerOptions Apply(OptimizerOptions reference, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(values);
        OptimizerOptions copy = reference with { };
        foreach (var (name, value) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            PropertyInfo property = copy.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance) is { CanWrite: true } p
                ? p
                : throw new ArgumentException($"The optimizer '{reference.Name}' has no settable property '{name}' to tune (SearchSpace).");
            object converted = property.PropertyType == typeof(double) ? value
                : property.PropertyType == typeof(float) ? (float)value
                : property.PropertyType == typeof(int) ? (int)Math.Round(value)
                : property.PropertyType == typeof(bool) ? value != 0
                : throw new ArgumentException($"The property '{name}' of optimizer '{reference.Name}' is a {property.PropertyType.Name}; only numbers and booleans can be tuned (SearchSpace).");
            try
            {
                property.SetValue(copy, converted);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner)
            {
                throw new ArgumentException($"The value {value} for {name} of optimizer '{reference.Name}' is invalid: {inner.Message}", inner);
            }
        }
        return copy;
    }

    public override string ToString() => Dimensions.Count == 0 ? "fixed" : string.Join("; ", Dimensions);
}

/// <summary>An optimizer to try: its registry name (the family), its reference options and the space tuned around them.</summary>
public sealed record OptimizerCandidate
{
    public OptimizerCandidate(OptimizerOptions reference, SearchSpace? space = null)
    {
        Reference = reference ?? throw new ArgumentNullException(nameof(reference));
        Space = space ?? SearchSpace.For(reference);
    }

    /// <summary>The family name (the optimizer's registry name).</summary>
    public string Name => Reference.Name;

    public OptimizerOptions Reference { get; }

    public SearchSpace Space { get; init => field = value ?? throw new ArgumentNullException(nameof(Space)); }

    /// <summary>The registry's reference options and the default space for <paramref name="name"/>.</summary>
    public static OptimizerCandidate FromRegistry(string name) => new(OptimizerRegistry.Create(name));

    /// <summary>The curated default set, in this order; names missing from the registry are skipped.</summary>
    public static IReadOnlyList<string> CuratedNames { get; } =
        new[] { "adamw", "reg", "muon", "lion", "adafactor", "soap", "adopt", "schedulefree_adamw" };
}
