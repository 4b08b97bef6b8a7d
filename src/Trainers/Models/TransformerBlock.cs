using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// A pre-norm transformer block: x + DropPath(Attn(LN₁(x))), then x + DropPath(MLP(LN₂(x))). Children:
/// <c>norm1</c>, <c>attn</c> (<c>qkv</c>, <c>proj</c>), <c>norm2</c>, <c>mlp</c> (<c>fc1</c>, <c>fc2</c>), as timm's ViT block.
/// </summary>
public sealed class TransformerBlock : Module<Tensor, Tensor>
{
    private readonly DropPath dropPath;

    public TransformerBlock(long dim, long heads, double mlpRatio, double dropout, double attentionDropout, double dropPath,
        double layerNormEps, bool qkvBias = true, Generator? generator = null)
    {
        DropoutRate = dropout;
        this.dropPath = new DropPath(dropPath);
        try
        {
            Norm1 = RegisterModule("norm1", new LayerNorm(dim, layerNormEps));
            Attn = RegisterModule("attn", new MultiHeadAttention(dim, heads, qkvBias, attentionDropout, generator));
            Norm2 = RegisterModule("norm2", new LayerNorm(dim, layerNormEps));
            Mlp = RegisterModule("mlp", new FeedForward(dim, (long)Math.Round(dim * mlpRatio), dropout, generator));
            RegisterModule("drop_path", this.dropPath); // no parameters; registered so Train/Eval reach it
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public LayerNorm Norm1 { get; }
    public MultiHeadAttention Attn { get; }
    public LayerNorm Norm2 { get; }
    public FeedForward Mlp { get; }
    public double DropoutRate { get; }
    public double DropPathRate => dropPath.P;

    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>Applies the block; <paramref name="keyMask"/> (boolean (B, N), true = attend) hides padding tokens.</summary>
    public Tensor Forward(Tensor input, Tensor? keyMask)
    {
        Tensor a = Attn.Forward(Norm1.Forward(input), keyMask);
        if (IsTraining && DropoutRate > 0) a = Functional.Dropout(a, DropoutRate, true);
        if (dropPath.IsActive) a = dropPath.Forward(a);
        Tensor x = input.Add(a);
        Tensor m = Mlp.Forward(Norm2.Forward(x));
        if (dropPath.IsActive) m = dropPath.Forward(m);
        return x.Add(m);
    }
}
