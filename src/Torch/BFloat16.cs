namespace TorchZoo.Torch;

/// <summary>
/// The brain floating-point format (1 sign, 8 exponent, 7 mantissa bits): the upper half of a float32.
/// Conversion from float rounds to nearest even, as libtorch does.
/// </summary>
public readonly struct BFloat16 : IEquatable<BFloat16>
{
    /// <summary>The raw 16 bits.</summary>
    public ushort Bits { get; }

    private BFloat16(ushort bits) => Bits = bits;

    public static BFloat16 FromBits(ushort bits) => new(bits);

    public static explicit operator BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return new BFloat16(0x7FC0);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return new BFloat16((ushort)((bits + roundingBias) >> 16));
    }

    public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    public bool Equals(BFloat16 other) => Bits == other.Bits;
    public override bool Equals(object? obj) => obj is BFloat16 other && Equals(other);
    public override int GetHashCode() => Bits;
    public override string ToString() => ((float)this).ToString();
}
