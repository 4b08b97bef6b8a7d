using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>Clamps every gradient element into [−<see cref="MaxValue"/>, <see cref="MaxValue"/>] (torch.nn.utils.clip_grad_value_).</summary>
public sealed record ValueClipping : IGradientClipper
{
    public double MaxValue { get; init => field = value > 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(MaxValue), value, "MaxValue must be finite and > 0."); } = 1.0;

    public ClipResult Clip(IReadOnlyList<Parameter> parameters)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        List<Tensor> grads = GradientNorms.Gradients(parameters);
        double total = GradientNorms.Total(grads).Item();
        bool clipped = false;
        foreach (Tensor g in grads)
        {
            clipped |= g.Abs().Amax().Item() > MaxValue;
            g.Clamp_(-MaxValue, MaxValue);
        }
        return new ClipResult(total, clipped);
    }
}
