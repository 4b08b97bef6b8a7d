// Quickstart: fit y = sin(3x) + noise with a two-layer MLP, using only tensors, autograd and plain SGD
// with momentum written out by hand. Prints the loss every 100 steps.
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

const int Steps = 1000;
const double LearningRate = 0.05, Momentum = 0.9;

TorchRuntime.ManualSeed(0);
TorchRuntime.NumThreads = Math.Min(Environment.ProcessorCount, 2);

using var x = Tensor.Linspace(-1, 1, 256).Unsqueeze(1);
using var y = x.Mul(3).Sin().Add(x.RandnLike().Mul(0.05));

using var model = new Sequential(new Linear(1, 64), new Gelu(), new Linear(64, 1));
var parameters = model.Parameters().ToList();
var velocity = parameters.Select(p => p.ZerosLike().DetachFromDisposeScope()).ToList();

Console.WriteLine($"TorchZoo quickstart on libtorch {TorchRuntime.Version}: {model.ParameterCount} parameters, {TorchRuntime.NumThreads} threads, " +
                  $"OpenBLAS kernels {TorchRuntime.BlasCore ?? "(not OpenBLAS)"}");
double first = double.NaN, last = double.NaN;
for (int step = 1; step <= Steps; step++)
{
    using var scope = DisposeScope.Enter();
    model.ZeroGrad();
    Tensor loss = Functional.MseLoss(model.Forward(x), y);
    loss.Backward();
    using (Autograd.NoGrad())
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            using Tensor grad = parameters[i].Grad!;
            velocity[i].Mul_(Momentum).Add_(grad);
            parameters[i].Sub_(velocity[i], LearningRate);
        }
    }
    double value = loss.Item();
    if (step == 1) first = value;
    last = value;
    if (step == 1 || step % 100 == 0) Console.WriteLine($"step {step,5}  loss {value:F6}");
}

foreach (var v in velocity) v.Dispose();
Console.WriteLine($"loss fell from {first:F4} to {last:F6} ({first / last:F0}x)");
return last < first / 10 ? 0 : 1;

