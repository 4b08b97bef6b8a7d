using TorchZoo.Torch;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// 8-bit block-wise quantization of optimizer states (Dettmers et al., arXiv 2110.02861). The flattened tensor is cut
/// into blocks (2048 elements by default); each block is divided by its absolute maximum and every value is replaced
/// by the index of the nearest entry of a 256-entry <em>dynamic</em> quantization map (ties go to the lower entry).
/// <para>
/// The map follows the paper's dynamic data type: after the sign bit, a run of E zero bits gives the exponent
/// (magnitude 10^−E, E = 0…6), a one bit ends it and the remaining f bits are a linear fraction in [0.1, 1]; each
/// code stands for the middle of its fraction interval: ±10^−E·(0.1 + 0.9·(2k+1)/2^(f+1)), k &lt; 2^f, with
/// f = 6 − E (signed map, 127 values per sign) or f = 7 − E (unsigned map, 254 values), plus 0 and 1. This is our
/// construction from the paper's description, not bitsandbytes' table (whose values differ slightly).
/// </para>
/// </summary>
public static class BlockwiseQuantization
{
    /// <summary>The paper's block size.</summary>
    public const int DefaultBlockSize = 2048;

    private static readonly float[] signedMap = BuildMap(signed: true);
    private static readonly float[] unsignedMap = BuildMap(signed: false);

    /// <summary>The 256 values of the dynamic map in ascending order (signed for first moments, unsigned for second moments).</summary>
    public static IReadOnlyList<float> Map(bool signed) => signed ? signedMap : unsignedMap;

    private static float[] BuildMap(bool signed)
    {
        var values = new List<double> { 0.0, 1.0 };
        for (int e = 0; e <= 6; e++)
        {
            int fractionBits = (signed ? 6 : 7) - e;
            double scale = 1;
            for (int i = 0; i < e; i++) scale *= 10;
            long count = 1L << fractionBits;
            for (long k = 0; k < count; k++)
            {
                double value = (0.1 + 0.9 * (2 * k + 1) / (2.0 * count)) / scale;
                values.Add(value);
                if (signed) values.Add(-value);
            }
        }
        if (values.Count != 256) throw new InvalidOperationException($"The dynamic map has {values.Count} entries, not 256.");
        return values.Select(v => (float)v).OrderBy(v => v).ToArray();
    }

    /// <summary>Midpoints between neighbouring map entries, computed in float32 ((a + b)/2).</summary>
    private static float[] Midpoints(float[] map)
    {
        var mid = new float[map.Length - 1];
        for (int i = 0; i < mid.Length; i++) mid[i] = (map[i] + map[i + 1]) / 2f;
        return mid;
    }

    private static readonly float[] signedMid = Midpoints(signedMap);
    private static readonly float[] unsignedMid = Midpoints(unsignedMap);

    /// <summary>Bytes stored for a tensor of <paramref name="numel"/> elements: one code each plus a float32 absmax per block.</summary>
    public static long StorageBytes(long numel, int blockSize) => numel + 4 * BlockCount(numel, blockSize);

    public static long BlockCount(long numel, int blockSize) => (numel + blockSize - 1) / blockSize;

    /// <summary>Quantizes a float32 tensor: codes (uint8, flattened, one per element) and absmax (float32, one per block).</summary>
    public static (Tensor Codes, Tensor Absmax) Quantize(Tensor x, bool signed, int blockSize = DefaultBlockSize)
    {
        using var scope = DisposeScope.Enter();
        long n = x.NumberOfElements;
        long blocks = BlockCount(n, blockSize);
        Tensor flat = x.Reshape(-1);
        if (blocks * blockSize != n) flat = Tensor.Cat(new[] { flat, Tensor.Zeros(new[] { blocks * blockSize - n }) });
        Tensor b = flat.View(blocks, blockSize);
        Tensor absmax = b.Abs().Amax(new long[] { 1 });
        Tensor safe = absmax.MaskedFill(absmax.Eq(0), 1.0);
        Tensor normalized = b.Div(safe.Unsqueeze(1)).Reshape(-1);

        // Binary search for the number of midpoints below each value: the index of the nearest map entry.
        using Tensor mid = Tensor.FromArray(signed ? signedMid : unsignedMid, (long)signedMid.Length);
        Tensor index = normalized.ZerosLike(ScalarType.Int64);
        for (long step = 128; step >= 1; step /= 2)
        {
            Tensor candidate = index.Add(step);
            Tensor below = mid.IndexSelect(0, candidate.Sub(1)).Lt(normalized);
            index = Tensor.Where(below, candidate, index);
        }
        Tensor codes = index.Narrow(0, 0, n).To(ScalarType.Byte);
        return (codes.MoveToOuterScope(), absmax.MoveToOuterScope());
    }

