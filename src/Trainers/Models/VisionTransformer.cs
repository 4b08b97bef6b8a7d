using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// Vision Transformer over (B, C, H, W) images, producing (B, Outputs). Parameter names follow timm:
/// <c>patch_embed.proj.weight</c>, <c>cls_token</c> (class-token pooling only), <c>pos_embed</c>,
/// <c>blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}.*</c>, <c>norm.*</c>, <c>head.*</c>.
/// Weights are initialized as timm's (truncated normal 0.02 for linears and positions); pass a
/// <see cref="Generator"/> to make them independent of the default one.
/// </summary>
public sealed class VisionTransformer : Module<Tensor, Tensor>
{
    public VisionTransformer(VisionTransformerOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        try
        {
            PatchEmbed = RegisterModule("patch_embed", new PatchEmbedding(options.Channels, options.PatchSize, options.Width, options.PatchEmbedding, generator));
            bool cls = options.Pooling == TokenPooling.ClassToken;
            if (cls)
                ClassToken = RegisterParameter("cls_token", ModelInit.NewParameter(new long[] { 1, 1, options.Width }, t => Init.Normal_(t, 0, 1e-6, generator)));
            PositionEmbedding = RegisterParameter("pos_embed", ModelInit.NewParameter(
                new long[] { 1, options.PatchCount + (cls ? 1 : 0), options.Width }, t => Init.TruncatedNormal_(t, 0.02, -2, 2, generator)));
            Blocks = RegisterModule("blocks", TransformerStack.Blocks(options, generator));
            Norm = RegisterModule("norm", new LayerNorm(options.Width, options.LayerNormEps));
            Head = RegisterModule("head", new Linear(options.Width, options.Outputs, true, generator));
            ModelInit.TransformerLinears(this, generator);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public VisionTransformerOptions Options { get; }
    public PatchEmbedding PatchEmbed { get; }
    public Parameter? ClassToken { get; }
    public Parameter PositionEmbedding { get; }
    public ModuleList<TransformerBlock> Blocks { get; }
    public LayerNorm Norm { get; }
    public Linear Head { get; }

    /// <summary>Head outputs (B, Outputs): logits or regression values.</summary>
    public override Tensor Forward(Tensor images) => Head.Forward(ForwardFeatures(images));

    /// <summary>The pooled, normalized (B, Width) features the head sees.</summary>
    public Tensor ForwardFeatures(Tensor images)
    {
        long[] s = images.Shape;
        var o = Options;
        if (s.Length != 4 || s[1] != o.Channels || s[2] != o.ImageHeight || s[3] != o.ImageWidth)
            throw new ArgumentException(
                $"VisionTransformer expects images shaped (batch, {o.Channels}, {o.ImageHeight}, {o.ImageWidth}), got {Tensor.FormatShape(s)}.", nameof(images));
        Tensor x = PatchEmbed.Forward(images);
        if (ClassToken is not null)
            x = Tensor.Cat(new[] { ClassToken.Expand(s[0], -1, -1), x }, 1);
        x = x.Add(PositionEmbedding);
        if (IsTraining && o.Dropout > 0) x = Functional.Dropout(x, o.Dropout, true);
        x = Norm.Forward(TransformerStack.Run(Blocks, x, null));
        return ClassToken is not null ? x.Select(1, 0) : x.Mean(1);
    }

    /// <summary>The default loss of <see cref="TransformerEncoderOptions.Task"/> for this model's output.</summary>
    public Tensor Loss(Tensor output, Tensor target) => ModelLosses.Loss(Options.Task, output, target);
}
