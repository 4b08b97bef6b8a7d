namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Options of an optimizer that can keep its moment buffers in 8-bit block-wise form (Dettmers et al., arXiv 2110.02861;
/// <see cref="Kernels.BlockwiseQuantization"/>): Adam/AdamW, Lion and Muon.
/// </summary>
public interface IQuantizedStateOptions
{
    /// <summary>How the moment buffers are stored between steps (float32 by default).</summary>
    OptimizerStateDtype StateDtype { get; }

    /// <summary>Elements per quantization block (the paper's 2048).</summary>
    int QuantizationBlockSize { get; }

    /// <summary>Tensors with fewer elements keep float32 buffers (bitsandbytes' min_8bit_size, 4096).</summary>
    int MinQuantizedSize { get; }
}
