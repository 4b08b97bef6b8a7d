using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Evaluation;

/// <summary>Computes <see cref="RegressionMetrics"/> from label and score columns (in double precision).</summary>
public static class RegressionEvaluator
{
    public static RegressionMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score")
    {
        ArgumentNullException.ThrowIfNull(data);
        var (labels, k) = data.GetFloatRows(labelColumnName, "labelColumnName");
        var (scores, ks) = data.GetFloatRows(scoreColumnName, "scoreColumnName");
        if (k != ks) throw new ArgumentException($"Column '{labelColumnName}' has {k} values per row but '{scoreColumnName}' has {ks}.");
        return Compute(labels, scores, k);
    }

    /// <summary>Metrics of row-major label and score arrays with <paramref name="perRow"/> targets.</summary>
    public static RegressionMetrics Compute(ReadOnlySpan<float> labels, ReadOnlySpan<float> scores, int perRow)
    {
        if (labels.Length != scores.Length) throw new ArgumentException($"{labels.Length} labels but {scores.Length} scores.");
        int n = labels.Length / perRow;
        if (n == 0) throw new ArgumentException("There is nothing to evaluate: the data has no rows.");
        var targets = new List<TargetMetrics>();
        double absSum = 0, sqSum = 0;
        for (int t = 0; t < perRow; t++)
        {
            double mean = 0, meanScore = 0;
            for (int i = 0; i < n; i++)
            {
                double y = labels[i * perRow + t];
                if (!double.IsFinite(y)) throw new ArgumentException($"Row {i} has a non-finite label ({y}) in target {t}.");
                mean += y;
                meanScore += scores[i * perRow + t];
            }
            mean /= n;
            meanScore /= n;
            double abs = 0, sq = 0, total = 0, sxy = 0, sxx = 0, syy = 0;
            for (int i = 0; i < n; i++)
            {
                double y = labels[i * perRow + t], p = scores[i * perRow + t];
                abs += Math.Abs(p - y);
                sq += (p - y) * (p - y);
                total += (y - mean) * (y - mean);
                sxy += (p - meanScore) * (y - mean);
                sxx += (p - meanScore) * (p - meanScore);
                syy += (y - mean) * (y - mean);
            }
            absSum += abs;
            sqSum += sq;
            double r2 = total > 0 ? 1 - sq / total : double.NaN;
            double pearson = sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
            targets.Add(new TargetMetrics(t, abs / n, sq / n, Math.Sqrt(sq / n), r2, pearson));
        }
        double mse = sqSum / (n * perRow);
        return new RegressionMetrics(absSum / (n * perRow), mse, Math.Sqrt(mse), targets.Average(x => x.RSquared), mse, targets);
    }
}
