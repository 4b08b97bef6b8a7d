using TorchZoo.Torch.Interop;

namespace TorchZoo.Torch;

/// <summary>
/// Optimizer updates fused in the native shim: one loop over contiguous float32 CPU buffers, in place, parallel
/// over libtorch's intra-op threads, instead of five to fifteen tensor ops (and their temporaries). They follow
/// the op order of the generic tensor-op path in float32, so both agree to float rounding. Every tensor passed
/// must satisfy <see cref="Supports"/>; the optimizers check that and otherwise take their generic path.
/// </summary>
public static class FusedOptimizerSteps
{
    /// <summary>True when every tensor is a contiguous float32 CPU tensor with the first one's element count.</summary>
    public static bool Supports(Tensor first, Tensor second, Tensor? third = null, Tensor? fourth = null, Tensor? fifth = null)
    {
        long n = first.NumberOfElements;
        return Fits(first, n) && Fits(second, n) && (third is null || Fits(third, n)) && (fourth is null || Fits(fourth, n)) &&
               (fifth is null || Fits(fifth, n));
    }

    private static bool Fits(Tensor t, long numel) =>
        t.Dtype == ScalarType.Float32 && t.IsContiguous && t.Device.Type == DeviceType.Cpu && t.NumberOfElements == numel;

