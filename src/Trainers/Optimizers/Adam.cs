using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba, arXiv 1412.6980) with coupled L2 weight decay, as torch.optim.Adam:
/// g ← g + λθ; m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; θ ← θ − η·(m/bc1)/(√(v/bc2) + ε).
/// Defaults η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0. State: 8 bytes/parameter (12 with AMSGrad); with
/// <see cref="StateDtype"/> = <see cref="OptimizerStateDtype.Int8Blockwise"/> ≈ 2 bytes (+ 4 per 2048-block each buffer).
/// </summary>
public record AdamOptions : AdaptiveMomentOptions, IQuantizedStateOptions
{
    public AdamOptions() => LearningRate = 1e-3;

    /// <summary>
    /// AMSGrad (Reddi et al.) in PyTorch's convention: keep the running maximum of the raw second moment v
    /// and bias-correct that maximum (optax instead takes the maximum of the bias-corrected v̂; early steps differ).
    /// </summary>
    public bool AmsGrad { get; init; }

    /// <summary>
    /// Cautious masking (C-Adam/C-AdamW, Liang et al., arXiv 2411.16085): zero the update coordinates whose sign
    /// disagrees with the gradient and rescale the rest (<see cref="CautiousMask"/>). Off by default. No extra state.
    /// </summary>
    public bool Cautious { get; init; }

    /// <summary>
    /// 8-bit block-wise states (Dettmers et al., arXiv 2110.02861): m with the signed and v (and the AMSGrad maximum)
    /// with the unsigned dynamic map, one float32 absmax per <see cref="QuantizationBlockSize"/> elements; each step
    /// dequantizes, updates in float32 (the update uses the unquantized new moments) and requantizes.
    /// Tensors with fewer than <see cref="MinQuantizedSize"/> elements keep float32 states.
    /// </summary>
    public OptimizerStateDtype StateDtype { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(StateDtype), value, "Unknown OptimizerStateDtype."); }

    /// <summary>Elements per quantization block (the paper's 2048).</summary>
    public int QuantizationBlockSize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(QuantizationBlockSize)); } = BlockwiseQuantization.DefaultBlockSize;

    /// <summary>Smaller tensors keep float32 states (bitsandbytes' min_8bit_size, 4096).</summary>
    public int MinQuantizedSize { get; init => field = OptionChecks.AtLeast(value, 0, nameof(MinQuantizedSize)); } = 4096;

    /// <summary>
    /// Use the fused native update when the parameter, gradient and state are contiguous float32 CPU tensors
    /// (<see cref="Kernels.FusedUpdates"/>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "adam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Adam(this, groups);
}

/// <summary>Adam; see <see cref="AdamOptions"/>. <see cref="AdamW"/> derives from it with decoupled weight decay.</summary>
public class Adam : ParameterwiseOptimizer<AdamOptions>
{
    private readonly bool decoupled;

    public Adam(AdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : this(options, groups, decoupled: false) { }

    protected Adam(AdamOptions options, IReadOnlyList<ParameterGroupSpec> groups, bool decoupled) : base(options, groups) =>
        this.decoupled = decoupled;

    protected override void Update(ParamGroup group, AdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (FusedUpdates.TryAdam(group, o, decoupled, p, grad, state)) return;
        double lr = group.LearningRate;
        bool cautiousDecay = decoupled && o is AdamWOptions { CautiousWeightDecay: true };
        if (!decoupled) grad = WeightDecay.Coupled(grad, p, o.WeightDecay);
        else if (!cautiousDecay) WeightDecay.Decoupled(p, lr, o.WeightDecay);

        Tensor m = QuantizedState.LoadBuffer(state, "exp_avg", p, signed: true, o);
        Tensor v = QuantizedState.LoadBuffer(state, "exp_avg_sq", p, signed: false, o);
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        AdamMoments.UpdateSecond(v, grad, o.Beta2);
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        QuantizedState.SaveBuffer(state, "exp_avg", m, p, signed: true, o);
        QuantizedState.SaveBuffer(state, "exp_avg_sq", v, p, signed: false, o);
        if (o.AmsGrad)
        {
            Tensor vmax = QuantizedState.LoadBuffer(state, "max_exp_avg_sq", p, signed: false, o);
            vmax.Maximum_(v);
            QuantizedState.SaveBuffer(state, "max_exp_avg_sq", vmax, p, signed: false, o);
            v = vmax;
        }
        Tensor denom = AdamMoments.Denominator(v, bc2, o.Eps);
        if (!o.Cautious && !cautiousDecay)
        {
            p.Addcdiv_(m, denom, -lr / bc1);
            return;
        }
        // The cautious variants need the update direction u = m̂/(√v̂ + ε) itself (θ moves by −ηu).
        Tensor u = m.Div(denom).Div_(bc1);
        if (o.Cautious) CautiousMask.Apply(u, grad);
        if (cautiousDecay) WeightDecay.Cautious(p, u, lr, o.WeightDecay);
        p.Sub_(u, lr);
    }
}
