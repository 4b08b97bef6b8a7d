using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// Stochastic depth (Huang et al. 2016) per sample: while training, each sample's residual branch is zeroed
/// with probability p and the survivors are scaled by 1/(1 − p); identity in evaluation mode. The mask is
/// drawn from libtorch's default generator (seed it with <see cref="TorchRuntime.ManualSeed"/>).
/// </summary>
public sealed class DropPath : Module<Tensor, Tensor>
{
    public DropPath(double p)
    {
        if (p is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "The drop-path rate must be in [0, 1).");
        P = p;
    }

    public double P { get; }

    /// <summary>True when a forward pass would change its input (training with p &gt; 0).</summary>
    public bool IsActive => IsTraining && P > 0;

    public override Tensor Forward(Tensor input)
    {
        if (!IsActive) return input.Alias();
        long[] shape = new long[input.Dim];
        Array.Fill(shape, 1L);
        shape[0] = input.Size(0);
        double keep = 1 - P;
        Tensor mask = Tensor.Empty(shape, input.Dtype, input.Device).Bernoulli_(keep).Div_(keep);
        return input.Mul(mask);
    }
}