    /// <summary>
    /// One Adam/AdamW update: θ ← θ·(1 − ηλ) when <paramref name="decoupled"/> (AdamW), else g ← g + λθ (Adam's L2);
    /// m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; with AMSGrad (<paramref name="maxExpAvgSq"/> not null) v ← max(vmax, v);
    /// θ ← θ − (η/bc1)·m/(√v/√bc2 + ε), bc = 1 − β^step. <paramref name="grad"/> is only read.
    /// </summary>
    public static void Adam_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq,
                             double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled, long step)
    {
        int status = NativeMethods.tz_fused_adam_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, Tensor.HandleOf(maxExpAvgSq),
                                                  lr, beta1, beta2, eps, weightDecay, decoupled ? 1 : 0, step);
        GC.KeepAlive(maxExpAvgSq);
        Tensor.Check(status, parameter, grad, expAvg);
        GC.KeepAlive(expAvgSq);
    }

    /// <summary>One Lion update: θ ← θ·(1 − ηλ) − η·sign(β1m + (1−β1)g); m ← β2m + (1−β2)g.</summary>
    public static void Lion_(Tensor parameter, Tensor grad, Tensor expAvg, double lr, double beta1, double beta2, double weightDecay)
    {
        int status = NativeMethods.tz_fused_lion_(parameter.Handle, grad.Handle, expAvg.Handle, lr, beta1, beta2, weightDecay);
        Tensor.Check(status, parameter, grad, expAvg);
    }

    /// <summary>
    /// One SGD update with torch.optim.SGD's rule: d = g + λθ; with <paramref name="momentumBuffer"/> (null when μ = 0)
    /// b ← d on the <paramref name="firstStep"/>, else b ← μb + (1 − τ)d, and d = d + μb (Nesterov) or b; θ ← θ − ηd.
    /// </summary>
    public static void Sgd_(Tensor parameter, Tensor grad, Tensor? momentumBuffer, double lr, double momentum, double dampening,
                            bool nesterov, double weightDecay, bool firstStep)
    {
        int status = NativeMethods.tz_fused_sgd_(parameter.Handle, grad.Handle, Tensor.HandleOf(momentumBuffer), lr, momentum, dampening,
                                                 nesterov ? 1 : 0, weightDecay, firstStep ? 1 : 0);
        GC.KeepAlive(momentumBuffer);
        Tensor.Check(status, parameter, grad);
    }

    /// <summary>
    /// One NAdam update with torch.optim.NAdam's rule, given its schedule's coefficients: g ← g + λθ; m ← β1m + (1−β1)g;
    /// v ← β2v + (1−β2)g²; d = √(v/bc2) + ε; θ ← θ + <paramref name="gradCoef"/>·g/d, then θ ← θ + <paramref name="momentumCoef"/>·m/d
    /// (torch: −η(1−μ_t)/(1−Π_t) and −ημ_{t+1}/(1−Π_tμ_{t+1})). <paramref name="grad"/> is only read.
    /// </summary>
    public static void NAdam_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, double beta1, double beta2, double eps,
                              double weightDecay, double biasCorrection2, double gradCoef, double momentumCoef)
    {
        int status = NativeMethods.tz_fused_nadam_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, beta1, beta2, eps,
                                                   weightDecay, biasCorrection2, gradCoef, momentumCoef);
        Tensor.Check(status, parameter, grad, expAvg);
        GC.KeepAlive(expAvgSq);
    }

    /// <summary>
    /// One Adagrad update with torch.optim.Adagrad's rule: g ← g + λθ; s ← s + g² in <paramref name="sum"/>;
    /// θ ← θ − <paramref name="stepSize"/>·g/(√s + ε), stepSize = η/(1 + (t−1)δ). <paramref name="grad"/> is only read.
    /// </summary>
    public static void Adagrad_(Tensor parameter, Tensor grad, Tensor sum, double stepSize, double eps, double weightDecay)
    {
        int status = NativeMethods.tz_fused_adagrad_(parameter.Handle, grad.Handle, sum.Handle, stepSize, eps, weightDecay);
        Tensor.Check(status, parameter, grad, sum);
    }

    /// <summary>
    /// One Grams update (arXiv 2412.17107): θ ← θ·(1 − ηλ); Adam's m and v; θ ← θ − η/bc1·sign(g)·|m/(√v/√bc2 + ε)|,
    /// bc_i = 1 − β_i^<paramref name="step"/>. <paramref name="grad"/> is only read.
    /// </summary>
    public static void Grams_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                              double eps, double weightDecay, long step)
    {
        int status = NativeMethods.tz_fused_grams_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, lr, beta1, beta2, eps,
                                                   weightDecay, step);
        GC.KeepAlive(expAvgSq);
        Tensor.Check(status, parameter, grad, expAvg);
    }

    /// <summary>
    /// One ADOPT update after its initializing step (arXiv 2411.02853): g ← g + λθ, or with <paramref name="decoupled"/>
    /// θ ← θ(1 − ηλ); n = g/max(√v, ε), clipped to ±<paramref name="clipBound"/> when <paramref name="clip"/>;
    /// m ← β1m + (1−β1)n; θ ← θ − ηm; v ← β2v + (1−β2)g². <paramref name="grad"/> is only read.
    /// </summary>
    public static void Adopt_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                              double eps, double weightDecay, bool decoupled, bool clip, double clipBound)
    {
        int status = NativeMethods.tz_fused_adopt_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, lr, beta1, beta2, eps,
                                                   weightDecay, decoupled ? 1 : 0, clip ? 1 : 0, clipBound);
        GC.KeepAlive(expAvgSq);
        Tensor.Check(status, parameter, grad, expAvg);
    }

    /// <summary>
    /// One LaProp update (arXiv 2002.04839): θ ← θ·(1 − ηλ); v ← β2v + (1−β2)g²; m ← β1m + (1−β1)η·g/(√v/√bc2 + ε);
    /// θ ← θ − (η/η̄)·m, skipped when <paramref name="lrAverage"/> η̄ ≤ 0. <paramref name="grad"/> is only read.
    /// </summary>
    public static void LaProp_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2,
                               double eps, double weightDecay, double biasCorrection2, double lrAverage)
    {
        int status = NativeMethods.tz_fused_laprop_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, lr, beta1, beta2, eps,
                                                    weightDecay, biasCorrection2, lrAverage);
        GC.KeepAlive(expAvgSq);
        Tensor.Check(status, parameter, grad, expAvg);
    }

    /// <summary>
    /// One Rprop update with torch.optim.Rprop's rule (iRprop−): g ← g + λθ when λ ≠ 0; per element the step in
    /// <paramref name="stepSize"/> is multiplied by η+ where g·g_prev &gt; 0, η− where &lt; 0, and clamped to
    /// [<paramref name="stepMin"/>, <paramref name="stepMax"/>]; where the sign flipped g ← 0; θ ← θ − sign(g)·step; g_prev ←
    /// g in <paramref name="prev"/>. <paramref name="grad"/> is only read.
    /// </summary>
    public static void Rprop_(Tensor parameter, Tensor grad, Tensor prev, Tensor stepSize, double etaMinus, double etaPlus,
                              double stepMin, double stepMax, double weightDecay)
    {
        int status = NativeMethods.tz_fused_rprop_(parameter.Handle, grad.Handle, prev.Handle, stepSize.Handle, etaMinus, etaPlus,
                                                   stepMin, stepMax, weightDecay);
        GC.KeepAlive(stepSize);
        Tensor.Check(status, parameter, grad, prev);
    }

    /// <summary>
    /// One AdaBelief update (official v0.2): with <paramref name="decoupled"/> θ ← <paramref name="decayFactor"/>·θ
    /// (1 − ηλ), else g ← g + λθ; m ← β1m + (1−β1)g; s ← β2s + (1−β2)(g − m)² + ε; then by <paramref name="step"/>
    /// θ ← θ + c·m/(√s/√bc2 + ε), θ ← θ + c·m/(√s + ε), θ ← θ + c·m, or no change (c = <paramref name="coefficient"/>).
    /// </summary>
    public static void AdaBelief_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgVar, double beta1, double beta2, double eps,
                                  double weightDecay, bool decoupled, double decayFactor, AdaBeliefStep step, double coefficient,
                                  double biasCorrection2)
    {
        int status = NativeMethods.tz_fused_adabelief_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgVar.Handle, beta1, beta2, eps,
                                                       weightDecay, decoupled ? 1 : 0, decayFactor, (int)step, coefficient, biasCorrection2);
        Tensor.Check(status, parameter, grad, expAvg);
        GC.KeepAlive(expAvgVar);
    }

    /// <summary>
    /// One AdaMod update (the official code's rule): g ← g + λθ; Adam moments; s = <paramref name="stepScale"/>/(√v + ε)
    /// (stepScale = η√bc2/bc1); ŝ ← β3ŝ + (1−β3)s in <paramref name="expAvgLr"/>; θ ← θ − min(s, ŝ)·m.
    /// </summary>
    public static void AdaMod_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor expAvgLr, double beta1, double beta2,
                               double beta3, double eps, double weightDecay, double stepScale)
    {
        int status = NativeMethods.tz_fused_adamod_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, expAvgLr.Handle,
                                                    beta1, beta2, beta3, eps, weightDecay, stepScale);
        Tensor.Check(status, parameter, grad, expAvg);
        GC.KeepAlive(expAvgSq);
        GC.KeepAlive(expAvgLr);
    }

    /// <summary>
    /// One RMSprop update with torch.optim.RMSprop's rule: g ← g + λθ; v ← αv + (1−α)g²; with <paramref name="gradAvg"/>
    /// (centered) ḡ ← αḡ + (1−α)g and d = √(v − ḡ²) + ε, else d = √v + ε; with <paramref name="momentumBuffer"/> (null when
    /// μ = 0) b ← μb + g/d and θ ← θ − ηb, else θ ← θ − ηg/d. <paramref name="grad"/> is only read.
    /// </summary>
    public static void RmsProp_(Tensor parameter, Tensor grad, Tensor squareAvg, Tensor? gradAvg, Tensor? momentumBuffer,
                                double lr, double alpha, double eps, double momentum, double weightDecay)
    {
        int status = NativeMethods.tz_fused_rmsprop_(parameter.Handle, grad.Handle, squareAvg.Handle, Tensor.HandleOf(gradAvg),
                                                     Tensor.HandleOf(momentumBuffer), lr, alpha, eps, momentum, weightDecay);
        GC.KeepAlive(gradAvg);
        GC.KeepAlive(momentumBuffer);
        Tensor.Check(status, parameter, grad, squareAvg);
    }

    /// <summary>
    /// One RAdam update with torch.optim.RAdam's rule, given this step's bias corrections bc = 1 − β^t: g ← g + λθ;
    /// m ← β1m + (1−β1)g; v ← β2v + (1−β2)g²; u = η·m/bc1; when <paramref name="rectification"/> is not null (ρ_t &gt; 5)
    /// u ← u·√bc2/(√v + ε)·r_t; θ ← θ − u. <paramref name="grad"/> is only read.
    /// </summary>
    public static void RAdam_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1, double beta2, double eps,
                              double weightDecay, double biasCorrection1, double biasCorrection2, double? rectification)
    {
        int status = NativeMethods.tz_fused_radam_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, lr, beta1, beta2, eps, weightDecay,
                                                   biasCorrection1, biasCorrection2, rectification.HasValue ? 1 : 0, rectification ?? 0);
        Tensor.Check(status, parameter, grad, expAvg);
        GC.KeepAlive(expAvgSq);
    }

    /// <summary>
    /// One AdaBound update (the official code's rule): g ← g + λθ; Adam moments; with <paramref name="maxExpAvgSq"/> (AMSBound,
    /// else null) v ← max(vmax, v); s = <paramref name="stepScale"/>/(√v + ε) (stepScale = η√bc2/bc1) clamped to
    /// [<paramref name="lower"/>, <paramref name="upper"/>] (neither may be NaN); θ ← θ − s·m.
    /// </summary>
    public static void AdaBound_(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor? maxExpAvgSq, double beta1, double beta2,
                                 double eps, double weightDecay, double stepScale, double lower, double upper)
    {
        int status = NativeMethods.tz_fused_adabound_(parameter.Handle, grad.Handle, expAvg.Handle, expAvgSq.Handle, Tensor.HandleOf(maxExpAvgSq),
                                                      beta1, beta2, eps, weightDecay, stepScale, lower, upper);
        GC.KeepAlive(maxExpAvgSq);
        Tensor.Check(status, parameter, grad, expAvg);
        GC.KeepAlive(expAvgSq);
    }

    /// <summary>
    /// One Adadelta update with torch.optim.Adadelta's rule: g ← g + λθ; v ← ρv + (1−ρ)g²; Δ = √(u + ε)/√(v + ε)·g;
    /// u ← ρu + (1−ρ)Δ²; θ ← θ − ηΔ (v in <paramref name="squareAvg"/>, u in <paramref name="accDelta"/>).
    /// </summary>
    public static void Adadelta_(Tensor parameter, Tensor grad, Tensor squareAvg, Tensor accDelta, double lr, double rho, double eps, double weightDecay)
    {
        int status = NativeMethods.tz_fused_adadelta_(parameter.Handle, grad.Handle, squareAvg.Handle, accDelta.Handle, lr, rho, eps, weightDecay);
        Tensor.Check(status, parameter, grad, squareAvg);
        GC.KeepAlive(accDelta);
    }

    /// <summary>
    /// One AdEMAMix update (Algorithm 1), given this step's <paramref name="alpha"/>, <paramref name="beta3"/> and bias
    /// corrections: θ ← θ·(1 − ηλ); m1 ← β1m1 + (1−β1)g; m2 ← β3m2 + (1−β3)g; v ← β2v + (1−β2)g²;
    /// θ ← θ − η(m1/bc1 + α·m2)/(√v/√bc2 + ε).
    /// </summary>
    public static void AdEMAMix_(Tensor parameter, Tensor grad, Tensor expAvgFast, Tensor expAvgSlow, Tensor expAvgSq, double lr, double beta1,
                                 double beta2, double beta3, double alpha, double eps, double weightDecay, double biasCorrection1, double biasCorrection2)
    {
        int status = NativeMethods.tz_fused_ademamix_(parameter.Handle, grad.Handle, expAvgFast.Handle, expAvgSlow.Handle, expAvgSq.Handle, lr, beta1,
                                                      beta2, beta3, alpha, eps, weightDecay, biasCorrection1, biasCorrection2);
        Tensor.Check(status, parameter, grad, expAvgFast);
        GC.KeepAlive(expAvgSlow);
        GC.KeepAlive(expAvgSq);
    }

    /// <summary>
    /// One SGD-SaI update, given the tensor's <paramref name="gsnr"/>: θ ← θ·(1 − ηλ); with <paramref name="momentumBuffer"/>
    /// (null when μ = 0) b ← g on the <paramref name="firstStep"/>, else b ← μb + (1−μ)g, and d = b, else d = g;
    /// θ ← θ − η·gsnr·d. <paramref name="grad"/> is only read.
    /// </summary>
    public static void SgdSai_(Tensor parameter, Tensor grad, Tensor? momentumBuffer, double lr, double momentum, double weightDecay, double gsnr,
                               bool firstStep)
    {
        int status = NativeMethods.tz_fused_sgdsai_(parameter.Handle, grad.Handle, Tensor.HandleOf(momentumBuffer), lr, momentum, weightDecay, gsnr,
                                                    firstStep ? 1 : 0);
        GC.KeepAlive(momentumBuffer);
        Tensor.Check(status, parameter, grad);
    }

    /// <summary>
    /// One MARS-approx update (the official code's rule): c = g + <paramref name="correction"/>·(g − g_prev) (correction = γβ1/(1−β1)),
    /// c ← c/‖c‖ when ‖c‖ &gt; 1; g_prev ← g in <paramref name="lastGrad"/>; m ← β1m + (1−β1)c; θ ← θ·(1 − ηλ); with
    /// <paramref name="expAvgSq"/> (AdamW flavour) v ← β2v + (1−β2)c² and θ ← θ − (η/bc1)·m/(√v/√bc2 + ε), else (Lion flavour,
    /// null) θ ← θ − η·sign(m). Two passes over memory around ATen's norm of c, in a scratch tensor the shim allocates.
    /// </summary>
    public static void Mars_(Tensor parameter, Tensor grad, Tensor lastGrad, Tensor expAvg, Tensor? expAvgSq, double lr, double beta1, double beta2,
                             double correction, double eps, double weightDecay, double biasCorrection1, double biasCorrection2)
    {
        int status = NativeMethods.tz_fused_mars_(parameter.Handle, grad.Handle, lastGrad.Handle, expAvg.Handle, Tensor.HandleOf(expAvgSq), lr, beta1,
                                                  beta2, correction, eps, weightDecay, biasCorrection1, biasCorrection2);
        GC.KeepAlive(expAvgSq);
        Tensor.Check(status, parameter, grad, lastGrad);
        GC.KeepAlive(expAvg);
    }

    /// <summary>
    /// One REG update (one RACS pass with p = 2) of a parameter viewed as a (<paramref name="rows"/>, −1) matrix:
    /// M ← lerp(M, G, 1−μ); U = lerp(G, M, μ) (Nesterov) or M; X = diag(r+ε)^−½·U·diag(c+ε)^−½ with r, c the row and
    /// column 2-norms of U; X ← X·ρ/(RMS(X) + ε); θ ← θ·(1 − ηλ) − ηX. Three passes over memory, no temporaries.
    /// </summary>
    public static void Reg_(Tensor parameter, Tensor grad, Tensor momentumBuffer, long rows, double lr, double momentum, bool nesterov,
                            double targetRms, double eps, double weightDecay)
    {
        int status = NativeMethods.tz_fused_reg_(parameter.Handle, grad.Handle, momentumBuffer.Handle, rows, lr, momentum, nesterov ? 1 : 0,
                                                 targetRms, eps, weightDecay);
        Tensor.Check(status, parameter, grad, momentumBuffer);
    }
}

/// <summary>Which step <see cref="FusedOptimizerSteps.AdaBelief_"/> takes after its moments.</summary>
public enum AdaBeliefStep
{
    /// <summary>θ + c·m/(√s/√bc2 + ε): unrectified.</summary>
    Adam,

    /// <summary>θ + c·m/(√s + ε): rectified, ρ_t ≥ 5.</summary>
    Rectified,

    /// <summary>θ + c·m: rectified, ρ_t &lt; 5, degenerating to SGD with momentum.</summary>
    Sgd,

    /// <summary>Moments only: rectified, ρ_t &lt; 5, without the SGD step.</summary>
    None,
}
