namespace TorchZoo.Extensions.Evaluation;

/// <summary>Metrics of one target of a (multi-output) regression.</summary>
public sealed record TargetMetrics(int Index, double MeanAbsoluteError, double MeanSquaredError, double RootMeanSquaredError, double RSquared, double PearsonCorrelation);

/// <summary>
/// Regression quality, with ML.NET's property names. For vector labels the top-level values are averaged over
/// the targets (errors over all values; R² as the mean of the per-target R²), and <see cref="PerTarget"/> gives
/// each target's values including its Pearson correlation.
/// </summary>
public sealed record RegressionMetrics(
    double MeanAbsoluteError,
    double MeanSquaredError,
    double RootMeanSquaredError,
    double RSquared,
    double LossFunction,
    IReadOnlyList<TargetMetrics> PerTarget);
