using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>The transformer MLP: <c>fc1</c> (D → hidden), GELU, dropout, <c>fc2</c> (hidden → D), dropout.</summary>
public sealed class FeedForward : Module<Tensor, Tensor>
{
    public FeedForward(long dim, long hidden, double dropout = 0, Generator? generator = null)
    {
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Dropout must be in [0, 1).");
        DropoutRate = dropout;
        try
        {
            Fc1 = RegisterModule("fc1", new Linear(dim, hidden, true, generator));
            Fc2 = RegisterModule("fc2", new Linear(hidden, dim, true, generator));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Linear Fc1 { get; }
    public Linear Fc2 { get; }
    public double DropoutRate { get; }

    public override Tensor Forward(Tensor input)
    {
        Tensor h = Fc1.Forward(input).Gelu();
        if (IsTraining && DropoutRate > 0) h = Functional.Dropout(h, DropoutRate, true);
        Tensor y = Fc2.Forward(h);
        if (IsTraining && DropoutRate > 0) y = Functional.Dropout(y, DropoutRate, true);
        return y;
    }
}
