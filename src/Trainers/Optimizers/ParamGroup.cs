namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Parameters updated with the same hyperparameters. <see cref="LearningRate"/> is the live value a
/// schedule sets each step; <see cref="Options"/> holds everything else, including the base learning rate.
/// </summary>
public sealed class ParamGroup
{
    internal ParamGroup(string name, IReadOnlyList<NamedParameter> parameters, OptimizerOptions options)
    {
        Name = name;
        Parameters = parameters;
        Options = options;
        LearningRate = options.LearningRate;
    }

    /// <summary>A label for reports ("decay", "no_decay", "muon", "adamw_fallback", or the index).</summary>
    public string Name { get; }

    public IReadOnlyList<NamedParameter> Parameters { get; }

    /// <summary>
    /// The group's hyperparameters (the optimizer's own options type). Replaceable between steps by an options
    /// record of the same type, e.g. for momentum cycling (<see cref="IMomentumOptions"/>).
    /// </summary>
    public OptimizerOptions Options
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (field is not null && value.GetType() != field.GetType())
                throw new ArgumentException($"Group {Name} takes {field.GetType().Name}, not {value.GetType().Name}.", nameof(value));
            field = value;
        }
    }

    /// <summary>The base learning rate from the options, which schedules multiply.</summary>
    public double InitialLearningRate => Options.LearningRate;

    /// <summary>The learning rate the next step uses.</summary>
    public double LearningRate
    {
        get;
        set => field = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "The learning rate must be finite and ≥ 0.");
    }

    /// <summary>The weight decay of this group.</summary>
    public double WeightDecay => Options.WeightDecay;
}
