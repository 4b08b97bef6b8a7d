using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch.NN;

/// <summary>How a loss reduces its per-element values.</summary>
public enum Reduction
{
    None = 0,
    Mean = 1,
    Sum = 2,
}

/// <summary>How <see cref="Functional.Interpolate"/> resamples (PyTorch's interpolate modes).</summary>
public enum InterpolationMode
{
    /// <summary>PyTorch's "nearest": source index floor(dst · in/out).</summary>
    Nearest = 0,

    /// <summary>"linear", "bilinear" or "trilinear" by the number of spatial dimensions.</summary>
    Linear = 1,

    /// <summary>"bicubic" (4-D input only).</summary>
    Cubic = 2,

    /// <summary>"area": adaptive average pooling.</summary>
    Area = 3,
}

/// <summary>Stateless neural-network operations (PyTorch's <c>torch.nn.functional</c>).</summary>
public static unsafe class Functional
{
    /// <summary>x·Wᵀ + b, with the bias fused into the GEMM.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) =>
        Tensor.Wrap(NativeMethods.tz_linear(input.Handle, weight.Handle, Tensor.HandleOf(bias)), input, weight, bias);

    /// <summary>Normalizes over the trailing <paramref name="normalizedShape"/> dimensions.</summary>
    public static Tensor LayerNorm(Tensor input, long[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        fixed (long* s = normalizedShape)
            return Tensor.Wrap(NativeMethods.tz_layer_norm(input.Handle, s, normalizedShape.Length, Tensor.HandleOf(weight), Tensor.HandleOf(bias), eps), input, weight, bias);
    }

    /// <summary>
    /// Batch normalization over dimension 1 of (B, C, …). When <paramref name="training"/> the batch's statistics
    /// normalize and the running ones, if given, move toward them by <paramref name="momentum"/> (in place; the running
    /// variance is the unbiased one, as PyTorch's); otherwise the running statistics normalize.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum = 0.1, double eps = 1e-5)
    {
        IntPtr result = NativeMethods.tz_batch_norm(input.Handle, Tensor.HandleOf(weight), Tensor.HandleOf(bias),
            Tensor.HandleOf(runningMean), Tensor.HandleOf(runningVar), training ? 1 : 0, momentum, eps);
        GC.KeepAlive(runningMean);
        GC.KeepAlive(runningVar);
        return Tensor.Wrap(result, input, weight, bias);
    }

    public static Tensor Relu(Tensor input) => input.Relu();
    public static Tensor Gelu(Tensor input, bool tanhApproximation = false) => input.Gelu(tanhApproximation);
    public static Tensor Silu(Tensor input) => input.Silu();
    public static Tensor Tanh(Tensor input) => input.Tanh();
    public static Tensor Sigmoid(Tensor input) => input.Sigmoid();

    public static Tensor Softmax(Tensor input, long dim) => Tensor.Wrap(NativeMethods.tz_softmax(0, input.Handle, dim), input);
    public static Tensor LogSoftmax(Tensor input, long dim) => Tensor.Wrap(NativeMethods.tz_softmax(1, input.Handle, dim), input);

    /// <summary>Zeroes elements with probability p and scales the rest by 1/(1−p) when training; identity otherwise.</summary>
    public static Tensor Dropout(Tensor input, double p, bool training)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
        return Tensor.Wrap(NativeMethods.tz_dropout(input.Handle, p, training ? 1 : 0), input);
    }

