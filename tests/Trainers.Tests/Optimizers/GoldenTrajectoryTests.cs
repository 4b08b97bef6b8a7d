using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// Every optimizer against its reference (torch.optim 1.13, or our paper-derived reference in
/// tests/golden/optim_reference.py): the same gradients in, parameters compared after every step. K-FAC optimizers
/// (AdaFisher) also get each layer's recorded input and output gradient.
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
            Parameter Named(string n) => parameters.Single(p => p.Name == n).Parameter;
            if (golden.Layers is { } layers)
                foreach (var (weight, bias) in layers.Values)
                    ((AdaFisher)optimizer).AddLayer(Named(weight), bias is null ? null : Named(bias));
            for (int step = 1; step <= golden.Steps; step++)
            {
                if (golden.UsesClosure) StepWithClosure(golden, optimizer, parameters, step, name);
                else
                {
                    foreach (var (n, p) in parameters) p.Grad = golden.Gradient(step, n);
                    foreach (var (layer, (weight, _)) in golden.Layers ?? new Dictionary<string, (string, string?)>())
                        ((AdaFisher)optimizer).Observe(Named(weight), golden.LayerInput(step, layer), golden.LayerOutputGradient(step, layer));
                    optimizer.Step();
                }
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

    /// <summary>
    /// A closure-driven step: each closure call checks the parameters it sees against the reference's (so SAM's
    /// perturbation is checked too), then replays the recorded gradients and loss, or evaluates the quadratic live.
    /// </summary>
    private static void StepWithClosure(GoldenTrajectory golden, Optimizer optimizer, List<NamedParameter> parameters, int step, string name)
    {
        int call = 0;
        double Closure()
        {
            call++;
            if (!golden.HasCall(step, call)) Assert.Fail($"{name}: step {step} called the closure more often ({call}) than the reference.");
            using var scope = DisposeScope.Enter();
            foreach (var (n, p) in parameters)
            {
                p.Grad = null;
                Tensor expected = golden.CallParameter(step, call, n);
                if (!p.AllClose(expected, rtol: 1e-5, atol: 1e-6))
                {
                    using var diff = p.Sub(expected).Abs().Max();
                    Assert.Fail($"{name}: parameter '{n}' seen by closure call {call} of step {step} differs from {golden.Reference} (max |diff| {diff.Item():G4}).");
                }
            }
            if (golden.LiveProblem == "quadratic")
            {
                Parameter x = parameters.Single().Parameter;
                Tensor loss = (golden.ProblemData("a") * (x - golden.ProblemData("b")).Square()).Sum() * 0.5;
                LossClosure.Backward(loss);
                return loss.Item();
            }
            foreach (var (n, p) in parameters) p.Grad = golden.CallGradient(step, call, n);
            return golden.CallLoss(step, call);
        }
        optimizer.Step(Closure);
        golden.HasCall(step, call + 1).Should().BeFalse($"{name}: step {step} must call the closure as often as the reference");
    }
}
