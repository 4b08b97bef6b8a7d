using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// SGD-SaI (Xu et al., "No More Adam: Learning Rate Scaling at Initialization is All You Need", arXiv 2412.11768):
/// SGD with momentum whose per-tensor step is scaled once, at the tensor's first step, by its gradient
/// signal-to-noise ratio gsnr = ‖g‖₂/(std(g) + ε) (unbiased std; when std is 0 or undefined, e.g. a one-element
/// tensor, gsnr = ‖g‖₂ as pytorch-optimizer does). Then b ← g at the first step, b ← μb + (1−μ)g after;
/// θ ← θ(1 − ηλ) − η·gsnr·b. The official code (v1.0.4) additionally divides every gsnr by the largest one over
/// all tensors; that needs a pass over all parameters before the first update and is not implemented.
/// Defaults η = 1e-2, μ = 0.9, ε = 1e-8, λ = 1e-2 (decoupled). State: 4 bytes/parameter + one scalar per tensor.
/// </summary>
public sealed record SgdSaiOptions : OptimizerOptions
{
    public SgdSaiOptions()
    {
        LearningRate = 1e-2;
        WeightDecay = 1e-2;
    }

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.9;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>
    /// Float32 CPU parameters take one fused native pass that computes the generic path's values (see
    /// <c>FusedUpdates</c>); false forces the generic tensor-op path, the reference. Default true.
    /// </summary>
    public bool Fused { get; init; } = true;

    public override string Name => "sgdsai";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new SgdSai(this, groups);
}

/// <summary>SGD-SaI; see <see cref="SgdSaiOptions"/>.</summary>
public sealed class SgdSai : ParameterwiseOptimizer<SgdSaiOptions>
{
    public SgdSai(SgdSaiOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, SgdSaiOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        if (!state.Scalars.ContainsKey("gsnr")) state.SetScalar("gsnr", Gsnr(grad, o.Eps));
        double gsnr = state.GetScalar("gsnr");
        if (FusedUpdates.TrySgdSai(group, o, p, grad, state, gsnr)) return;

        Tensor direction = grad;
        if (o.Momentum != 0)
        {
            if (!state.TryGet("momentum_buffer", out Tensor buf))
                buf = state.GetOrCreate("momentum_buffer", () => grad.Clone());
            else
                buf.Mul_(o.Momentum).Add_(grad, 1 - o.Momentum);
            direction = buf;
        }
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(direction, lr * gsnr);
    }

    /// <summary>‖g‖₂/(std(g) + ε), or ‖g‖₂ when the std is 0 or undefined.</summary>
    private static double Gsnr(Tensor grad, double eps)
    {
        double sigma = grad.Std().Item();
        double norm = grad.Norm().Item();
        return double.IsNaN(sigma) || sigma == 0 ? norm : norm / (sigma + eps);
    }
}
