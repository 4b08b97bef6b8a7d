using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>How Muon scales its orthogonalized update O (whose entries have RMS ≈ 1/√max(m, n)).</summary>
public enum MuonScale
{
    /// <summary>0.2·√max(m, n) (Moonlight, arXiv 2502.16982): update RMS ≈ 0.2 like AdamW's, so AdamW's lr and weight decay carry over.</summary>
    MatchAdamWRms,

    /// <summary>√max(1, m/n) (Keller Jordan's original Muon); pair it with lr ≈ 0.02.</summary>
    Original,

    /// <summary>√(m/n) (Scion's RMS→RMS operator norm).</summary>
    RmsToRms,
}

/// <summary>
/// Muon (Jordan et al. 2024, "Muon: An optimizer for hidden layers"): Nesterov momentum, then the
/// momentum matrix orthogonalized by Newton–Schulz: B ← μB + (1−μ)G; U = G + μ(B − G) (Nesterov) or B;
/// O = NS5(U); θ ← θ·(1 − ηλ) − η·s·O. Conv kernels are flattened to (out, −1). Hidden matrices only: the
/// rest goes to <see cref="MatrixOptimizerOptions.Fallback"/> (AdamW). NS runs in float32 on CPU.
/// Defaults: μ = 0.95, Nesterov, 5 quintic steps, scale <see cref="MuonScale.MatchAdamWRms"/> with
/// AdamW-like η = 1e-3 and λ = 0.01 (use η ≈ 0.02 with <see cref="MuonScale.Original"/>). State: 4 bytes/parameter;
/// ≈ 1 byte with <see cref="StateDtype"/> = <see cref="OptimizerStateDtype.Int8Blockwise"/> (+ 4 per 2048-block).
/// </summary>
public sealed record MuonOptions : MatrixOptimizerOptions, IQuantizedStateOptions
{
    public MuonOptions()
    {
        LearningRate = 1e-3;
        WeightDecay = 0.01;
    }

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.95;

    public bool Nesterov { get; init; } = true;

    /// <summary>
    /// Cautious weight decay (Chen et al., arXiv 2510.12402): decay only the coordinates whose sign agrees with the
    /// update (θ ← θ − ηλ·1[u⊙θ ≥ 0]⊙θ) instead of all of them. Off by default. No extra state.
    /// </summary>
    public bool CautiousWeightDecay { get; init; }

    public int NewtonSchulzSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(NewtonSchulzSteps)); } = 5;

    public NewtonSchulzCoefficients Coefficients { get; init => field = OptionChecks.NotNull(value, nameof(Coefficients)); } = NewtonSchulzCoefficients.Quintic;

    public MuonScale Scale { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Scale), value, "Unknown MuonScale."); } = MuonScale.MatchAdamWRms;

    /// <summary>
    /// 8-bit block-wise momentum (arXiv 2110.02861; see <see cref="AdamOptions.StateDtype"/>): the buffer B is kept with the
    /// signed dynamic map and one float32 absmax per block; each step dequantizes it, updates it in float32, takes the
    /// (Nesterov) direction from the unquantized new B and requantizes. Off by default.
    /// </summary>
    public OptimizerStateDtype StateDtype { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(StateDtype), value, "Unknown OptimizerStateDtype."); }

    /// <summary>Elements per quantization block (the paper's 2048).</summary>
    public int QuantizationBlockSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(QuantizationBlockSize)); } = BlockwiseQuantization.DefaultBlockSize;

    /// <summary>Smaller matrices keep a float32 momentum (bitsandbytes' min_8bit_size, 4096).</summary>
    public int MinQuantizedSize { get; init => field = OptionChecks.AtLeast(value, 0, nameof(MinQuantizedSize)); } = 4096;

    public override string Name => "muon";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new Muon(this, groups);

    /// <summary>The factor s for an (m, n) update.</summary>
    public double ScaleFor(long rows, long cols) => Scale switch
    {
        MuonScale.MatchAdamWRms => 0.2 * Math.Sqrt(Math.Max(rows, cols)),
        MuonScale.Original => Math.Sqrt(Math.Max(1.0, (double)rows / cols)),
        _ => Math.Sqrt((double)rows / cols),
    };
}

/// <summary>The matrix side of Muon; see <see cref="MuonOptions"/>. Created through the options, which route parameters.</summary>
public sealed class Muon : ParameterwiseOptimizer<MuonOptions>
{
    internal Muon(MuonOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, MuonOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor buf = QuantizedState.LoadBuffer(state, "momentum_buffer", p, signed: true, o);
        MatrixMomentum.Update(buf, grad, o.Momentum);
        Tensor u = MatrixMomentum.Direction(buf, grad, o.Momentum, o.Nesterov);
        QuantizedState.SaveBuffer(state, "momentum_buffer", buf, p, signed: true, o);
        long rows = p.Size(0);
        Tensor matrix = u.Reshape(rows, -1);
        Tensor update = NewtonSchulz.Orthogonalize(matrix, o.Coefficients, o.NewtonSchulzSteps);
        if (o.CautiousWeightDecay) WeightDecay.Cautious(p, update.View(p.Shape), lr, o.WeightDecay);
        else WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(update.View(p.Shape), lr * o.ScaleFor(rows, matrix.Size(1)));
    }
}
