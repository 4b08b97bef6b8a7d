using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// FT-Transformer over (B, F) float features, producing (B, Outputs): a <see cref="FeatureTokenizer"/> (no position
/// embedding: each feature has its own weights), a class token prepended (class-token pooling), pre-norm blocks,
/// final norm and head. Names: <c>feature_embed.{weight,bias}</c>, <c>cls_token</c>, <c>blocks.N.*</c>, <c>norm.*</c>, <c>head.*</c>.
/// </summary>
public sealed class TabularTransformer : Module<Tensor, Tensor>
{
    public TabularTransformer(TabularTransformerOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        try
        {
            FeatureEmbedding = RegisterModule("feature_embed", new FeatureTokenizer(options.Features, options.Width, generator));
            if (options.Pooling == TokenPooling.ClassToken)
                ClassToken = RegisterParameter("cls_token", ModelInit.NewParameter(new long[] { 1, 1, options.Width }, t => Init.TruncatedNormal_(t, 0.02, -2, 2, generator)));
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

    public TabularTransformerOptions Options { get; }
    public FeatureTokenizer FeatureEmbedding { get; }
    public Parameter? ClassToken { get; }
    public ModuleList<TransformerBlock> Blocks { get; }
    public LayerNorm Norm { get; }
    public Linear Head { get; }

    public override Tensor Forward(Tensor features) => Head.Forward(ForwardFeatures(features));

    /// <summary>The pooled, normalized (B, Width) features the head sees.</summary>
    public Tensor ForwardFeatures(Tensor features)
    {
        Tensor x = FeatureEmbedding.Forward(features);
        if (ClassToken is not null)
            x = Tensor.Cat(new[] { ClassToken.Expand(features.Size(0), -1, -1), x }, 1);
        if (IsTraining && Options.Dropout > 0) x = Functional.Dropout(x, Options.Dropout, true);
        x = Norm.Forward(TransformerStack.Run(Blocks, x, null));
        return ClassToken is not null ? x.Select(1, 0) : x.Mean(1);
    }

    /// <summary>The default loss of <see cref="TransformerEncoderOptions.Task"/> for this model's output.</summary>
    public Tensor Loss(Tensor output, Tensor target) => ModelLosses.Loss(Options.Task, output, target);
}
