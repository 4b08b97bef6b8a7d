namespace TorchZoo.Trainers.Models;

/// <summary>How a Vision Transformer turns an image into patch tokens.</summary>
public enum PatchEmbeddingKind
{
    /// <summary>A stride-p convolution with a p×p kernel (timm's and Hugging Face's layout).</summary>
    Convolution,

    /// <summary>Patches gathered with reshape/permute and projected by one matrix product with the flattened weight
    /// (the same (D, C, p, p) weight as <see cref="Convolution"/>).</summary>
    UnfoldLinear,

    /// <summary>
    /// A convolutional stem (Xiao et al., "Early Convolutions Help Transformers See Better", arXiv 2106.14881):
    /// log₂ p convolutions 3×3 with stride 2 and padding 1 (no bias), each followed by BatchNorm and GELU, with channels
    /// doubling up to the model width (D/2^(k−1), …, D/2, D, at least 16), then a 1×1 convolution to D. The patch size
    /// must be a power of two ≥ 2. The BatchNorms keep running statistics (buffers in the state dict), so the model
    /// predicts differently in training and evaluation mode, as any BatchNorm network. Names:
    /// <c>patch_embed.stem.{3i}.weight</c> (convolution i), <c>patch_embed.stem.{3i+1}.*</c> (its BatchNorm), <c>patch_embed.proj.*</c>.
    /// A stem normalized per position over channels (ConvNeXt's LayerNorm2d) instead trained far more slowly on the chirp
    /// model (validation loss 0.46 after 4 epochs against 0.14 after 3 for patch convolution): it scales the noise-only
    /// background up to the level of the signal.
    /// </summary>
    ConvolutionalStem,
}
