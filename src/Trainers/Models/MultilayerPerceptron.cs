using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// (B, Inputs) → (B, Outputs) through hidden linears <c>layers.N</c> with an activation and dropout after each,
/// then <c>head</c>. Linears are initialized as PyTorch's nn.Linear.
/// </summary>
public sealed class MultilayerPerceptron : Module<Tensor, Tensor>
{
    public MultilayerPerceptron(MlpOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        try
        {
            Layers = RegisterModule("layers", new ModuleList<Linear>());
            int previous = options.Inputs;
            foreach (int hidden in options.HiddenSizes)
            {
                Layers.Add(new Linear(previous, hidden, true, generator));
                previous = hidden;
            }
            Head = RegisterModule("head", new Linear(previous, options.Outputs, true, generator));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public MlpOptions Options { get; }
    public ModuleList<Linear> Layers { get; }
    public Linear Head { get; }

    public override Tensor Forward(Tensor input)
    {
        long[] s = input.Shape;
        if (s.Length != 2 || s[1] != Options.Inputs)
            throw new ArgumentException($"MultilayerPerceptron expects (batch, {Options.Inputs}) input, got {Tensor.FormatShape(s)}.", nameof(input));
        Tensor x = input;
        foreach (Linear layer in Layers)
        {
            x = Activate(layer.Forward(x));
            if (IsTraining && Options.Dropout > 0) x = Functional.Dropout(x, Options.Dropout, true);
        }
        return Head.Forward(x);
    }

    /// <summary>The default loss of <see cref="MlpOptions.Task"/> for this model's output.</summary>
    public Tensor Loss(Tensor output, Tensor target) => ModelLosses.Loss(Options.Task, output, target);

    private Tensor Activate(Tensor x) => Options.Activation switch
    {
        Activation.Relu => x.Relu(),
        Activation.Gelu => x.Gelu(),
        Activation.Silu => x.Silu(),
        Activation.Tanh => x.Tanh(),
        _ => throw new InvalidOperationException($"Unknown activation {Options.Activation}."),
    };
}
