using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// Every registered optimizer descends Rosenbrock's banana valley from (−1.5, 2): f falls at least tenfold in 1,000
/// steps for some learning rate among a few multiples of the optimizer's default. Matrix optimizers (Muon, REG, …) get
/// the point as a 1×2 matrix so they update it themselves instead of handing it to their fallback; the others get a
/// vector (a 1×2 matrix would let Ranger21's gradient centralization cancel half the gradient).
/// Adjusted, with reasons: AdaBound tends to SGD at FinalLearningRate (0.1 absolute), which diverges on gradients of
/// order 10³, so it gets 1e-3; Ranger21's warmup and warmdown span TotalIterations, set to the run's length. Gravity
/// is left out: its ζ = g/(1 + (g·max|g|)²) shrinks the step as gradients grow, so it stalls on Rosenbrock's slopes by
/// design (it is tested on the MLP like every optimizer). AdaFisher is left out too: a bare 2-vector has no layer, so its
/// Fisher is the Min-Max-normalized squared-gradient diagonal, which maps the smaller of two entries to 0, so that
/// coordinate always takes the largest step η·m̂/λ (the normalization is meant for layers with many entries; AdaFisher
/// is tested on the MLP with its Kronecker factors).
/// </summary>
public class RosenbrockTests
{
    private const int Steps = 3000;

    private static readonly double[] LrMultipliers = { 0.01, 0.1, 1, 10, 100 };

    public static IEnumerable<string> Names => OptimizerCatalog.Names.Where(n => n is not ("gravity" or "adafisher"));

    [TestCaseSource(nameof(Names))]
    public void EveryOptimizerDescendsTheValley(string name)
    {
        var results = new List<string>();
        foreach (double k in LrMultipliers)
        {
            OptimizerOptions options = OptimizerRegistry.Create(name) switch
            {
                AdaBoundOptions a => a with { FinalLearningRate = 1e-3 },
                Ranger21Options r => r with { TotalIterations = Steps },
                var o => o,
            };
            options = options with { LearningRate = options.LearningRate * k, WeightDecay = 0 };
            bool matrix = options is TorchZoo.Trainers.Optimizers.Routing.MatrixOptimizerOptions;
            using var xy = new Parameter(matrix ? Tensor.FromArray(new float[] { -1.5f, 2f }, 1, 2) : Tensor.FromArray(new float[] { -1.5f, 2f }));
            using Optimizer optimizer = options.Create(new[] { new NamedParameter("weight", xy) });
            double Closure()
            {
                using var scope = DisposeScope.Enter();
                xy.Grad = null;
                Tensor flat = xy.Reshape(2);
                Tensor x = flat.Select(0, 0), y = flat.Select(0, 1);
                Tensor loss = ((1 - x).Square() + (y - x.Square()).Square() * 100).Sum();
                LossClosure.Backward(loss);
                return loss.Item();
            }
            double start = Closure();
            double end = start;
            for (int i = 0; i < Steps && double.IsFinite(end); i++)
                end = optimizer.RequiresClosure ? optimizer.Step(Closure) ?? double.NaN : StepPlain(optimizer, Closure);
            end = Closure();
            if (end < start / 10) return;
            results.Add($"lr×{k}: {start:G4} → {end:G4}");
        }
        Assert.Fail($"{name} did not reduce Rosenbrock tenfold in {Steps} steps: {string.Join("; ", results)}");
    }

    private static double StepPlain(Optimizer optimizer, Func<double> closure)
    {
        double loss = closure();
        optimizer.Step();
        return loss;
    }
}
