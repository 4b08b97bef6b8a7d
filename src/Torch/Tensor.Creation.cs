using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

public partial class Tensor
{
    /// <summary>Copies managed data into a new tensor of the given shape (default: one dimension).</summary>
    public static unsafe Tensor FromArray<T>(ReadOnlySpan<T> data, long[]? shape = null, Device? device = null)
        where T : unmanaged
    {
        shape ??= new long[] { data.Length };
        long count = CheckShape(shape);
        if (count != data.Length)
            throw new ArgumentException(
                $"The data has {data.Length} elements but shape {FormatShape(shape)} needs {count}.", nameof(shape));
        Device d = device ?? Device.Cpu;
        fixed (T* p = data)
        fixed (long* s = shape)
            return Wrap(NativeMethods.tz_from_buffer(p, (int)ScalarTypes.Of<T>(), s, shape.Length, (int)d.Type, d.Index));
    }

    /// <summary>Copies a managed array into a new tensor of the given shape (default: one dimension).</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromArray<T>(data.AsSpan(), shape.Length == 0 ? null : shape);

    /// <summary>Copies a rectangular managed array into a tensor of the same shape.</summary>
    public static Tensor FromArray<T>(T[,] data) where T : unmanaged
    {
        var flat = new T[data.Length];
        int cols = data.GetLength(1);
        for (int i = 0; i < data.GetLength(0); i++)
            for (int j = 0; j < cols; j++)
                flat[i * cols + j] = data[i, j];
        return FromArray<T>(flat.AsSpan(), new long[] { data.GetLength(0), cols });
    }

    /// <summary>A zero-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        Full(Array.Empty<long>(), value, dtype, device);

