namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// Every optimizer against its reference (torch.optim 1.13, or our paper-derived reference in
/// tests/golden/optim_reference.py): the same gradients in, parameters compared after every step.
/// </summary>
public class GoldenTrajectoryTests
{
    public static IEnumerable<string> Cases => GoldenTrajectory.Names();

    [TestCaseSource(nameof(Cases))]
    public void MatchesReferenceStepByStep(string name)
    {
        using var golden = new GoldenTrajectory(name);
        List<NamedParameter> parameters = golden.CreateParameters();
        try
        {
            using Optimizer optimizer = golden.BuildOptions().Create(parameters);
            for (int step = 1; step <= golden.Steps; step++)
            {
                foreach (var (n, p) in parameters) p.Grad = golden.Gradient(step, n);
                optimizer.Step();
                foreach (var (n, p) in parameters)
                {
                    Tensor expected = golden.ParameterAfter(step, n);
                    if (!p.AllClose(expected, rtol: 1e-5, atol: 1e-6))
                    {
                        using var diff = p.Sub(expected).Abs().Max();
                        Assert.Fail($"{name}: parameter '{n}' differs from {golden.Reference} after step {step} (max |diff| {diff.Item():G4}).");
                    }
                }
            }
            optimizer.StepCount.Should().Be(golden.Steps);
        }
        finally
        {
            foreach (var (_, p) in parameters) p.Dispose();
        }
    }
}
