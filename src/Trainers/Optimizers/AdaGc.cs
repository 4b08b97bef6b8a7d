using TorchZoo.Trainers.Clipping;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaGC (Wang et al., "AdaGC: Improving Training Stability for Large Language Model Pretraining", arXiv 2502.11034) as a
/// wrapper around any optimizer: each step first clips the gradients with <see cref="AdaGcClipping"/> (per-tensor
/// thresholds from an EMA of each tensor's own clipped norm, global clipping during the warmup; see there for the rule), then
/// steps the inner optimizer. The paper fuses it into AdamW with β = (0.9, 0.999) and λ = 0.1, which is the default inner
/// optimizer here. Defaults λ_abs = 1, λ_rel = 1.05, β = 0.98, warmup 100 steps. State: the inner optimizer's plus one
/// scalar per tensor (saved with it).
/// </summary>
public sealed record AdaGcOptions : WrapperOptions
{
    public AdaGcOptions() => Inner = new AdamWOptions { WeightDecay = 0.1 };

    /// <summary>λ_abs: the global-norm limit during the warmup.</summary>
    public double AbsoluteThreshold { get; init => field = OptionChecks.Positive(value, nameof(AbsoluteThreshold)); } = 1.0;

    /// <summary>λ_rel: a tensor's norm may reach λ_rel times its EMA threshold.</summary>
    public double RelativeThreshold { get; init => field = OptionChecks.Positive(value, nameof(RelativeThreshold)); } = 1.05;

    /// <summary>β: the threshold EMA decay.</summary>
    public double Beta { get; init => field = OptionChecks.Beta(value, nameof(Beta)); } = 0.98;

    public int WarmupSteps { get; init => field = OptionChecks.AtLeast(value, 0, nameof(WarmupSteps)); } = 100;

    public override string Name => "adagc";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaGc(this, groups);

    internal AdaGcClipping CreateClipper() => new()
    {
        AbsoluteThreshold = AbsoluteThreshold, RelativeThreshold = RelativeThreshold, Beta = Beta, WarmupSteps = WarmupSteps,
    };
}

/// <summary>AdaGC around an inner optimizer; see <see cref="AdaGcOptions"/>.</summary>
public sealed class AdaGc : WrapperOptimizer
{
    public AdaGc(AdaGcOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) => Clipper = options.CreateClipper();

    /// <summary>The clipping transform (its thresholds are part of the saved state).</summary>
    public AdaGcClipping Clipper { get; }

    public override bool RequiresClosure => Inner.RequiresClosure;

    public override void Step()
    {
        Clipper.Clip(WrappedParameters);
        Inner.Step();
        CountStep();
    }

    /// <summary>
    /// For a closure-driven inner optimizer the clip applies to the gradients of the closure's first call (the inner step
    /// then calls it again for any further passes, unclipped); otherwise the closure runs once and the step is as <see cref="Step()"/>.
    /// </summary>
    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        if (!Inner.RequiresClosure) return base.Step(closure);
        bool first = true;
        double? loss = Inner.Step(() =>
        {
            double l = closure();
            if (first) Clipper.Clip(WrappedParameters);
            first = false;
            return l;
        });
        CountStep();
        return loss;
    }

    protected override void SaveOwnState(OptimizerState state)
    {
        var (step, thresholds) = Clipper.GetState(WrappedParameters);
        state.Scalars["adagc.step"] = step;
        for (int i = 0; i < thresholds.Length; i++)
            if (!double.IsNaN(thresholds[i])) state.Scalars[$"adagc.gamma.{i}"] = thresholds[i];
    }

    protected override void LoadOwnState(OptimizerState state)
    {
        var thresholds = Enumerable.Range(0, WrappedParameters.Count)
            .Select(i => state.Scalars.TryGetValue($"adagc.gamma.{i}", out double g) ? g : double.NaN).ToArray();
        Clipper.SetState(WrappedParameters, (long)state.Scalar("adagc.step"), thresholds);
    }
}
