using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Evaluation;

namespace TorchZoo.Extensions.Auto;

/// <summary>The task a trainer solves; it picks the built-in metrics and the default one.</summary>
public enum AutoTask
{
    Regression,
    MulticlassClassification,
    BinaryClassification,
}

/// <summary>How trials are compared: a name, a direction and a function of the scored validation data.</summary>
public sealed record ExperimentMetric
{
    public ExperimentMetric(string name, Func<IDataView, double> evaluate, bool maximize)
    {
        Name = string.IsNullOrWhiteSpace(name) ? throw new ArgumentException("The metric needs a name.", nameof(name)) : name;
        Evaluate = evaluate ?? throw new ArgumentNullException(nameof(evaluate));
        Maximize = maximize;
    }

    public string Name { get; }

    /// <summary>Computes the metric from the validation data as the trial's model scored it.</summary>
    public Func<IDataView, double> Evaluate { get; }

    public bool Maximize { get; }

    /// <summary>What tuners minimize: the metric, negated when it is maximized (+∞ when not finite).</summary>
    public double ToLoss(double metric) => !double.IsFinite(metric) ? double.PositiveInfinity : Maximize ? -metric : metric;

    public static IReadOnlyList<string> RegressionNames { get; } = new[] { "RSquared", "MeanSquaredError", "RootMeanSquaredError", "MeanAbsoluteError", "PearsonMean" };

    public static IReadOnlyList<string> MulticlassNames { get; } = new[] { "MicroAccuracy", "MacroAccuracy", "LogLoss", "LogLossReduction" };

    public static IReadOnlyList<string> BinaryNames { get; } = new[] { "Accuracy", "AreaUnderRocCurve", "F1Score", "LogLoss" };

    /// <summary>
    /// A regression metric: RSquared (maximized), MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError
    /// (minimized), or PearsonMean (the mean over targets of the Pearson correlation, maximized).
    /// </summary>
    public static ExperimentMetric Regression(string name = "RSquared", string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        Func<RegressionMetrics, double> pick = name switch
        {
            "RSquared" => m => m.RSquared,
            "MeanSquaredError" => m => m.MeanSquaredError,
            "RootMeanSquaredError" => m => m.RootMeanSquaredError,
            "MeanAbsoluteError" => m => m.MeanAbsoluteError,
            "PearsonMean" => m => m.PerTarget.Average(t => t.PearsonCorrelation),
            _ => throw Unknown(name, "regression", RegressionNames),
        };
        return new ExperimentMetric(name, data => pick(RegressionEvaluator.Evaluate(data, labelColumnName, scoreColumnName)), name is "RSquared" or "PearsonMean");
    }

    /// <summary>A multiclass metric: MicroAccuracy, MacroAccuracy, LogLossReduction (maximized) or LogLoss (minimized).</summary>
    public static ExperimentMetric Multiclass(string name = "MicroAccuracy", string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        Func<MulticlassClassificationMetrics, double> pick = name switch
        {
            "MicroAccuracy" => m => m.MicroAccuracy,
            "MacroAccuracy" => m => m.MacroAccuracy,
            "LogLoss" => m => m.LogLoss,
            "LogLossReduction" => m => m.LogLossReduction,
            _ => throw Unknown(name, "multiclass", MulticlassNames),
        };
        return new ExperimentMetric(name, data => pick(ClassificationEvaluators.EvaluateMulticlass(data, labelColumnName, scoreColumnName, 0)), name != "LogLoss");
    }

    /// <summary>A binary metric: Accuracy, AreaUnderRocCurve, F1Score (maximized) or LogLoss (minimized).</summary>
    public static ExperimentMetric Binary(string name = "Accuracy", string labelColumnName = "Label", string probabilityColumnName = "Probability",
        string predictedLabelColumnName = "PredictedLabel")
    {
        Func<BinaryClassificationMetrics, double> pick = name switch
        {
            "Accuracy" => m => m.Accuracy,
            "AreaUnderRocCurve" => m => m.AreaUnderRocCurve,
            "F1Score" => m => m.F1Score,
            "LogLoss" => m => m.LogLoss,
            _ => throw Unknown(name, "binary", BinaryNames),
        };
        return new ExperimentMetric(name,
            data => pick(ClassificationEvaluators.EvaluateBinary(data, labelColumnName, probabilityColumnName, predictedLabelColumnName)), name != "LogLoss");
    }

    /// <summary>The built-in metric <paramref name="name"/> of <paramref name="task"/>.</summary>
    public static ExperimentMetric For(AutoTask task, string name, string labelColumnName = "Label", string scoreColumnName = "Score") => task switch
    {
        AutoTask.Regression => Regression(name, labelColumnName, scoreColumnName),
        AutoTask.MulticlassClassification => Multiclass(name, labelColumnName, scoreColumnName),
        _ => Binary(name, labelColumnName),
    };

    private static ArgumentException Unknown(string name, string task, IReadOnlyList<string> known) =>
        new($"Unknown {task} metric '{name}'; the built-in ones are {string.Join(", ", known)}.", nameof(name));
}
