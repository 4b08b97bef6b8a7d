using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// A Vision Transformer (Dosovitskiy et al., arXiv 2010.11929): image size (height and width may differ), channels,
/// patch size and the encoder shape of <see cref="TransformerEncoderOptions"/>. Presets: <see cref="Tiny"/>,
/// <see cref="Small"/>, <see cref="Base"/> (ViT-B/16) and <see cref="Micro"/> (the chirp model; trains on two CPU cores).
/// </summary>
public sealed record VisionTransformerOptions : TransformerEncoderOptions
{
    /// <summary>Input height in pixels; a multiple of <see cref="PatchSize"/>.</summary>
    public int ImageHeight { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ImageHeight)); } = 64;

    /// <summary>Input width in pixels; a multiple of <see cref="PatchSize"/>.</summary>
    public int ImageWidth { get; init => field = OptionChecks.AtLeast(value, 1, nameof(ImageWidth)); } = 64;

    /// <summary>Input channels.</summary>
    public int Channels { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Channels)); } = 1;

    /// <summary>Side of the square patches.</summary>
    public int PatchSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(PatchSize)); } = 8;

    /// <summary>Convolution (default), unfold + matrix product (the same weights) or a convolutional stem.</summary>
    public PatchEmbeddingKind PatchEmbedding { get; init; } = PatchEmbeddingKind.Convolution;

    /// <summary>Patches along the height.</summary>
    public int PatchRows => ImageHeight / PatchSize;

    /// <summary>Patches along the width.</summary>
    public int PatchColumns => ImageWidth / PatchSize;

    /// <summary>Patch tokens per image.</summary>
    public int PatchCount => PatchRows * PatchColumns;

    public override void Validate()
    {
        base.Validate();
        if (ImageHeight % PatchSize != 0 || ImageWidth % PatchSize != 0)
            throw new ArgumentException(
                $"PatchSize ({PatchSize}) must divide ImageHeight ({ImageHeight}) and ImageWidth ({ImageWidth}).", nameof(PatchSize));
        if (PatchEmbedding == PatchEmbeddingKind.ConvolutionalStem && !Models.PatchEmbedding.IsStemPatch(PatchSize))
            throw new ArgumentException(
                $"PatchSize ({PatchSize}) must be a power of two ≥ 2 with PatchEmbedding = ConvolutionalStem (each stem layer halves the resolution).", nameof(PatchSize));
    }

    /// <summary>ViT-Ti/16 at 224², 3 channels, 1000 classes: width 192, depth 12, 3 heads.</summary>
    public static VisionTransformerOptions Tiny => ImageNet(192, 12, 3);

    /// <summary>ViT-S/16 at 224², 3 channels, 1000 classes: width 384, depth 12, 6 heads.</summary>
    public static VisionTransformerOptions Small => ImageNet(384, 12, 6);

    /// <summary>ViT-B/16 at 224², 3 channels, 1000 classes: width 768, depth 12, 12 heads (86,567,656 parameters).</summary>
    public static VisionTransformerOptions Base => ImageNet(768, 12, 12);

    /// <summary>
    /// The chirp model: one-channel 64×64 spectrograms, patch 8 (64 tokens), width 192, depth 6, 3 heads,
    /// regression head with 3 outputs (onset time, onset frequency, offset frequency).
    /// </summary>
    public static VisionTransformerOptions Micro => new()
    {
        ImageHeight = 64, ImageWidth = 64, Channels = 1, PatchSize = 8,
        Width = 192, Depth = 6, Heads = 3, Outputs = 3, Task = ModelTask.Regression,
    };

    private static VisionTransformerOptions ImageNet(int width, int depth, int heads) => new()
    {
        ImageHeight = 224, ImageWidth = 224, Channels = 3, PatchSize = 16,
        Width = width, Depth = depth, Heads = heads, Outputs = 1000, Task = ModelTask.Classification,
    };
}
