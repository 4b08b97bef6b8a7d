using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Models;

/// <summary>Activation between the hidden layers of a <see cref="MultilayerPerceptron"/>.</summary>
public enum Activation
{
    Relu,
    Gelu,
    Silu,
    Tanh,
}

/// <summary>A multilayer perceptron baseline: inputs, hidden sizes, activation, dropout, head.</summary>
public sealed record MlpOptions
{
    /// <summary>Input features.</summary>
    public int Inputs { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Inputs)); } = 8;

    /// <summary>Width of each hidden layer, in order (empty: a linear model).</summary>
    public IReadOnlyList<int> HiddenSizes
    {
        get;
        init
        {
            OptionChecks.NotNull(value, nameof(HiddenSizes));
            if (value.Any(h => h < 1)) throw new ArgumentOutOfRangeException(nameof(HiddenSizes), "Every hidden size must be ≥ 1.");
            field = value.ToArray();
        }
    } = new[] { 128, 128 };

    /// <summary>Activation after each hidden layer.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Dropout after each hidden activation (training only).</summary>
    public double Dropout
    {
        get;
        init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Dropout), value, "Dropout must be in [0, 1).");
    }

    /// <summary>Classes or regression targets.</summary>
    public int Outputs { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Outputs)); } = 1;

    /// <summary>What the head predicts; picks the default loss.</summary>
    public ModelTask Task { get; init; } = ModelTask.Regression;
}
