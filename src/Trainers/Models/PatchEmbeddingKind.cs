namespace TorchZoo.Trainers.Models;

/// <summary>How a Vision Transformer cuts an image into patch tokens (both use the same (D, C, p, p) weight).</summary>
public enum PatchEmbeddingKind
{
    /// <summary>A stride-p convolution with a p×p kernel (timm's and Hugging Face's layout).</summary>
    Convolution,

    /// <summary>Patches gathered with reshape/permute and projected by one matrix product with the flattened weight.</summary>
    UnfoldLinear,
}
