namespace TorchZoo.Torch;

/// <summary>Element types, numbered as libtorch's <c>c10::ScalarType</c>.</summary>
public enum ScalarType
{
    Byte = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    ComplexFloat32 = 9,
    ComplexFloat64 = 10,
    Bool = 11,
    BFloat16 = 15,
}

/// <summary>Sizes of element types and their mapping to CLR types.</summary>
public static class ScalarTypes
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown scalar type."),
    };

    /// <summary>True for floating-point element types (the ones autograd can differentiate).</summary>
    public static bool IsFloatingPoint(this ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    /// <summary>The element type that stores values of the CLR type <typeparamref name="T"/>.</summary>
    public static ScalarType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(short)) return ScalarType.Int16;
        if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
        if (typeof(T) == typeof(byte)) return ScalarType.Byte;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        if (typeof(T) == typeof(Half)) return ScalarType.Float16;
        if (typeof(T) == typeof(BFloat16)) return ScalarType.BFloat16;
        throw new NotSupportedException($"No tensor element type stores values of {typeof(T).Name}.");
    }
}