    /// <summary>2-D convolution over (N, C, H, W) input.</summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, (long H, long W)? stride = null,
        (long H, long W)? padding = null, (long H, long W)? dilation = null, long groups = 1)
    {
        var s = stride ?? (1, 1);
        var p = padding ?? (0, 0);
        var d = dilation ?? (1, 1);
        long* sv = stackalloc long[] { s.H, s.W };
        long* pv = stackalloc long[] { p.H, p.W };
        long* dv = stackalloc long[] { d.H, d.W };
        return Tensor.Wrap(NativeMethods.tz_conv2d(input.Handle, weight.Handle, Tensor.HandleOf(bias), sv, pv, dv, groups), input, weight, bias);
    }

    public static Tensor MaxPool2d(Tensor input, (long H, long W) kernel, (long H, long W)? stride = null, (long H, long W)? padding = null) =>
        Pool(0, input, kernel, stride ?? kernel, padding ?? (0, 0));

    public static Tensor AvgPool2d(Tensor input, (long H, long W) kernel, (long H, long W)? stride = null, (long H, long W)? padding = null) =>
        Pool(1, input, kernel, stride ?? kernel, padding ?? (0, 0));

    private static Tensor Pool(int kind, Tensor input, (long H, long W) k, (long H, long W) s, (long H, long W) p)
    {
        long* kv = stackalloc long[] { k.H, k.W };
        long* sv = stackalloc long[] { s.H, s.W };
        long* pv = stackalloc long[] { p.H, p.W };
        return Tensor.Wrap(NativeMethods.tz_pool2d(kind, input.Handle, kv, sv, pv), input);
    }

    /// <summary>Rows of <paramref name="weight"/> picked by integer <paramref name="indices"/>.</summary>
    public static Tensor Embedding(Tensor indices, Tensor weight) =>
        Tensor.Wrap(NativeMethods.tz_embedding(weight.Handle, indices.Handle), indices, weight);

    /// <summary>Cross-entropy of logits (N, C) against class indices (N), with optional class weights and label smoothing.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
        long ignoreIndex = -100, double labelSmoothing = 0)
    {
        if (labelSmoothing is < 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1].");
        return Tensor.Wrap(NativeMethods.tz_cross_entropy(logits.Handle, target.Handle, Tensor.HandleOf(weight), (int)reduction, ignoreIndex, labelSmoothing), logits, target, weight);
    }

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => Loss(0, input, target, reduction, 0);
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => Loss(1, input, target, reduction, 0);

    public static Tensor SmoothL1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
    {
        if (beta < 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "SmoothL1 beta must be non-negative.");
        return Loss(2, input, target, reduction, beta);
    }

    public static Tensor HuberLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
    {
        if (delta <= 0) throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber delta must be positive.");
        return Loss(3, input, target, reduction, delta);
    }

    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Loss(4, input, target, reduction, 0);

    private static Tensor Loss(int kind, Tensor input, Tensor target, Reduction reduction, double param) =>
        Tensor.Wrap(NativeMethods.tz_loss(kind, input.Handle, target.Handle, (int)reduction, param), input, target);

    /// <summary>
    /// softmax(Q·Kᵀ·scale + mask)·V over (..., L, E) queries and (..., S, E) keys. A boolean mask keeps
    /// positions where it is true; a float mask is added to the scores. Scale defaults to 1/√E.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attentionMask = null,
        double dropoutP = 0, bool isCausal = false, double? scale = null)
    {
        if (dropoutP is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(dropoutP), dropoutP, "Attention dropout must be in [0, 1].");
        if (scale is <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Attention scale must be positive.");
        return Tensor.Wrap(NativeMethods.tz_sdpa(query.Handle, key.Handle, value.Handle, Tensor.HandleOf(attentionMask), dropoutP, isCausal ? 1 : 0, scale ?? 0),
            query, key, value);
    }

    /// <summary>
    /// Multi-head self-attention from one fused projection: <paramref name="qkv"/> is (B, N, 3D), each token's D query,
    /// D key and D value features in that order, each split head-major into <paramref name="heads"/> heads (timm's qkv
    /// layout). Returns softmax(Q·Kᵀ·scale)·V with the heads merged back, (B, N, D): what
    /// <see cref="ScaledDotProductAttention"/> gives on the head views, transposed to (B, N, H, hd) and reshaped.
    /// Scale defaults to 1/√(D/heads). For float32 and float64 CPU input the heads run in parallel, each with
    /// single-threaded GEMMs over the qkv rows in place, forward and backward; other inputs take the equivalent
    /// tensor-op path.
    /// </summary>
    public static Tensor PackedSelfAttention(Tensor qkv, long heads, double? scale = null)
    {
        if (heads <= 0) throw new ArgumentOutOfRangeException(nameof(heads), heads, "The head count must be positive.");
        if (scale is <= 0) throw new ArgumentOutOfRangeException(nameof(scale), scale, "Attention scale must be positive.");
        return Tensor.Wrap(NativeMethods.tz_packed_attention(qkv.Handle, heads, scale ?? 0), qkv);
    }

    /// <summary>
    /// Resamples (N, C, W), (N, C, H, W) or (N, C, D, H, W) input to the spatial <paramref name="size"/>, as
    /// torch.nn.functional.interpolate(input, size, mode, align_corners) without antialiasing.
    /// <paramref name="alignCorners"/> applies to the linear and cubic modes only (PyTorch's default: false).
    /// </summary>
    public static Tensor Interpolate(Tensor input, long[] size, InterpolationMode mode = InterpolationMode.Nearest, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(size);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown interpolation mode.");
        if (alignCorners && mode is InterpolationMode.Nearest or InterpolationMode.Area)
            throw new ArgumentException($"alignCorners applies to the linear and cubic modes, not {mode}.", nameof(alignCorners));
        foreach (long s in size)
            if (s <= 0) throw new ArgumentOutOfRangeException(nameof(size), s, "Interpolation output sizes must be positive.");
        fixed (long* p = size)
            return Tensor.Wrap(NativeMethods.tz_interpolate(input.Handle, p, size.Length, (int)mode, alignCorners ? 1 : 0), input);
    }

    /// <summary>
    /// Short-time Fourier transform of a (B, T) or (T) signal: complex (…, nFft/2+1, frames). Hann window
    /// of <paramref name="winLength"/> by default; centred frames use reflect padding, as torch.stft.
    /// </summary>
    public static Tensor Stft(Tensor signal, long nFft, long? hopLength = null, long? winLength = null, Tensor? window = null,
        bool center = true, bool normalized = false)
    {
        if (nFft <= 0) throw new ArgumentOutOfRangeException(nameof(nFft), nFft, "The FFT size must be positive.");
        long win = winLength ?? nFft;
        long hop = hopLength ?? nFft / 4;
        if (win <= 0 || win > nFft) throw new ArgumentOutOfRangeException(nameof(winLength), win, $"The window length must be in 1..{nFft}.");
        if (hop <= 0) throw new ArgumentOutOfRangeException(nameof(hopLength), hop, "The hop length must be positive.");
        return Tensor.Wrap(NativeMethods.tz_stft(signal.Handle, nFft, hop, win, Tensor.HandleOf(window), center ? 1 : 0, normalized ? 1 : 0), signal, window);
    }
}