    /// <summary>Uninitialized memory of the given shape.</summary>
    public static unsafe Tensor Empty(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        CheckShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(NativeMethods.tz_empty(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static unsafe Tensor Full(long[] shape, double value, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        CheckShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(NativeMethods.tz_full(s, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Zeros(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) => Full(shape, 0, dtype, device);

    public static Tensor Ones(long[] shape, ScalarType dtype = ScalarType.Float32, Device? device = null) => Full(shape, 1, dtype, device);

    public static Tensor Zeros(params long[] shape) => Full(shape, 0);

    public static Tensor Ones(params long[] shape) => Full(shape, 1);

    /// <summary>Values from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive) in steps.</summary>
    public static Tensor Arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (step == 0) throw new ArgumentOutOfRangeException(nameof(step), "Arange step must not be zero.");
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.tz_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>The integers 0 .. <paramref name="end"/> − 1 as int64.</summary>
    public static Tensor Arange(long end) => Arange(0, end, 1, ScalarType.Int64);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end, both included.</summary>
    public static Tensor Linspace(double start, double end, long steps, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), steps, "Linspace needs a non-negative number of steps.");
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.tz_linspace(start, end, steps, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>An n×m matrix with ones on the diagonal (m defaults to n).</summary>
    public static Tensor Eye(long n, long? m = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.tz_eye(n, m ?? n, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public static unsafe Tensor Rand(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        CheckShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* s = shape)
            return Wrap(NativeMethods.tz_random(0, s, shape.Length, (int)dtype, (int)d.Type, d.Index, Generator.HandleOf(generator)), generator);
    }

    /// <summary>Standard normal samples.</summary>
    public static unsafe Tensor Randn(long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        CheckShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* s = shape)
            return Wrap(NativeMethods.tz_random(1, s, shape.Length, (int)dtype, (int)d.Type, d.Index, Generator.HandleOf(generator)), generator);
    }

    public static Tensor Rand(params long[] shape) => Rand(shape, null);

    public static Tensor Randn(params long[] shape) => Randn(shape, null);

    /// <summary>Integers uniformly drawn from [low, high).</summary>
    public static unsafe Tensor RandInt(long low, long high, long[] shape, Generator? generator = null, ScalarType dtype = ScalarType.Int64, Device? device = null)
    {
        if (high <= low) throw new ArgumentOutOfRangeException(nameof(high), high, $"RandInt needs high > low (low = {low}).");
        CheckShape(shape);
        Device d = device ?? Device.Cpu;
        fixed (long* s = shape)
            return Wrap(NativeMethods.tz_randint(low, high, s, shape.Length, (int)dtype, (int)d.Type, d.Index, Generator.HandleOf(generator)), generator);
    }

    /// <summary>A random permutation of 0 .. n − 1 (int64).</summary>
    public static Tensor RandPerm(long n, Generator? generator = null, Device? device = null)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "RandPerm needs a non-negative n.");
        Device d = device ?? Device.Cpu;
        return Wrap(NativeMethods.tz_randperm(n, (int)d.Type, d.Index, Generator.HandleOf(generator)), generator);
    }

    public Tensor EmptyLike(ScalarType? dtype = null) => Wrap(NativeMethods.tz_like(Handle, 0, dtype is null ? -1 : (int)dtype), this);
    public Tensor ZerosLike(ScalarType? dtype = null) => Wrap(NativeMethods.tz_like(Handle, 1, dtype is null ? -1 : (int)dtype), this);
    public Tensor OnesLike(ScalarType? dtype = null) => Wrap(NativeMethods.tz_like(Handle, 2, dtype is null ? -1 : (int)dtype), this);
    public Tensor RandLike() => Wrap(NativeMethods.tz_like(Handle, 3, -1), this);
    public Tensor RandnLike() => Wrap(NativeMethods.tz_like(Handle, 4, -1), this);

    /// <summary>Fills in place with uniform samples from [from, to). Returns this tensor.</summary>
    public Tensor Uniform_(double from = 0, double to = 1, Generator? generator = null)
    {
        Check(NativeMethods.tz_random_(Handle, 0, from, to, Generator.HandleOf(generator)), this, generator);
        return this;
    }

    /// <summary>Fills in place with normal samples. Returns this tensor.</summary>
    public Tensor Normal_(double mean = 0, double std = 1, Generator? generator = null)
    {
        if (std < 0) throw new ArgumentOutOfRangeException(nameof(std), std, "Normal_ needs a non-negative standard deviation.");
        Check(NativeMethods.tz_random_(Handle, 1, mean, std, Generator.HandleOf(generator)), this, generator);
        return this;
    }

    /// <summary>Fills in place with Bernoulli(p) samples (0 or 1). Returns this tensor.</summary>
    public Tensor Bernoulli_(double p, Generator? generator = null)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Bernoulli_ needs p in [0, 1].");
        Check(NativeMethods.tz_random_(Handle, 2, p, 0, Generator.HandleOf(generator)), this, generator);
        return this;
    }

    private static long CheckShape(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (long s in shape)
        {
            if (s < 0) throw new ArgumentException($"Shape {FormatShape(shape)} has a negative size.", nameof(shape));
            count *= s;
        }
        return count;
    }

    // ---- data out ------------------------------------------------------------------------------

    /// <summary>Copies the elements (row-major) into a new managed array; <typeparamref name="T"/> must match <see cref="Dtype"/>.</summary>
    public unsafe T[] ToArray<T>() where T : unmanaged
    {
        ScalarType want = ScalarTypes.Of<T>();
        ScalarType have = Dtype;
        if (want != have)
            throw new InvalidOperationException($"The tensor holds {have} elements; ToArray<{typeof(T).Name}> reads {want}. Convert with To({want}) first.");
        var result = new T[NumberOfElements];
        fixed (T* p = result)
            Check(NativeMethods.tz_copy_to_buffer(Handle, p, (long)result.Length * sizeof(T)), this);
        return result;
    }

    /// <summary>Overwrites the elements from managed data; <typeparamref name="T"/> must match <see cref="Dtype"/>.</summary>
    public unsafe void CopyFrom<T>(ReadOnlySpan<T> data) where T : unmanaged
    {
        ScalarType want = ScalarTypes.Of<T>();
        if (want != Dtype)
            throw new InvalidOperationException($"The tensor holds {Dtype} elements but the data is {want}.");
        fixed (T* p = data)
            Check(NativeMethods.tz_copy_from_buffer(Handle, p, (long)data.Length * sizeof(T)), this);
    }

    /// <summary>Copies the raw elements (row-major, native byte order) into <paramref name="destination"/>, which must be exactly <see cref="ByteCount"/> long.</summary>
    public unsafe void CopyTo(Span<byte> destination)
    {
        fixed (byte* p = destination)
            Check(NativeMethods.tz_copy_to_buffer(Handle, p, destination.Length), this);
    }

    /// <summary>A new tensor from raw little-endian elements of the given type and shape.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> data, ScalarType dtype, long[] shape, Device? device = null)
    {
        long count = CheckShape(shape);
        if (count * dtype.ElementSize() != data.Length)
            throw new ArgumentException($"{data.Length} bytes cannot hold a {dtype} tensor of shape {FormatShape(shape)}.", nameof(data));
        Device d = device ?? Device.Cpu;
        fixed (byte* p = data)
        fixed (long* s = shape)
            return Wrap(NativeMethods.tz_from_buffer(p, (int)dtype, s, shape.Length, (int)d.Type, d.Index));
    }

    /// <summary>The value of a one-element tensor, as a double.</summary>
    public double Item()
    {
        Check(NativeMethods.tz_item(Handle, out double v), this);
        return v;
    }

    /// <summary>The value of a one-element integer tensor, exactly.</summary>
    public long ItemInt64()
    {
        Check(NativeMethods.tz_item_int64(Handle, out long v), this);
        return v;
    }

    /// <summary>The value of a one-element tensor as a float.</summary>
    public float ItemSingle() => (float)Item();

    /// <summary>True when both tensors have the same shape, dtype and elements.</summary>
    public bool Equal(Tensor other)
    {
        int r = NativeMethods.tz_equal(Handle, other.Handle);
        Check(r, this, other);
        return r == 1;
    }

    /// <summary>|this − other| ≤ atol + rtol·|other| elementwise, as torch.allclose.</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false)
    {
        int r = NativeMethods.tz_allclose(Handle, other.Handle, rtol, atol, equalNan ? 1 : 0);
        Check(r, this, other);
        return r == 1;
    }
}
