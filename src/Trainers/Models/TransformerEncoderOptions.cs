using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// Shape and regularization of a pre-norm transformer encoder with a linear head; shared by
/// <see cref="VisionTransformerOptions"/>, <see cref="SequenceTransformerOptions"/> and <see cref="TabularTransformerOptions"/>.
/// Every value is checked when set; <see cref="Validate"/> checks the combinations.
/// </summary>
public abstract record TransformerEncoderOptions
{
    /// <summary>Token width D (embedding dimension).</summary>
    public int Width { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Width)); } = 192;

    /// <summary>Number of transformer blocks.</summary>
    public int Depth { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Depth)); } = 6;

    /// <summary>Attention heads; must divide <see cref="Width"/>.</summary>
    public int Heads { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Heads)); } = 3;

    /// <summary>MLP hidden width as a multiple of <see cref="Width"/> (rounded to an integer width).</summary>
    public double MlpRatio { get; init => field = OptionChecks.Positive(value, nameof(MlpRatio)); } = 4;

    /// <summary>Dropout after embeddings, the attention projection and in the MLP (training only).</summary>
    public double Dropout { get; init => field = HalfOpen(value, nameof(Dropout)); }

    /// <summary>Dropout on the attention weights (training only).</summary>
    public double AttentionDropout { get; init => field = HalfOpen(value, nameof(AttentionDropout)); }

    /// <summary>Stochastic depth of the last block; block i uses DropPath·i/(Depth − 1) (timm's linear rule).</summary>
    public double DropPath { get; init => field = HalfOpen(value, nameof(DropPath)); }

    /// <summary>Epsilon of every LayerNorm (timm uses 1e-6, Hugging Face ViT 1e-12).</summary>
    public double LayerNormEps { get; init => field = OptionChecks.Positive(value, nameof(LayerNormEps)); } = 1e-6;

    /// <summary>Whether the fused qkv projection has a bias.</summary>
    public bool QkvBias { get; init; } = true;

    /// <summary>Classes (classification) or targets (regression) predicted by the head.</summary>
    public int Outputs { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Outputs)); } = 1;

    /// <summary>What the head predicts; picks the default loss (<see cref="ModelLosses"/>).</summary>
    public ModelTask Task { get; init; } = ModelTask.Regression;

    /// <summary>Class token or mean pooling before the head.</summary>
    public TokenPooling Pooling { get; init; } = TokenPooling.ClassToken;

    /// <summary>Hidden width of each block's MLP.</summary>
    public int MlpHidden => (int)Math.Round(Width * MlpRatio);

    /// <summary>Drop-path rate of block <paramref name="index"/>.</summary>
    public double DropPathAt(int index) => Depth == 1 ? DropPath : DropPath * index / (Depth - 1);

    /// <summary>Checks combinations of values; throws an <see cref="ArgumentException"/> naming the options.</summary>
    public virtual void Validate()
    {
        if (Width % Heads != 0)
            throw new ArgumentException($"Heads ({Heads}) must divide Width ({Width}).", nameof(Heads));
    }

    private static double HalfOpen(double value, string name) =>
        value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
}
