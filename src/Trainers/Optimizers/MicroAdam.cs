using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// MicroAdam (Modoranu et al., "MicroAdam: Accurate Adaptive Optimization with Low Space Overhead and Provable
/// Convergence", NeurIPS 2024, arXiv 2405.15593). Adam's moments are never stored: each step keeps only the top-k
/// coordinates of the error-corrected gradient in a ring buffer of the last m steps and rebuilds m̂, v̂ from it, and the
/// coordinates it drops are fed back (compressed) into the next step:
/// <code>
/// a = g + Q⁻¹(e)                                  error feedback (e = 0 at the first step)
/// I = top-k indices of |a|, V = a[I]              k = ⌈density·n⌉ (at least 1), per tensor
/// e ← Q(a with a[I] = 0)                          b-bit, min/max per bucket (<see cref="UniformQuantization"/>)
/// window[(t−1) mod m] ← (I, V)
/// c = min(t, m);  age of a slot = steps since it was written (0 = this step)
/// m̂ = (1−β1)/(1−β1^c) · Σ_slots β1^age · scatter(I, V)
/// v̂ = (1−β2)/(1−β2^c) · Σ_slots β2^age · scatter(I, V²)
/// θ ← θ·(1 − ηλ) − η·m̂/(√v̂ + ε)
/// </code>
/// Bias correction: the window's weights sum to 1 − β^c, so we divide by that (m̂, v̂ are then weighted averages of the
/// stored values, Adam's own correction for t ≤ m); the paper's box writes its correction with the step count, which for
/// t ≫ m would shrink v̂ by ≈ m(1−β2) — UNCERTAIN which one the official kernels use. Defaults (paper): η = 1e-3,
/// β = (0.9, 0.999), ε = 1e-8, λ = 0 (decoupled), density 1 %, m = 10, 4-bit error feedback. Our bucket size 2048 is our
/// choice (the official code takes it as a required argument). State per parameter: the packed error (b/8 bytes, or 4
/// unquantized) + 8 bytes per bucket, plus the window: m·k indices (int32) and values (float32), 8·m·density bytes;
/// ≈ 1.3 B/param at the defaults (the paper's ≈ 0.9 stores int16 indices and bfloat16 values).
/// </summary>
public sealed record MicroAdamOptions : AdaptiveMomentOptions
{
    public MicroAdamOptions() => LearningRate = 1e-3;

    /// <summary>Fraction of each tensor's coordinates kept per step (the paper's k = 1 %), in (0, 1].</summary>
    public double Density { get; init => field = value is > 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Density), value, "Density must be in (0, 1]."); } = 0.01;

    /// <summary>m: sparse gradients kept in the sliding window.</summary>
    public int WindowSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(WindowSize)); } = 10;

    /// <summary>Store the error feedback quantized to <see cref="ErrorBits"/> bits (the paper's); false keeps it in float32.</summary>
    public bool QuantizeErrorFeedback { get; init; } = true;

    /// <summary>Bits per error-feedback code: 1, 2, 4 (the paper's) or 8.</summary>
    public int ErrorBits
    {
        get;
        init => field = UniformQuantization.IsSupportedBits(value) ? value : throw new ArgumentOutOfRangeException(nameof(ErrorBits), value, "ErrorBits must be 1, 2, 4 or 8.");
    } = 4;

    /// <summary>Elements per quantization bucket (one minimum and one step each).</summary>
    public int QuantizationBucketSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(QuantizationBucketSize)); } = 2048;

    public override string Name => "microadam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new MicroAdam(this, groups);

    /// <summary>k for a tensor of <paramref name="numel"/> elements.</summary>
    public long TopK(long numel) => Math.Clamp((long)Math.Ceiling(Density * numel), 1, numel);
}

/// <summary>MicroAdam; see <see cref="MicroAdamOptions"/>.</summary>
public sealed class MicroAdam : ParameterwiseOptimizer<MicroAdamOptions>
{
    public MicroAdam(MicroAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, MicroAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        long n = p.NumberOfElements, k = o.TopK(n);
        int m = o.WindowSize;
        Tensor a = grad.Reshape(-1).Float().Clone();
        if (LoadError(state, o, p) is { } error) a.Add_(error.Reshape(-1));
        var (_, indices) = a.Abs().TopK(k);
        Tensor values = a.Gather(0, indices);
        a = a.Scatter(0, indices, values.ZerosLike());
        StoreError(state, o, a);

        Tensor windowIndices = state.GetOrCreate("window.indices", () => Tensor.Zeros(new[] { (long)m, k }, ScalarType.Int32));
        Tensor windowValues = state.GetOrCreate("window.values", () => Tensor.Zeros(new[] { (long)m, k }));
        long slot = (state.Step - 1) % m;
        windowIndices.Select(0, slot).Copy_(indices);
        windowValues.Select(0, slot).Copy_(values);

        long count = Math.Min(state.Step, m);
        Tensor flatIndices = windowIndices.Reshape(-1).Long();
        Tensor mHat = WindowSum(flatIndices, windowValues, AgeWeights(o.Beta1, slot, count, m), n).Mul_((1 - o.Beta1) / AdamMoments.BiasCorrection(o.Beta1, count));
        Tensor vHat = WindowSum(flatIndices, windowValues.Square(), AgeWeights(o.Beta2, slot, count, m), n).Mul_((1 - o.Beta2) / AdamMoments.BiasCorrection(o.Beta2, count));

        double lr = group.LearningRate;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Addcdiv_(mHat.View(p.Shape), vHat.Sqrt_().Add_(o.Eps).View(p.Shape), -lr);
    }

    /// <summary>β^age for each window slot (0 for slots not written yet), as a (m, 1) column.</summary>
    private static Tensor AgeWeights(double beta, long slot, long count, int m)
    {
        var w = new float[m];
        for (int j = 0; j < m; j++)
        {
            long age = ((slot - j) % m + m) % m;
            w[j] = age < count ? (float)Math.Pow(beta, age) : 0f;
        }
        return Tensor.FromArray(w, m, 1L);
    }

    /// <summary>Σ_slots w_slot·scatter(I_slot, X_slot) into a dense vector of <paramref name="n"/> elements.</summary>
    private static Tensor WindowSum(Tensor flatIndices, Tensor windowValues, Tensor weights, long n) =>
        Tensor.Zeros(n).ScatterAdd(0, flatIndices, windowValues.Mul(weights).Reshape(-1));

    private static Tensor? LoadError(ParameterState state, MicroAdamOptions o, Parameter p)
    {
        if (!o.QuantizeErrorFeedback) return state.TryGet("error", out Tensor e) ? e : null;
        if (!state.TryGet("error.codes", out Tensor codes)) return null;
        return UniformQuantization.Dequantize(codes, state.Get("error.min"), state.Get("error.step"), o.ErrorBits, o.QuantizationBucketSize, p.Shape);
    }

    private static void StoreError(ParameterState state, MicroAdamOptions o, Tensor error)
    {
        if (!o.QuantizeErrorFeedback)
        {
            state.GetOrCreate("error", () => error.ZerosLike()).Copy_(error);
            return;
        }
        var (codes, min, step) = UniformQuantization.Quantize(error, o.ErrorBits, o.QuantizationBucketSize);
        state.Set("error.codes", codes);
        state.Set("error.min", min);
        state.Set("error.step", step);
    }
}
