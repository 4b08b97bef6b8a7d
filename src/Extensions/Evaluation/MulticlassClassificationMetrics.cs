namespace TorchZoo.Extensions.Evaluation;

/// <summary>Counts of (true class, predicted class) with ML.NET's shape: rows are true classes.</summary>
public sealed record ConfusionMatrix(IReadOnlyList<string> Classes, long[,] Counts)
{
    /// <summary>Precision of each class: correct predictions of it / all predictions of it.</summary>
    public IReadOnlyList<double> PerClassPrecision => Enumerable.Range(0, Classes.Count).Select(c =>
    {
        long predicted = Enumerable.Range(0, Classes.Count).Sum(r => Counts[r, c]);
        return predicted == 0 ? 0 : (double)Counts[c, c] / predicted;
    }).ToList();

    /// <summary>Recall of each class: correct predictions of it / all examples of it.</summary>
    public IReadOnlyList<double> PerClassRecall => Enumerable.Range(0, Classes.Count).Select(r =>
    {
        long actual = Enumerable.Range(0, Classes.Count).Sum(c => Counts[r, c]);
        return actual == 0 ? 0 : (double)Counts[r, r] / actual;
    }).ToList();

    /// <summary>A fixed-width table for consoles.</summary>
    public string GetFormattedConfusionTable()
    {
        int w = Math.Max(7, Classes.Max(c => c.Length) + 1);
        var sb = new System.Text.StringBuilder();
        sb.Append("truth \\ pred".PadRight(w + 5));
        foreach (string c in Classes) sb.Append(c.PadLeft(w));
        sb.AppendLine();
        for (int r = 0; r < Classes.Count; r++)
        {
            sb.Append(Classes[r].PadRight(w + 5));
            for (int c = 0; c < Classes.Count; c++) sb.Append(Counts[r, c].ToString().PadLeft(w));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

/// <summary>Multiclass quality with ML.NET's property names.</summary>
/// <param name="MicroAccuracy">Fraction of examples classified correctly.</param>
/// <param name="MacroAccuracy">Mean over classes of each class's recall.</param>
/// <param name="LogLoss">Mean of −ln p(true class) (probabilities clamped at 1e-15).</param>
/// <param name="LogLossReduction">1 − LogLoss / (log loss of predicting the class frequencies).</param>
/// <param name="PerClassLogLoss">The log-loss over each class's examples, indexed by class (key value − 1); NaN for a class with none.</param>
/// <param name="TopKPredictionCount">K of <paramref name="TopKAccuracy"/>.</param>
/// <param name="TopKAccuracy">Fraction whose true class is among the K most probable (K = <see cref="TopKPredictionCount"/>).</param>
/// <param name="TopKAccuracyForAllK">The top-k accuracy for every k from 1 to the number of classes (index k − 1).</param>
/// <param name="ConfusionMatrix">Counts of true class (rows) against predicted class (columns).</param>
public sealed record MulticlassClassificationMetrics(
    double MicroAccuracy,
    double MacroAccuracy,
    double LogLoss,
    double LogLossReduction,
    IReadOnlyList<double> PerClassLogLoss,
    int TopKPredictionCount,
    double TopKAccuracy,
    IReadOnlyList<double> TopKAccuracyForAllK,
    ConfusionMatrix ConfusionMatrix);

/// <summary>Binary quality with ML.NET's property names.</summary>
public sealed record BinaryClassificationMetrics(
    double Accuracy,
    double AreaUnderRocCurve,
    double AreaUnderPrecisionRecallCurve,
    double F1Score,
    double PositivePrecision,
    double PositiveRecall,
    double NegativePrecision,
    double NegativeRecall,
    double LogLoss,
    double LogLossReduction,
    double Entropy,
    ConfusionMatrix ConfusionMatrix);