    /// <summary>The float32 tensor of <paramref name="shape"/> the codes stand for: map[code]·absmax of the block.</summary>
    public static Tensor Dequantize(Tensor codes, Tensor absmax, bool signed, long[] shape, int blockSize = DefaultBlockSize)
    {
        using var scope = DisposeScope.Enter();
        long n = codes.NumberOfElements;
        long blocks = absmax.NumberOfElements;
        using Tensor map = Tensor.FromArray(signed ? signedMap : unsignedMap, 256L);
        Tensor values = map.IndexSelect(0, codes.Long());
        if (blocks * blockSize != n) values = Tensor.Cat(new[] { values, Tensor.Zeros(new[] { blocks * blockSize - n }) });
        Tensor result = values.View(blocks, blockSize).Mul(absmax.Unsqueeze(1)).Reshape(-1).Narrow(0, 0, n).Reshape(shape);
        return result.Contiguous().MoveToOuterScope();
    }
}

/// <summary>
/// A moment buffer kept in 8-bit block-wise form in a <see cref="ParameterState"/> (entries <c>{name}.codes</c> and
/// <c>{name}.absmax</c>): <see cref="Load"/> gives a float32 working copy, <see cref="Store"/> requantizes it.
/// </summary>
public static class QuantizedState
{
    /// <summary>The dequantized buffer (zeros the first time), a temporary of the parameter's shape.</summary>
    public static Tensor Load(ParameterState state, string name, Tensor parameter, bool signed, int blockSize)
    {
        if (!state.TryGet(name + ".codes", out Tensor codes)) return parameter.ZerosLike(ScalarType.Float32);
        return BlockwiseQuantization.Dequantize(codes, state.Get(name + ".absmax"), signed, parameter.Shape, blockSize);
    }

    /// <summary>Requantizes <paramref name="value"/> into the state (replacing the previous codes).</summary>
    public static void Store(ParameterState state, string name, Tensor value, bool signed, int blockSize)
    {
        var (codes, absmax) = BlockwiseQuantization.Quantize(value, signed, blockSize);
        state.Set(name + ".codes", codes);
        state.Set(name + ".absmax", absmax);
    }

    /// <summary>Whether <paramref name="options"/> store the buffers of <paramref name="parameter"/> in 8 bits.</summary>
    public static bool Applies(IQuantizedStateOptions options, Tensor parameter) =>
        options.StateDtype == OptimizerStateDtype.Int8Blockwise && parameter.NumberOfElements >= options.MinQuantizedSize;

    /// <summary>
    /// The buffer <paramref name="name"/> to update in place: a dequantized working copy when <see cref="Applies"/>
    /// (write it back with <see cref="SaveBuffer"/>), otherwise the float32 state tensor itself (zeros the first time).
    /// </summary>
    public static Tensor LoadBuffer(ParameterState state, string name, Tensor parameter, bool signed, IQuantizedStateOptions options) =>
        Applies(options, parameter)
            ? Load(state, name, parameter, signed, options.QuantizationBlockSize)
            : state.GetOrCreate(name, () => parameter.ZerosLike());

    /// <summary>Requantizes a buffer from <see cref="LoadBuffer"/> into the state; nothing to do for a float32 buffer.</summary>
    public static void SaveBuffer(ParameterState state, string name, Tensor value, Tensor parameter, bool signed, IQuantizedStateOptions options)
    {
        if (Applies(options, parameter)) Store(state, name, value, signed, options.QuantizationBlockSize);
    }
}
