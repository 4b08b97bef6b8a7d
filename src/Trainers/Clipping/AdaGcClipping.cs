using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>
/// AdaGC (Wang et al., "AdaGC: Improving Training Stability for Large Language Model Pretraining", arXiv 2502.11034):
/// per-tensor thresholds from an EMA of each tensor's own gradient norm. During the first
/// <see cref="WarmupSteps"/> steps: global clipping h = min(λ_abs/‖g‖, 1) and γ_i = min over the warmup of ‖h·g_i‖.
/// Afterwards: h_i = min(λ_rel·γ_i/‖g_i‖, 1), ĝ_i = h_i·g_i, γ_i ← β·γ_i + (1−β)·‖ĝ_i‖. Works with any optimizer.
/// Defaults λ_abs = 1, λ_rel = 1.05, β = 0.98, warmup 100 steps. Stateful: one scalar per tensor.
/// </summary>
public sealed class AdaGcClipping : IGradientClipper
{
    private readonly Dictionary<Parameter, double> gamma = new(ReferenceEqualityComparer.Instance);

    public double AbsoluteThreshold { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(AbsoluteThreshold), value, "AbsoluteThreshold (λ_abs) must be > 0."); } = 1.0;

    public double RelativeThreshold { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(RelativeThreshold), value, "RelativeThreshold (λ_rel) must be > 0."); } = 1.05;

    public double Beta { get; init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Beta), value, "Beta must be in [0, 1)."); } = 0.98;

    public int WarmupSteps { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), value, "WarmupSteps must be ≥ 0."); } = 100;

    /// <summary>Steps clipped so far.</summary>
    public long Step { get; private set; }

    /// <summary>The current threshold EMA γ of a parameter (NaN before its first step).</summary>
    public double Threshold(Parameter p) => gamma.TryGetValue(p, out double g) ? g : double.NaN;

    public ClipResult Clip(IReadOnlyList<Parameter> parameters)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        Step++;
        var present = parameters.Where(p => p.HasGrad).ToList();
        List<Tensor> grads = present.Select(p => p.Grad!).ToList();
        double[] norms = TensorList.Norm(grads).Select(n => n.Item()).ToArray();
        double total = Math.Sqrt(norms.Sum(n => n * n));
        bool clipped = false;
        if (Step <= WarmupSteps)
        {
            double h = Math.Min(AbsoluteThreshold / (total + 1e-6), 1);
            if (h < 1)
            {
                TensorList.Mul_(grads, h);
                clipped = true;
            }
            for (int i = 0; i < present.Count; i++)
            {
                double n = h * norms[i];
                gamma[present[i]] = gamma.TryGetValue(present[i], out double g) ? Math.Min(g, n) : n;
            }
            return new ClipResult(total, clipped);
        }
        for (int i = 0; i < present.Count; i++)
        {
            Parameter p = present[i];
            double n = norms[i];
            if (!gamma.TryGetValue(p, out double g)) g = n; // a tensor first seen after the warmup starts from its own norm
            double h = Math.Min(RelativeThreshold * g / (n + 1e-6), 1);
            if (h < 1)
            {
                grads[i].Mul_(h);
                clipped = true;
            }
            gamma[p] = Beta * g + (1 - Beta) * h * n;
        }
        return new ClipResult(total, clipped);
    }

    /// <summary>The state (step and thresholds in parameter order) for checkpoints.</summary>
    public (long Step, double[] Thresholds) GetState(IReadOnlyList<Parameter> parameters) =>
        (Step, parameters.Select(Threshold).ToArray());

    /// <summary>Restores a state from <see cref="GetState"/> for the same parameter order.</summary>
    public void SetState(IReadOnlyList<Parameter> parameters, long step, IReadOnlyList<double> thresholds)
    {
        if (thresholds.Count != parameters.Count)
            throw new ArgumentException($"The AdaGC state has {thresholds.Count} thresholds for {parameters.Count} parameters.", nameof(thresholds));
        Step = step;
        gamma.Clear();
        for (int i = 0; i < parameters.Count; i++)
            if (!double.IsNaN(thresholds[i])) gamma[parameters[i]] = thresholds[i];
    }
}
