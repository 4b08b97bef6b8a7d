using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SAM (Foret et al., "Sharpness-Aware Minimization for Efficiently Improving Generalization", arXiv 2010.01412) and
/// ASAM (Kwon et al., "ASAM: Adaptive Sharpness-Aware Minimization", arXiv 2102.11600) around any optimizer. Two
/// forward/backward passes per step, so it needs the loss closure:
/// <code>
/// g = ∇f(θ)                                      (closure call 1)
/// ε̂ = ρ·T²g / (‖Tg‖₂ + 1e-12)     T = 1 (SAM) or |θ| element-wise (ASAM, Adaptive = true); the norm is over all parameters
/// θ ← θ + ε̂;  g' = ∇f(θ + ε̂)                     (closure call 2)
/// θ ← θ (restored exactly from a copy);  inner step with g'
/// </code>
/// Defaults ρ = 0.05 (the SAM paper; ASAM uses ρ ≈ 0.5–2), inner <see cref="AdamWOptions"/>. ASAM's T is |θ| without the
/// paper's small additive η (as pytorch-optimizer's sam.py). State: the inner optimizer's (a copy of θ is held during the step only: 4 bytes/param transient).
/// </summary>
public sealed record SamOptions : WrapperOptions
{
    /// <summary>Neighbourhood radius ρ.</summary>
    public double Rho { get; init => field = OptionChecks.Positive(value, nameof(Rho)); } = 0.05;

    /// <summary>ASAM: scale the perturbation by |θ| (scale-invariant sharpness).</summary>
    public bool Adaptive { get; init; }

    public override string Name => "sam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new Sam(this, groups);
}

/// <summary>SAM/ASAM; see <see cref="SamOptions"/>.</summary>
public sealed class Sam : WrapperOptimizer
{
    public Sam(SamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        Options = options;
        if (Inner.RequiresClosure)
        {
            Inner.Dispose();
            throw new ArgumentException($"SAM calls its inner optimizer's Step() once per step, so the inner optimizer '{Inner.Name}' must not need a closure.", nameof(options));
        }
    }

    public SamOptions Options { get; }

    public override bool RequiresClosure => true;

    public override void Step() =>
        throw new InvalidOperationException("SAM needs a second gradient at the perturbed weights: call Step(closure).");

    public override double? Step(Func<double> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        double loss = closure();
        var originals = new Tensor?[WrappedParameters.Count];
        try
        {
            using (Autograd.NoGrad())
            using (var scope = DisposeScope.Enter())
            {
                var scaled = new Tensor?[WrappedParameters.Count];
                double sumSquares = 0;
                for (int i = 0; i < WrappedParameters.Count; i++)
                {
                    Parameter p = WrappedParameters[i];
                    Tensor? g = p.Grad;
                    if (g is null) continue;
                    // Tg: the gradient scaled by |θ| for ASAM.
                    Tensor tg = Options.Adaptive ? g.Mul(p.Abs()) : g;
                    scaled[i] = tg;
                    using Tensor sq = tg.Square().Sum();
                    sumSquares += sq.Item();
                }
                double scale = Options.Rho / (Math.Sqrt(sumSquares) + 1e-12);
                for (int i = 0; i < WrappedParameters.Count; i++)
                {
                    if (scaled[i] is not { } tg) continue;
                    Parameter p = WrappedParameters[i];
                    // ε̂ = ρ·T·(Tg)/‖Tg‖ = ρ·T²g/‖Tg‖.
                    Tensor e = Options.Adaptive ? tg.Mul(p.Abs()).Mul_(scale) : tg.Mul(scale);
                    originals[i] = p.Detach().Clone().DetachFromDisposeScope();
                    p.Add_(e);
                }
            }
            closure();
        }
        finally
        {
            using (Autograd.NoGrad())
                for (int i = 0; i < originals.Length; i++)
                    if (originals[i] is { } o) WrappedParameters[i].Copy_(o);
            DisposeAll(originals);
        }
        Inner.Step();
        CountStep();
        return loss;
    }
}
