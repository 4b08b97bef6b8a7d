using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// b-bit uniform quantization with a minimum and a step per bucket (MicroAdam's error feedback, Modoranu et al.,
/// arXiv 2405.15593): in each bucket of the flattened tensor, δ = min, Δ = max, u = (Δ − δ)/(2^b − 1) (u = 1 when
/// Δ = δ), code = clamp(round((x − δ)/u), 0, 2^b − 1), and x̃ = δ + code·u. Codes are packed 8/b per byte, lowest
/// bits first, so b ∈ {1, 2, 4, 8}. Rounding is to nearest (ties to even, as torch.round).
/// </summary>
public static class UniformQuantization
{
    /// <summary>Bit widths that pack whole codes into bytes.</summary>
    public static bool IsSupportedBits(int bits) => bits is 1 or 2 or 4 or 8;

    /// <summary>Bytes stored for <paramref name="numel"/> elements: the packed codes plus δ and u (float32) per bucket.</summary>
    public static long StorageBytes(long numel, int bits, int bucketSize) =>
        (numel * bits + 7) / 8 + 8 * BlockwiseQuantization.BlockCount(numel, bucketSize);

    /// <summary>Quantizes a float32 tensor: packed codes (uint8), and δ and u (float32, one per bucket).</summary>
    public static (Tensor Codes, Tensor Minimum, Tensor Step) Quantize(Tensor x, int bits, int bucketSize)
    {
        CheckBits(bits);
        using var scope = DisposeScope.Enter();
        long n = x.NumberOfElements;
        long buckets = BlockwiseQuantization.BlockCount(n, bucketSize);
        Tensor flat = x.Reshape(-1);
        // Padding with the last value leaves the last bucket's minimum and maximum unchanged.
        if (buckets * bucketSize != n) flat = Tensor.Cat(new[] { flat, flat.Narrow(0, n - 1, 1).Expand(buckets * bucketSize - n) });
        Tensor b = flat.View(buckets, bucketSize);
        Tensor min = b.Amin(new long[] { 1 });
        Tensor step = b.Amax(new long[] { 1 }).Sub(min).Div_(Levels(bits));
        step = step.MaskedFill(step.Eq(0), 1.0);
        Tensor codes = b.Sub(min.Unsqueeze(1)).Div_(step.Unsqueeze(1)).Round_().Clamp_(0, Levels(bits)).Reshape(-1).Narrow(0, 0, n);
        return (Pack(codes, bits).MoveToOuterScope(), min.MoveToOuterScope(), step.MoveToOuterScope());
    }

    /// <summary>The float32 tensor of <paramref name="shape"/> the codes stand for: δ + code·u per bucket.</summary>
    public static Tensor Dequantize(Tensor codes, Tensor minimum, Tensor step, int bits, int bucketSize, long[] shape)
    {
        CheckBits(bits);
        using var scope = DisposeScope.Enter();
        long n = shape.Aggregate(1L, (a, s) => a * s);
        long buckets = minimum.NumberOfElements;
        Tensor values = Unpack(codes, bits, buckets * bucketSize).View(buckets, bucketSize);
        Tensor result = values.Mul_(step.Unsqueeze(1)).Add_(minimum.Unsqueeze(1)).Reshape(-1).Narrow(0, 0, n).Reshape(shape);
        return result.Contiguous().MoveToOuterScope();
    }

    private static double Levels(int bits) => (1 << bits) - 1;

    private static void CheckBits(int bits)
    {
        if (!IsSupportedBits(bits)) throw new ArgumentOutOfRangeException(nameof(bits), bits, "Codes pack into bytes only with 1, 2, 4 or 8 bits.");
    }

    /// <summary>Powers 2^(b·j), j &lt; 8/b: the weight of each code inside its byte.</summary>
    private static Tensor Places(int bits) =>
        Tensor.FromArray(Enumerable.Range(0, 8 / bits).Select(j => (float)(1 << (bits * j))).ToArray(), 8L / bits);

    /// <summary>Codes (float32 integers below 2^b) packed 8/b per byte.</summary>
    private static Tensor Pack(Tensor codes, int bits)
    {
        int perByte = 8 / bits;
        long n = codes.NumberOfElements;
        long bytes = (n + perByte - 1) / perByte;
        if (bytes * perByte != n) codes = Tensor.Cat(new[] { codes, Tensor.Zeros(new[] { bytes * perByte - n }) });
        return codes.View(bytes, perByte).Mul(Places(bits)).Sum(new long[] { 1 }).To(ScalarType.Byte);
    }

    /// <summary>The first <paramref name="count"/> codes, as float32, of bytes written by <see cref="Pack"/> (zeros past the end).</summary>
    private static Tensor Unpack(Tensor packed, int bits, long count)
    {
        Tensor codes = packed.Float().Unsqueeze(1).Div(Places(bits)).Floor_().Remainder(1 << bits).Reshape(-1);
        long n = codes.NumberOfElements;
        if (n >= count) return codes.Narrow(0, 0, count);
        return Tensor.Cat(new[] { codes, Tensor.Zeros(new[] { count - n }) });
    }
}
