using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// One token per numeric feature: token_f = x_f·W_f + b_f, with <c>weight</c> and <c>bias</c> both (F, D),
/// initialized U(±1/√D) as the FT-Transformer. Maps (B, F) to (B, F, D).
/// </summary>
public sealed class FeatureTokenizer : Module<Tensor, Tensor>
{
    public FeatureTokenizer(int features, int width, Generator? generator = null)
    {
        Features = features;
        Width = width;
        double bound = 1 / Math.Sqrt(width);
        Weight = RegisterParameter("weight", ModelInit.NewParameter(new long[] { features, width }, t => Init.Uniform_(t, -bound, bound, generator)));
        Bias = RegisterParameter("bias", ModelInit.NewParameter(new long[] { features, width }, t => Init.Uniform_(t, -bound, bound, generator)));
    }

    public int Features { get; }
    public int Width { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        long[] s = input.Shape;
        if (s.Length != 2 || s[1] != Features)
            throw new ArgumentException($"Expected features shaped (batch, {Features}), got {Tensor.FormatShape(s)}.", nameof(input));
        return input.Unsqueeze(-1).Mul(Weight).Add(Bias);
    }
}
