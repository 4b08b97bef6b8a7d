using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>Weight initialization shared by the transformer models (timm's ViT defaults).</summary>
internal static class ModelInit
{
    /// <summary>Every <see cref="Linear"/> below <paramref name="module"/>: weight ~ N(0, 0.02²) truncated to ±2, bias 0.</summary>
    public static void TransformerLinears(Module module, Generator? generator)
    {
        foreach (var (_, m) in module.NamedModules())
        {
            if (m is not Linear linear) continue;
            Init.TruncatedNormal_(linear.Weight, 0.02, -2, 2, generator);
            if (linear.Bias is { } bias) Init.Zeros_(bias);
        }
    }

    /// <summary>A parameter of <paramref name="shape"/> filled by <paramref name="fill"/>.</summary>
    public static Parameter NewParameter(long[] shape, Action<Tensor> fill)
    {
        using var scope = DisposeScope.Enter();
        Tensor t = Tensor.Empty(shape);
        fill(t);
        return new Parameter(t);
    }
}
