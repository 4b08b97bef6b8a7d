namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>Every optimizer actually optimizes: a small MLP's loss falls by a stated factor.</summary>
public class ConvergenceTests
{
    // Defaults are tuned for large models; a 2-layer toy wants larger steps. Try a few multiples of the
    // default rate and require that one of them reaches the factor: the test is about the update rule working.
    private static readonly double[] LrMultipliers = { 1, 10, 30 };

    [TestCaseSource(typeof(OptimizerCatalog), nameof(OptimizerCatalog.Names))]
    public void ReducesTinyRegressionLossTenfold(string name)
    {
        var results = new List<string>();
        foreach (double k in LrMultipliers)
        {
            using var problem = new TinyRegression();
            OptimizerOptions options = OptimizerRegistry.Create(name);
            options = options with { LearningRate = options.LearningRate * k };
            using Optimizer optimizer = options.Create(problem.Model);
            double initial = problem.Loss();
            for (int i = 0; i < 300; i++)
            {
                problem.TrainStep(optimizer);
            }
            double final = problem.Loss();
            if (final < initial / 10) return;
            results.Add($"lr×{k}: {initial:G4} → {final:G4}");
        }
        Assert.Fail($"{name} did not reduce the loss tenfold in 300 steps: {string.Join("; ", results)}");
    }
}
