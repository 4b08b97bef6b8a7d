using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// XGrad weight prediction (Guan et al., "XGrad: Boosting Gradient-Based Optimizers With Weight Prediction",
/// arXiv 2305.18240) around any optimizer. XGrad takes the gradient at the weights the optimizer is predicted to reach
/// s steps ahead, θ̂ = θ_t − s·η·Δ_t, with Δ_t the inner rule's current update direction. We use the optimizer-agnostic
/// form of that prediction: the last applied update, extrapolated,
/// <code>
/// θ̂ = θ_t + s·(θ_t − θ_{t−1});  g = ∇f(θ̂) (closure);  θ ← θ_t (restored exactly);  inner step with g;  θ_{t−1} ← θ_t
/// </code>
/// For SGD-momentum and AdamW this equals the paper's −s·η·Δ_t up to the bias-correction step index, without reading the
/// inner optimizer's state. The first step has no prediction. Default s = 1 (UNCERTAIN), inner <see cref="AdamWOptions"/>.
/// Needs the closure. State: 4 bytes/parameter (θ_{t−1}) plus the inner optimizer's.
/// </summary>
public sealed record XGradOptions : WrapperOptions
{
    /// <summary>s: steps to predict ahead.</summary>
    public int PredictionSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(PredictionSteps)); } = 1;

    public override string Name => "xgrad";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new XGrad(this, groups);
}

/// <summary>XGrad; see <see cref="XGradOptions"/>.</summary>
public sealed class XGrad : WrapperOptimizer
{
    private Tensor?[]? previous;

    public XGrad(XGradOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        Options = options;
        if (Inner.RequiresClosure)
        {
            Inner.Dispose();
            throw new ArgumentException($"XGrad calls its inner optimizer's Step() once per step, so the inner optimizer '{Inner.Name}' must not need a closure.", nameof(options));
        }
    }

    public XGradOptions Options { get; }

    public override bool RequiresClosure => true;

    protected override long OwnStateBytes => previous?.Sum(t => t?.ByteCount ?? 0) ?? 0;

    public override void Step() =>
        throw new InvalidOperationException("XGrad takes the gradient at the predicted weights: call Step(closure).");

    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        var saved = new Tensor?[WrappedParameters.Count];
        double loss;
        try
        {
            if (previous is not null)
                using (Autograd.NoGrad())
                using (var scope = DisposeScope.Enter())
                    for (int i = 0; i < WrappedParameters.Count; i++)
                    {
                        if (previous[i] is not { } before) continue;
                        Parameter p = WrappedParameters[i];
                        saved[i] = p.Detach().Clone().DetachFromDisposeScope();
                        p.Add_(p.Sub(before), Options.PredictionSteps);
                    }
            loss = closure();
        }
        finally
        {
            using (Autograd.NoGrad())
                for (int i = 0; i < saved.Length; i++)
                    if (saved[i] is { } s) WrappedParameters[i].Copy_(s);
            DisposeAll(saved);
        }
        using (Autograd.NoGrad())
        using (var scope = DisposeScope.Enter())
        {
            previous ??= new Tensor?[WrappedParameters.Count];
            for (int i = 0; i < WrappedParameters.Count; i++)
            {
                if (previous[i] is { } before) before.Copy_(WrappedParameters[i]);
                else previous[i] = WrappedParameters[i].Detach().Clone().DetachFromDisposeScope();
            }
        }
        Inner.Step();
        CountStep();
        return loss;
    }

    protected override void SaveOwnState(OptimizerState state) => SaveTensors(state, "previous", previous);

    protected override void LoadOwnState(OptimizerState state)
    {
        Tensor?[]? loaded = LoadTensors(state, "previous");
        DisposeAll(previous);
        previous = loaded;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) DisposeAll(previous);
    }
}
