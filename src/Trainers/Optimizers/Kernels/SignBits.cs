using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// A boolean mask (e.g. the sign of a momentum, true = positive) stored as one bit per element: element i is bit i mod 8
/// (least significant first) of byte i / 8 of a flat uint8 tensor. Eight times smaller than a bool tensor.
/// </summary>
public static class SignBits
{
    private static readonly float[] weights = { 1, 2, 4, 8, 16, 32, 64, 128 };

    /// <summary>Bytes needed for <paramref name="count"/> bits.</summary>
    public static long ByteCount(long count) => (count + 7) / 8;

    /// <summary>The bits of <paramref name="mask"/> (any shape, bool), packed into ⌈n/8⌉ bytes.</summary>
    public static Tensor Pack(Tensor mask)
    {
        using var scope = DisposeScope.Enter();
        long n = mask.NumberOfElements, bytes = ByteCount(n);
        Tensor bits = mask.Reshape(-1).To(ScalarType.Float32);
        if (bytes * 8 != n) bits = Tensor.Cat(new[] { bits, Tensor.Zeros(new[] { bytes * 8 - n }, device: mask.Device) });
        Tensor packed = bits.View(bytes, 8).Mul(Weights(mask.Device)).Sum(1).To(ScalarType.Byte);
        return packed.MoveToOuterScope();
    }

    /// <summary>The bool mask of <paramref name="shape"/> that <paramref name="packed"/> holds.</summary>
    public static Tensor Unpack(Tensor packed, long[] shape)
    {
        using var scope = DisposeScope.Enter();
        long n = shape.Aggregate(1L, (a, b) => a * b);
        Tensor bits = packed.To(ScalarType.Float32).Unsqueeze(1).Div(Weights(packed.Device)).Floor_().Remainder(2);
        Tensor mask = bits.Reshape(-1).Narrow(0, 0, n).Reshape(shape).Gt(0.5);
        return mask.MoveToOuterScope();
    }

    private static Tensor Weights(Device device) => Tensor.FromArray<float>(weights, new long[] { 8 }, device);
}
