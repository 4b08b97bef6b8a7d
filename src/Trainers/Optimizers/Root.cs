using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// ROOT (He et al., "ROOT: Robust Orthogonalized Optimizer", arXiv 2511.20626), TorchZoo's reading: Muon with the
/// momentum's outliers removed by soft-thresholding before orthogonalization:
/// <code>
/// M ← μM + G;  O = sign(M)·max(|M| − ε, 0) (the outliers);  B = M − O = clamp(M, −ε, ε)
/// θ ← θ·(1 − ηλ) − η·√max(1, m/n)·NS5(B)
/// </code>
/// UNCERTAIN: the paper tunes the Newton–Schulz coefficients per matrix shape; that table was not available, so
/// <see cref="Coefficients"/> defaults to Muon's quintic ones. The threshold ε is an option: a fixed
/// <see cref="OutlierThreshold"/>, or (when it is 0, the default) the <see cref="OutlierQuantile"/>-quantile of |M| computed
/// per matrix and step (the official toy script computes quantiles; 0.99 is our choice). Hidden matrices only; the rest
/// goes to the AdamW fallback. Defaults η = 0.02 (Muon's original scale √max(1, m/n)), μ = 0.95, λ = 0. State: 4 bytes/parameter.
/// </summary>
public sealed record RootOptions : MatrixOptimizerOptions
{
    public RootOptions() => LearningRate = 0.02;

    public double Momentum { get; init => field = OptionChecks.Beta(value, nameof(Momentum)); } = 0.95;

    /// <summary>A fixed soft-threshold ε (&gt; 0), or 0 to use <see cref="OutlierQuantile"/>.</summary>
    public double OutlierThreshold { get; init => field = OptionChecks.NonNegative(value, nameof(OutlierThreshold)); }

    /// <summary>When <see cref="OutlierThreshold"/> is 0: ε is this quantile of |M| (the sorted value at index ⌊q(N−1)⌋).</summary>
    public double OutlierQuantile { get; init => field = OptionChecks.UnitInterval(value, nameof(OutlierQuantile)); } = 0.99;

    public int NewtonSchulzSteps { get; init => field = OptionChecks.AtLeast(value, 1, nameof(NewtonSchulzSteps)); } = 5;

    public NewtonSchulzCoefficients Coefficients { get; init => field = OptionChecks.NotNull(value, nameof(Coefficients)); } = NewtonSchulzCoefficients.Quintic;

    public override string Name => "root";

    protected internal override Optimizer CreateMatrixOptimizer(IReadOnlyList<ParameterGroupSpec> groups) => new Root(this, groups);
}

/// <summary>The matrix side of ROOT; see <see cref="RootOptions"/>.</summary>
public sealed class Root : ParameterwiseOptimizer<RootOptions>
{
    internal Root(RootOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    protected override void Update(ParamGroup group, RootOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        Tensor m = state.GetOrCreate("momentum_buffer", () => p.ZerosLike());
        m.Mul_(o.Momentum).Add_(grad);
        Tensor matrix = m.Reshape(p.Size(0), -1);
        double eps = o.OutlierThreshold;
        if (eps == 0)
        {
            // The sorted value at index k, found by selection: the same value as the reference's sort, in linear time
            // (on ViT-B's 2.4M-element matrices the sort was most of the step).
            Tensor magnitudes = matrix.Abs().Flatten();
            long k = (long)Math.Floor(o.OutlierQuantile * (magnitudes.NumberOfElements - 1));
            eps = magnitudes.Kthvalue(k + 1).Values.Item();
        }
        Tensor clipped = matrix.Clamp(-eps, eps);
        Tensor update = NewtonSchulz.Orthogonalize(clipped, o.Coefficients, o.NewtonSchulzSteps);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Sub_(update.View(p.Shape), lr * Math.Sqrt(Math.Max(1.0, (double)matrix.Size(0) / matrix.Size(1))));
    }
}
