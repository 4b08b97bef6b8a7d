using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>Builds and runs the block list shared by the encoders.</summary>
internal static class TransformerStack
{
    public static ModuleList<TransformerBlock> Blocks(TransformerEncoderOptions o, Generator? generator) =>
        new(Enumerable.Range(0, o.Depth).Select(i => new TransformerBlock(
            o.Width, o.Heads, o.MlpRatio, o.Dropout, o.AttentionDropout, o.DropPathAt(i), o.LayerNormEps, o.QkvBias, generator)));

    public static Tensor Run(ModuleList<TransformerBlock> blocks, Tensor x, Tensor? keyMask)
    {
        foreach (TransformerBlock block in blocks) x = block.Forward(x, keyMask);
        return x;
    }
}
