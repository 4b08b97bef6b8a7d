using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers.Kernels;

/// <summary>
/// The fused branch of AdamW/Adam, Adagrad, AdaBelief, NAdam, RAdam, AdaMod, AdaBound, AdEMAMix, MARS, Lion, SGD, SGD-SaI, RMSprop, Adadelta, Rprop, Grams, LaProp, ADOPT
/// and REG: when the options allow it (<c>Fused</c>, no cautious variant, REG's defaults p = 2 and one balancing pass)
/// and the parameter, its gradient and its state are contiguous float32 CPU tensors, the whole update runs as one
/// native loop (two for MARS and REG, around a norm; <see cref="FusedOptimizerSteps"/>). Each method returns false
/// when it did nothing, and the optimizer then runs its generic tensor-op path, which stays the reference: the
/// state tensors have the same names, shapes and meaning on both paths, so a run may switch between them.
/// </summary>
internal static class FusedUpdates
{
    private static bool Eligible(Parameter p, Tensor grad) => FusedOptimizerSteps.Supports(p, grad);

    public static bool TryAdam(ParamGroup group, AdamOptions o, bool decoupled, Parameter p, Tensor grad, ParameterState state)
    {
        bool cautiousDecay = decoupled && o is AdamWOptions { CautiousWeightDecay: true };
        if (!o.Fused || o.Cautious || cautiousDecay || o.StateDtype != OptimizerStateDtype.Float32 || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        Tensor? vmax = o.AmsGrad ? state.GetOrCreate("max_exp_avg_sq", () => p.ZerosLike()) : null;
        if (!FusedOptimizerSteps.Supports(p, m, v, vmax)) return false;
        FusedOptimizerSteps.Adam_(p, grad, m, v, vmax, group.LearningRate, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, decoupled, state.Step);
        return true;
    }

    /// <summary>MARS's AdamW for the tensors it does not take (not 2-D, unless Optimize1D): the fused Adam loop, decoupled.</summary>
    public static bool TryMarsAdamW(MarsOptions o, Parameter p, Tensor grad, ParameterState state, double lr)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m, v)) return false;
        FusedOptimizerSteps.Adam_(p, grad, m, v, null, lr, o.OneDimBeta1, o.OneDimBeta2, o.Eps, o.OneDimWeightDecay, decoupled: true, state.Step);
        return true;
    }

    public static bool TryMars(ParamGroup group, MarsOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        // The state in the generic path's order: exp_avg, last_grad, then (AdamW flavour) exp_avg_sq.
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor previous = state.GetOrCreate("last_grad", () => o.ZeroInitialPreviousGradient ? p.ZerosLike() : grad.Clone());
        Tensor? v = o.Flavour == MarsFlavour.AdamW ? state.GetOrCreate("exp_avg_sq", () => p.ZerosLike()) : null;
        if (!FusedOptimizerSteps.Supports(p, m, previous, v)) return false;
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step), bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        FusedOptimizerSteps.Mars_(p, grad, previous, m, v, group.LearningRate, o.Beta1, o.Beta2, Mars.CorrectionScale(o), o.Eps, o.WeightDecay, bc1, bc2);
        return true;
    }

    public static bool TryLion(ParamGroup group, LionOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (!o.Fused || o.Cautious || o.CautiousWeightDecay || o.StateDtype != OptimizerStateDtype.Float32 || o.DistributedVote != DistributedLionVote.None || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m)) return false;
        FusedOptimizerSteps.Lion_(p, grad, m, group.LearningRate, o.Beta1, o.Beta2, o.WeightDecay);
        return true;
    }

    public static bool TrySgd(ParamGroup group, SgdOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor? buf = null;
        bool first = false;
        if (o.Momentum != 0)
        {
            // A buffer from a loaded state that the loop cannot take sends this parameter down the generic path.
            first = !state.TryGet("momentum_buffer", out Tensor existing);
            if (!first && !FusedOptimizerSteps.Supports(p, existing)) return false;
            buf = first ? state.GetOrCreate("momentum_buffer", () => p.ZerosLike()) : existing;
        }
        FusedOptimizerSteps.Sgd_(p, grad, buf, group.LearningRate, o.Momentum, o.Dampening, o.Nesterov, o.WeightDecay, first);
        return true;
    }

    public static bool TrySgdSai(ParamGroup group, SgdSaiOptions o, Parameter p, Tensor grad, ParameterState state, double gsnr)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor? buf = null;
        bool first = false;
        if (o.Momentum != 0)
        {
            // As TrySgd: a loaded buffer the loop cannot take sends this parameter down the generic path.
            first = !state.TryGet("momentum_buffer", out Tensor existing);
            if (!first && !FusedOptimizerSteps.Supports(p, existing)) return false;
            buf = first ? state.GetOrCreate("momentum_buffer", () => p.ZerosLike()) : existing;
        }
        FusedOptimizerSteps.SgdSai_(p, grad, buf, group.LearningRate, o.Momentum, o.WeightDecay, gsnr, first);
        return true;
    }

    public static bool TryNAdam(NAdamOptions o, Parameter p, Tensor grad, ParameterState state, double biasCorrection2, double gradCoef, double momentumCoef)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m, v)) return false;
        FusedOptimizerSteps.NAdam_(p, grad, m, v, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, biasCorrection2, gradCoef, momentumCoef);
        return true;
    }

    public static bool TryAdagrad(AdagradOptions o, Parameter p, Tensor grad, ParameterState state, double stepSize)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor sum = state.GetOrCreate("sum", () => p.ZerosLike().Fill_(o.InitialAccumulatorValue));
        if (!FusedOptimizerSteps.Supports(p, sum)) return false;
        FusedOptimizerSteps.Adagrad_(p, grad, sum, stepSize, o.Eps, o.WeightDecay);
        return true;
    }

    public static bool TryGrams(GramsOptions o, Parameter p, Tensor grad, ParameterState state, double lr)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m, v)) return false;
        FusedOptimizerSteps.Grams_(p, grad, m, v, lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, state.Step);
        return true;
    }

    public static bool TryAdopt(AdoptOptions o, Parameter p, Tensor grad, Tensor m, Tensor v, double lr, double clipBound)
    {
        if (!o.Fused || !Eligible(p, grad) || !FusedOptimizerSteps.Supports(p, m, v)) return false;
        FusedOptimizerSteps.Adopt_(p, grad, m, v, lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.DecoupledWeightDecay, o.Clip, clipBound);
        return true;
    }

    public static bool TryLaProp(LaPropOptions o, Parameter p, Tensor grad, Tensor m, Tensor v, double lr, double biasCorrection2,
                                 double lrAverage)
    {
        if (!o.Fused || !Eligible(p, grad) || !FusedOptimizerSteps.Supports(p, m, v)) return false;
        FusedOptimizerSteps.LaProp_(p, grad, m, v, lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, biasCorrection2, lrAverage);
        return true;
    }

    public static bool TryRprop(RpropOptions o, Parameter p, Tensor grad, Tensor prev, Tensor stepSize)
    {
        if (!o.Fused || !Eligible(p, grad) || !FusedOptimizerSteps.Supports(p, prev, stepSize)) return false;
        FusedOptimizerSteps.Rprop_(p, grad, prev, stepSize, o.EtaMinus, o.EtaPlus, o.StepSizeMin, o.StepSizeMax, o.WeightDecay);
        return true;
    }

    public static bool TryAdaBelief(AdaBeliefOptions o, Parameter p, Tensor grad, ParameterState state, double lr, AdaBeliefStep step,
                                    double coefficient, double biasCorrection2)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor s = state.GetOrCreate("exp_avg_var", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m, s)) return false;
        // WeightDecay.Decoupled multiplies by 1 − ηλ only when λ ≠ 0; multiplying by 1 changes nothing either.
        double keep = o.WeightDecay == 0 ? 1 : 1 - lr * o.WeightDecay;
        FusedOptimizerSteps.AdaBelief_(p, grad, m, s, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, o.DecoupledWeightDecay, keep, step,
                                       coefficient, biasCorrection2);
        return true;
    }

    public static bool TryAdaMod(AdaModOptions o, Parameter p, Tensor grad, ParameterState state, double stepScale)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        Tensor average = state.GetOrCreate("exp_avg_lr", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m, v, average)) return false;
        FusedOptimizerSteps.AdaMod_(p, grad, m, v, average, o.Beta1, o.Beta2, o.Beta3, o.Eps, o.WeightDecay, stepScale);
        return true;
    }

    public static bool TryRAdam(RAdamOptions o, Parameter p, Tensor grad, ParameterState state, double lr, double bc1, double bc2, double? rectification)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, m, v)) return false;
        FusedOptimizerSteps.RAdam_(p, grad, m, v, lr, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, bc1, bc2, rectification);
        return true;
    }

    public static bool TryAdaBound(AdaBoundOptions o, Parameter p, Tensor grad, ParameterState state, double stepScale, double lower, double upper)
    {
        // A NaN bound (final_lr = 0 with γ = 0 gives 0·∞) makes ATen's clamp fill the step with NaN: left to the generic path.
        if (!o.Fused || double.IsNaN(lower) || double.IsNaN(upper) || !Eligible(p, grad)) return false;
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        Tensor? vmax = o.AmsBound ? state.GetOrCreate("max_exp_avg_sq", () => p.ZerosLike()) : null;
        if (!FusedOptimizerSteps.Supports(p, m, v, vmax)) return false;
        FusedOptimizerSteps.AdaBound_(p, grad, m, v, vmax, o.Beta1, o.Beta2, o.Eps, o.WeightDecay, stepScale, lower, upper);
        return true;
    }

    public static bool TryAdEMAMix(ParamGroup group, AdEMAMixOptions o, Parameter p, Tensor grad, ParameterState state, double alpha, double beta3,
                                   double bc1, double bc2)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor fast = state.GetOrCreate("exp_avg_fast", () => p.ZerosLike());
        Tensor slow = state.GetOrCreate("exp_avg_slow", () => p.ZerosLike());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, fast, slow, v)) return false;
        FusedOptimizerSteps.AdEMAMix_(p, grad, fast, slow, v, group.LearningRate, o.Beta1, o.Beta2, beta3, alpha, o.Eps, o.WeightDecay, bc1, bc2);
        return true;
    }

    public static bool TryAdadelta(ParamGroup group, AdadeltaOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor squareAvg = state.GetOrCreate("square_avg", () => p.ZerosLike());
        Tensor accDelta = state.GetOrCreate("acc_delta", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, squareAvg, accDelta)) return false;
        FusedOptimizerSteps.Adadelta_(p, grad, squareAvg, accDelta, group.LearningRate, o.Rho, o.Eps, o.WeightDecay);
        return true;
    }

    public static bool TryRmsProp(ParamGroup group, RmsPropOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (!o.Fused || !Eligible(p, grad)) return false;
        Tensor squareAvg = state.GetOrCreate("square_avg", () => p.ZerosLike());
        Tensor? gradAvg = o.Centered ? state.GetOrCreate("grad_avg", () => p.ZerosLike()) : null;
        Tensor? buf = o.Momentum > 0 ? state.GetOrCreate("momentum_buffer", () => p.ZerosLike()) : null;
        if (!FusedOptimizerSteps.Supports(p, squareAvg, gradAvg, buf)) return false;
        FusedOptimizerSteps.RmsProp_(p, grad, squareAvg, gradAvg, buf, group.LearningRate, o.Alpha, o.Eps, o.Momentum, o.WeightDecay);
        return true;
    }

    public static bool TryReg(ParamGroup group, RegOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (!o.Fused || o.CautiousWeightDecay || o.NormPower != 2 || o.BalancingPasses != 1 || p.Dim < 2 || !Eligible(p, grad)) return false;
        Tensor buf = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
        if (!FusedOptimizerSteps.Supports(p, buf)) return false;
        FusedOptimizerSteps.Reg_(p, grad, buf, p.Size(0), group.LearningRate, o.Momentum, o.Nesterov, o.TargetRms, o.Eps, o.WeightDecay);
        return true;
    }
}
