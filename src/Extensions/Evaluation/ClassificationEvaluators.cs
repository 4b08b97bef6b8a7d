using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Evaluation;

/// <summary>Computes classification metrics from label, score and prediction columns.</summary>
public static class ClassificationEvaluators
{
    private const double MinProbability = 1e-15;

    public static MulticlassClassificationMetrics EvaluateMulticlass(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score", int topKPredictionCount = 0)
    {
        if (data.Schema[labelColumnName].Type is not KeyDataViewType key)
            throw new ArgumentException($"Column '{labelColumnName}' holds {data.Schema[labelColumnName].Type} values; multiclass evaluation needs key labels (labelColumnName).");
        uint[] labels = data.GetScalars<uint>(labelColumnName, "labelColumnName");
        VectorColumn scores = data.GetVectors(scoreColumnName, "scoreColumnName");
        if (scores.VectorType.Size != key.Count)
            throw new ArgumentException($"Column '{scoreColumnName}' has {scores.VectorType.Size} scores per row but the label has {key.Count} classes.");
        return Multiclass(labels, scores.Values, key.Labels, topKPredictionCount);
    }

    /// <summary>Metrics from 1-based keys and row-major class probabilities.</summary>
    public static MulticlassClassificationMetrics Multiclass(IReadOnlyList<uint> labels, IReadOnlyList<float> probabilities, IReadOnlyList<string> classes, int topK = 0)
    {
        int k = classes.Count, n = labels.Count;
        if (n == 0) throw new ArgumentException("There is nothing to evaluate: the data has no rows.");
        if (topK < 0 || topK > k) throw new ArgumentOutOfRangeException(nameof(topK), topK, $"topKPredictionCount must be in 0..{k}.");
        var counts = new long[k, k];
        var perClassLoss = new double[k];
        var perClassCount = new long[k];
        var rankHits = new long[k];
        double logLoss = 0;
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] == 0 || labels[i] > k) throw new ArgumentException($"Row {i} has a missing or unknown class (key {labels[i]}).");
            int y = (int)labels[i] - 1;
            int at = i * k;
            int predicted = 0;
            for (int c = 1; c < k; c++)
                if (probabilities[at + c] > probabilities[at + predicted]) predicted = c;
            counts[y, predicted]++;
            if (predicted == y) correct++;
            double p = Math.Max(probabilities[at + y], MinProbability);
            logLoss -= Math.Log(p);
            perClassLoss[y] -= Math.Log(p);
            perClassCount[y]++;
            // Rank of the true class: how many classes score strictly higher.
            int rank = 0;
            for (int c = 0; c < k; c++)
                if (probabilities[at + c] > probabilities[at + y]) rank++;
            rankHits[rank]++;
        }
        logLoss /= n;
        double priorLogLoss = 0;
        for (int c = 0; c < k; c++)
            if (perClassCount[c] > 0)
            {
                double f = (double)perClassCount[c] / n;
                priorLogLoss -= f * Math.Log(f);
            }
        var recalls = Enumerable.Range(0, k).Where(c => perClassCount[c] > 0).Select(c => (double)counts[c, c] / perClassCount[c]).ToList();
        var topKAll = new double[k];
        long cumulative = 0;
        for (int r = 0; r < k; r++)
        {
            cumulative += rankHits[r];
            topKAll[r] = (double)cumulative / n;
        }
        return new MulticlassClassificationMetrics(
            (double)correct / n,
            recalls.Average(),
            logLoss,
            priorLogLoss > 0 ? 1 - logLoss / priorLogLoss : double.NaN,
            Enumerable.Range(0, k).Select(c => perClassCount[c] > 0 ? perClassLoss[c] / perClassCount[c] : double.NaN).ToList(),
            topK,
            topK > 0 ? topKAll[topK - 1] : double.NaN,
            topKAll,
            new ConfusionMatrix(classes.ToList(), counts));
    }

    public static BinaryClassificationMetrics EvaluateBinary(IDataView data, string labelColumnName = "Label", string probabilityColumnName = "Probability", string predictedLabelColumnName = "PredictedLabel")
    {
        bool[] labels = data.GetScalars<bool>(labelColumnName, "labelColumnName");
        float[] probability = data.GetScalars<float>(probabilityColumnName, "probabilityColumnName");
        bool[] predicted = data.GetScalars<bool>(predictedLabelColumnName, "predictedLabelColumnName");
        return Binary(labels, probability, predicted);
    }

    public static BinaryClassificationMetrics Binary(IReadOnlyList<bool> labels, IReadOnlyList<float> probability, IReadOnlyList<bool> predicted)
    {
        int n = labels.Count;
        if (n == 0) throw new ArgumentException("There is nothing to evaluate: the data has no rows.");
        long tp = 0, tn = 0, fp = 0, fn = 0;
        double logLoss = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] && predicted[i]) tp++;
            else if (!labels[i] && !predicted[i]) tn++;
            else if (predicted[i]) fp++;
            else fn++;
            double p = Math.Clamp(probability[i], MinProbability, 1 - MinProbability);
            logLoss -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }
        logLoss /= n;
        double positive = (double)labels.Count(l => l) / n;
        double entropy = positive is 0 or 1 ? 0 : -(positive * Math.Log(positive) + (1 - positive) * Math.Log(1 - positive));
        double precision = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
        double recall = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
        return new BinaryClassificationMetrics(
            (double)(tp + tn) / n,
            Auc(labels, probability),
            AuPrc(labels, probability),
            precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall),
            precision, recall,
            tn + fn == 0 ? 0 : (double)tn / (tn + fn),
            tn + fp == 0 ? 0 : (double)tn / (tn + fp),
            logLoss,
            entropy > 0 ? 1 - logLoss / entropy : double.NaN,
            entropy,
            new ConfusionMatrix(new[] { "True", "False" }, new long[,] { { tp, fn }, { fp, tn } }));
    }

    /// <summary>Area under the ROC curve: the probability a random positive scores above a random negative (ties count half).</summary>
    private static double Auc(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        long positives = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j < order.Length && scores[order[j]] == scores[order[i]]) j++;
            double averageRank = (i + 1 + j) / 2.0;
            for (int t = i; t < j; t++)
                if (labels[order[t]])
                {
                    rankSum += averageRank;
                    positives++;
                }
            i = j;
        }
        long negatives = labels.Count - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Area under the precision–recall curve by average precision over the ranked positives.</summary>
    private static double AuPrc(IReadOnlyList<bool> labels, IReadOnlyList<float> scores)
    {
        var order = Enumerable.Range(0, labels.Count).OrderByDescending(i => scores[i]).ToArray();
        long positives = labels.Count(l => l);
        if (positives == 0) return double.NaN;
        double sum = 0;
        long hits = 0;
        for (int i = 0; i < order.Length; i++)
            if (labels[order[i]])
            {
                hits++;
                sum += (double)hits / (i + 1);
            }
        return sum / positives;
    }
}
