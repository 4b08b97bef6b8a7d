namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>An optimizer step must not grow the number of live native tensors.</summary>
public class LeakTests
{
    [TestCaseSource(typeof(OptimizerCatalog), nameof(OptimizerCatalog.Names))]
    public void FiveHundredStepsKeepTheLiveTensorCountConstant(string name)
    {
        using var problem = new TinyRegression();
        using Optimizer optimizer = OptimizerRegistry.Create(name).Create(problem.Model);
        long after2 = 0;
        for (int step = 1; step <= 500; step++)
        {
            problem.TrainStep(optimizer);
            if (step == 2)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                after2 = TorchRuntime.LiveTensorCount;
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TorchRuntime.LiveTensorCount.Should().Be(after2, $"{name} must not leak tensors across steps");
    }
}
