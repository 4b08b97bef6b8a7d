using TorchZoo.Extensions.Evaluation;

namespace TorchZoo.Extensions.Tests;

/// <summary>Metrics against values computed by hand.</summary>
public class MetricsTests
{
    [Test]
    public void RegressionMetricsMatchHandComputedValues()
    {
        // labels 1, 2, 3, 4; scores 1.5, 2, 2, 5: errors 0.5, 0, −1, 1.
        var m = RegressionEvaluator.Compute(new float[] { 1, 2, 3, 4 }, new float[] { 1.5f, 2, 2, 5 }, 1);
        m.MeanAbsoluteError.Should().BeApproximately(2.5 / 4, 1e-12);
        m.MeanSquaredError.Should().BeApproximately(2.25 / 4, 1e-12);
        m.RootMeanSquaredError.Should().BeApproximately(Math.Sqrt(2.25 / 4), 1e-12);
        m.RSquared.Should().BeApproximately(1 - 2.25 / 5, 1e-12, "total sum of squares around the mean 2.5 is 5");
        m.LossFunction.Should().Be(m.MeanSquaredError);
        // Pearson of (1,2,3,4) with (1.5,2,2,5): means 2.5 and 2.625.
        double sxy = (-1.5 * -1.125) + (-0.5 * -0.625) + (0.5 * -0.625) + (1.5 * 2.375);
        double sxx = 1.125 * 1.125 + 0.625 * 0.625 + 0.625 * 0.625 + 2.375 * 2.375;
        m.PerTarget[0].PearsonCorrelation.Should().BeApproximately(sxy / Math.Sqrt(5 * sxx), 1e-7);
    }

    [Test]
    public void VectorLabelsGetPerTargetMetrics()
    {
        // Target 0 perfect, target 1 off by 1 everywhere.
        var m = RegressionEvaluator.Compute(new float[] { 1, 10, 2, 20, 3, 30 }, new float[] { 1, 11, 2, 21, 3, 31 }, 2);
        m.PerTarget.Should().HaveCount(2);
        m.PerTarget[0].MeanAbsoluteError.Should().Be(0);
        m.PerTarget[0].RSquared.Should().Be(1);
        m.PerTarget[1].MeanAbsoluteError.Should().Be(1);
        m.PerTarget[1].RSquared.Should().BeApproximately(1 - 3.0 / 200, 1e-12);
        m.PerTarget[1].PearsonCorrelation.Should().BeApproximately(1, 1e-9);
        m.MeanAbsoluteError.Should().Be(0.5);
    }

    [Test]
    public void NonFiniteLabelsAreRejected()
    {
        Action a = () => RegressionEvaluator.Compute(new[] { 1f, float.NaN }, new[] { 1f, 2f }, 1);
        a.Should().Throw<ArgumentException>().WithMessage("Row 1 has a non-finite label*");
    }

    [Test]
    public void MulticlassMetricsMatchHandComputedValues()
    {
        // 3 classes, 4 examples. Rows: true class (1-based key) and probabilities.
        uint[] labels = { 1, 2, 3, 3 };
        float[] p =
        {
            0.7f, 0.2f, 0.1f,   // correct (class 1)
            0.5f, 0.4f, 0.1f,   // wrong: predicts 1, true 2 (rank 1)
            0.1f, 0.1f, 0.8f,   // correct
            0.3f, 0.6f, 0.1f,   // wrong: predicts 2, true 3 (rank 2)
        };
        var m = ClassificationEvaluators.Multiclass(labels, p, new[] { "a", "b", "c" }, topK: 2);
        m.MicroAccuracy.Should().Be(0.5);
        m.MacroAccuracy.Should().BeApproximately((1 + 0 + 0.5) / 3, 1e-12);
        double logLoss = -(Math.Log(0.7f) + Math.Log(0.4f) + Math.Log(0.8f) + Math.Log(0.1f)) / 4;
        m.LogLoss.Should().BeApproximately(logLoss, 1e-9);
        double prior = -(0.25 * Math.Log(0.25) * 2 + 0.5 * Math.Log(0.5));
        m.LogLossReduction.Should().BeApproximately(1 - logLoss / prior, 1e-9);
        m.PerClassLogLoss[2].Should().BeApproximately(-(Math.Log(0.8f) + Math.Log(0.1f)) / 2, 1e-9);
        m.TopKAccuracy.Should().Be(0.75, "the second example's true class is the runner-up");
        m.TopKAccuracyForAllK.Should().Equal(0.5, 0.75, 1.0);
        m.ConfusionMatrix.Counts[1, 0].Should().Be(1);
        m.ConfusionMatrix.Counts[2, 1].Should().Be(1);
        m.ConfusionMatrix.Counts[2, 2].Should().Be(1);
        m.ConfusionMatrix.PerClassRecall.Should().Equal(1.0, 0.0, 0.5);
    }

    [Test]
    public void BinaryMetricsMatchHandComputedValues()
    {
        bool[] labels = { true, true, false, false, true };
        float[] prob = { 0.9f, 0.4f, 0.35f, 0.1f, 0.8f };
        bool[] predicted = prob.Select(p => p >= 0.5f).ToArray();
        var m = ClassificationEvaluators.Binary(labels, prob, predicted);
        m.Accuracy.Should().Be(0.8);
        m.PositivePrecision.Should().Be(1);
        m.PositiveRecall.Should().BeApproximately(2.0 / 3, 1e-12);
        m.NegativeRecall.Should().Be(1);
        m.F1Score.Should().BeApproximately(0.8, 1e-12);
        m.AreaUnderRocCurve.Should().Be(1, "every positive scores above every negative");
        m.AreaUnderPrecisionRecallCurve.Should().Be(1);
        double logLoss = -(Math.Log(0.9f) + Math.Log(0.4f) + Math.Log(1 - (double)0.35f) + Math.Log(1 - (double)0.1f) + Math.Log(0.8f)) / 5;
        m.LogLoss.Should().BeApproximately(logLoss, 1e-9);
    }

    [Test]
    public void AucCountsTiesAsHalf()
    {
        var m = ClassificationEvaluators.Binary(new[] { true, false }, new[] { 0.5f, 0.5f }, new[] { true, true });
        m.AreaUnderRocCurve.Should().Be(0.5);
    }
}
