namespace TorchZoo.Trainers.Optimizers;

/// <summary>How an optimizer stores its moment buffers between steps. The update math is always float32.</summary>
public enum OptimizerStateDtype
{
    /// <summary>Full float32 buffers (4 bytes per element).</summary>
    Float32,

    /// <summary>
    /// 8-bit block-wise quantization (Dettmers et al., "8-bit Optimizers via Block-wise Quantization", arXiv 2110.02861):
    /// one byte per element (a code of the dynamic quantization map) plus one float32 absmax per block; dequantized,
    /// updated in float32 and requantized every step (<see cref="Kernels.BlockwiseQuantization"/>).
    /// </summary>
    Int8Blockwise,
}
