using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Trainers.Tests.Training;

/// <summary>A small noisy regression problem and a model with dropout, shared by the training-loop tests.</summary>
public static class TrainingFixtures
{
    /// <summary>y = sin(2x₀) + 0.5·x₁ + noise, features (n, 2), targets (n, 1).</summary>
    public static TensorDataset Regression(int n, ulong seed, double noise = 0.05)
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(seed);
        Tensor x = Tensor.Rand(new long[] { n, 2 }, g).Mul_(4).Sub_(2);
        Tensor y = x.Select(1, 0).Mul(2).Sin().Add(x.Select(1, 1).Mul(0.5)).Unsqueeze(1);
        y = y.Add(Tensor.Randn(new long[] { n, 1 }, g).Mul_(noise));
        return new TensorDataset(x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    public static Sequential Model(ulong seed, int width = 32, double dropout = 0.1)
    {
        using var g = new Generator(seed);
        return new Sequential(new Linear(2, width, generator: g), new Gelu(), new Dropout(dropout), new Linear(width, width, generator: g), new Gelu(), new Linear(width, 1, generator: g));
    }

    public static Tensor Mse(Tensor prediction, Tensor target) => Functional.MseLoss(prediction, target);

    public static bool SameWeights(Module a, Module b) =>
        a.NamedParameters().Zip(b.NamedParameters()).All(pair => pair.First.Parameter.Equal(pair.Second.Parameter));
}
