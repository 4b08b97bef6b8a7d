using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// A transformer encoder over (B, L) int64 token ids (L ≤ MaxLength), producing (B, Outputs). Tokens equal to
/// <see cref="SequenceTransformerOptions.PaddingId"/> are never attended to and are left out of mean pooling.
/// Names: <c>token_embed.weight</c>, <c>cls_token</c>, <c>pos_embed</c> (1, MaxLength [+1], D), <c>blocks.N.*</c>, <c>norm.*</c>, <c>head.*</c>.
/// </summary>
public sealed class SequenceTransformer : Module<Tensor, Tensor>
{
    public SequenceTransformer(SequenceTransformerOptions options, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        try
        {
            TokenEmbedding = RegisterModule("token_embed", new Embedding(options.VocabularySize, options.Width, generator));
            Init.TruncatedNormal_(TokenEmbedding.Weight, 0.02, -2, 2, generator);
            bool cls = options.Pooling == TokenPooling.ClassToken;
            if (cls)
                ClassToken = RegisterParameter("cls_token", ModelInit.NewParameter(new long[] { 1, 1, options.Width }, t => Init.Normal_(t, 0, 1e-6, generator)));
            PositionEmbedding = RegisterParameter("pos_embed", ModelInit.NewParameter(
                new long[] { 1, options.MaxLength + (cls ? 1 : 0), options.Width }, t => Init.TruncatedNormal_(t, 0.02, -2, 2, generator)));
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

    public SequenceTransformerOptions Options { get; }
    public Embedding TokenEmbedding { get; }
    public Parameter? ClassToken { get; }
    public Parameter PositionEmbedding { get; }
    public ModuleList<TransformerBlock> Blocks { get; }
    public LayerNorm Norm { get; }
    public Linear Head { get; }

    public override Tensor Forward(Tensor tokens) => Head.Forward(ForwardFeatures(tokens));

    /// <summary>The pooled, normalized (B, Width) features the head sees.</summary>
    public Tensor ForwardFeatures(Tensor tokens)
    {
        long[] s = tokens.Shape;
        var o = Options;
        if (s.Length != 2 || s[1] < 1 || s[1] > o.MaxLength || tokens.Dtype != ScalarType.Int64)
            throw new ArgumentException(
                $"SequenceTransformer expects int64 token ids shaped (batch, 1..{o.MaxLength}), got {tokens.Dtype} {Tensor.FormatShape(s)}.", nameof(tokens));
        long b = s[0], length = s[1];
        Tensor x = TokenEmbedding.Forward(tokens);
        Tensor? keep = o.PaddingId is { } pad ? tokens.Ne(pad) : null;
        if (ClassToken is not null)
        {
            x = Tensor.Cat(new[] { ClassToken.Expand(b, -1, -1), x }, 1);
            length += 1;
            if (keep is not null)
            {
                using var scope = DisposeScope.Enter();
                Tensor always = Tensor.Ones(new[] { b, 1L }, ScalarType.Bool, keep.Device);
                keep = scope.MoveToOuter(Tensor.Cat(new[] { always, keep }, 1));
            }
        }
        x = x.Add(PositionEmbedding.Narrow(1, 0, length));
        if (IsTraining && o.Dropout > 0) x = Functional.Dropout(x, o.Dropout, true);
        x = Norm.Forward(TransformerStack.Run(Blocks, x, keep));
        if (ClassToken is not null) return x.Select(1, 0);
        if (keep is null) return x.Mean(1);
        Tensor weights = keep.To(x.Dtype).Unsqueeze(-1);
        return x.Mul(weights).Sum(1).Div(weights.Sum(1).Clamp(1, null));
    }

    /// <summary>The default loss of <see cref="TransformerEncoderOptions.Task"/> for this model's output.</summary>
    public Tensor Loss(Tensor output, Tensor target) => ModelLosses.Loss(Options.Task, output, target);
}
