using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SMMF (Park &amp; Lee, "SMMF: Square-Matricized Momentum Factorization for Memory-Efficient Optimization", AAAI 2025,
/// arXiv 2412.08894), as the official code (eai-lab/SMMF). Each tensor of n elements is viewed as the near-square
/// matrix (n/d, d), d the largest divisor of n not above √n, and both moments are kept as rank-1 non-negative factors:
/// <code>
/// decompress: M̂ = S ⊙ (r_M·c_Mᵀ)  (S = ±1 from the 1-bit sign matrix),  V̂ = r_V·c_Vᵀ
/// β1,t = β1·λ^(t−1);  β2,t = 1 − t^γ
/// M = β1,t·M̂ + (1−β1,t)·G;  V = β2,t·V̂ + (1−β2,t)·G²
/// compress:   S = [M &gt; 0];  |M| and V → row sums r and column sums c, c divided by its sum (rank-1 NNMF)
/// θ ← θ·(1 − ηλ) − η·M/(√V + ε)      (the uncompressed M and V of this step; no bias correction)
/// </code>
/// Vectors are square-matricized too (<see cref="VectorReshape"/>); with it off they keep full M and V.
/// <see cref="Beta1"/> = 0 drops the first moment (update G/(√V + ε), no M state: the official β = None).
/// Defaults (official code): η = 1e-3, β1 = 0.9, λ = 0.999 (growth rate), γ = −0.5 (decay rate), ε = 1e-8,
/// weight decay 0 (decoupled; <see cref="DecoupledWeightDecay"/> = false adds λθ to G instead).
/// State: 8(n/d + d) bytes of factors plus ⌈n/8⌉ bytes of signs per tensor — ≈ 0.125 bytes/parameter.
/// The sign matrix is stored as packed bits (<see cref="SignBits"/>); the official code keeps a bool byte per element.
/// </summary>
public sealed record SmmfOptions : OptimizerOptions
{
    public SmmfOptions() => LearningRate = 1e-3;

    /// <summary>β1, the first moment's base rate; 0 turns the first moment off.</summary>
    public double Beta1 { get; init => field = OptionChecks.Beta(value, nameof(Beta1)); } = 0.9;

    /// <summary>λ, the growth rate: β1,t = β1·λ^(t−1).</summary>
    public double GrowthRate { get; init => field = OptionChecks.UnitInterval(value, nameof(GrowthRate)); } = 0.999;

    /// <summary>γ in β2,t = 1 − t^γ, in [−1, 0] (the paper's −0.5; Adafactor's −0.8).</summary>
    public double DecayRate
    {
        get;
        init => field = value is >= -1 and <= 0 ? value : throw new ArgumentOutOfRangeException(nameof(DecayRate), value, "DecayRate must be in [−1, 0].");
    } = -0.5;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>Square-matricize and factor vectors too (official default); false keeps their moments full.</summary>
    public bool VectorReshape { get; init; } = true;

    /// <summary>θ ← θ(1 − ηλ) (official "adamw" mode, default); false: g ← g + λθ ("adam" mode).</summary>
    public bool DecoupledWeightDecay { get; init; } = true;

    public override string Name => "smmf";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Smmf(this, groups);

    /// <summary>The near-square shape (n/d, d) of a tensor of <paramref name="count"/> elements.</summary>
    public static (long Rows, long Cols) SquareShape(long count)
    {
        long d = (long)Math.Sqrt(count);
        while (d * d > count) d--;
        while ((d + 1) * (d + 1) <= count) d++;
        while (d > 1 && count % d != 0) d--;
        return (count / Math.Max(d, 1), Math.Max(d, 1));
    }
}

/// <summary>SMMF; see <see cref="SmmfOptions"/>.</summary>
public sealed class Smmf : ParameterwiseOptimizer<SmmfOptions>
{
    public Smmf(SmmfOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, SmmfOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        if (o.DecoupledWeightDecay) WeightDecay.Decoupled(p, lr, o.WeightDecay);
        else grad = WeightDecay.Coupled(grad, p, o.WeightDecay);

        bool factored = o.VectorReshape || p.Shape.Count(s => s != 1) != 1;
        var (rows, cols) = SmmfOptions.SquareShape(p.NumberOfElements);
        Tensor g = factored ? grad.Reshape(rows, cols) : grad;
        long t = state.Step;
        double beta1 = o.Beta1 * Math.Pow(o.GrowthRate, t - 1);
        double beta2 = 1 - Math.Pow(t, o.DecayRate);

        Tensor v = factored ? Decompress(state, "exp_avg_sq", g, signed: false) : state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        AdamMoments.UpdateSecond(v, g, beta2);
        Tensor numerator = g;
        if (o.Beta1 > 0)
        {
            Tensor m = factored ? Decompress(state, "exp_avg", g, signed: true) : state.GetOrCreate("exp_avg", () => p.ZerosLike());
            AdamMoments.UpdateFirst(m, g, beta1);
            if (factored) Compress(state, "exp_avg", m, signed: true);
            numerator = m;
        }
        if (factored) Compress(state, "exp_avg_sq", v, signed: false);
        p.Sub_(numerator.Div(v.Sqrt().Add_(o.Eps)).View(p.Shape), lr);
    }

    /// <summary>The full matrix from its factors (zeros before the first step), with the stored signs when signed.</summary>
    private static Tensor Decompress(ParameterState state, string name, Tensor like, bool signed)
    {
        if (!state.TryGet(name + "_row", out Tensor row)) return like.ZerosLike();
        Tensor full = Linalg.Outer(row, state.Get(name + "_col"));
        if (!signed) return full;
        Tensor positive = SignBits.Unpack(state.Get(name + "_sign"), like.Shape);
        return Tensor.Where(positive, full, full.Neg());
    }

    /// <summary>Rank-1 NNMF of |x| (row sums, column sums normalized to sum 1) and, when signed, the packed sign bits.</summary>
    private static void Compress(ParameterState state, string name, Tensor x, bool signed)
    {
        Tensor magnitude = signed ? x.Abs() : x;
        Tensor row = magnitude.Sum(1), col = magnitude.Sum(0);
        Tensor total = col.Sum();
        col.Div_(total.MaskedFill(total.Eq(0), 1.0));
        state.Set(name + "_row", row);
        state.Set(name + "_col", col);
        if (signed) state.Set(name + "_sign", SignBits.Pack(x.Gt(0)));
    }
}
