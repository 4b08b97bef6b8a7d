using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>A small two-layer perceptron on fixed data: the common workload of the generic optimizer tests.</summary>
public sealed class TinyRegression : IDisposable
{
    public TinyRegression(ulong seed = 7)
    {
        using var g = new Generator(seed);
        Model = new Mlp(g);
        Inputs = Tensor.Randn(new long[] { 32, 6 }, g).DetachFromDisposeScope();
        using var w = Tensor.Randn(new long[] { 6, 2 }, g);
        Targets = Inputs.Matmul(w).Tanh().DetachFromDisposeScope();
    }

    public Mlp Model { get; }
    public Tensor Inputs { get; }
    public Tensor Targets { get; }

    /// <summary>Loss on the fixed data; fills the gradients. Also the loss closure of closure-driven optimizers.</summary>
    public double LossAndBackward()
    {
        using var scope = DisposeScope.Enter();
        Model.ZeroGrad();
        Tensor loss = Functional.MseLoss(Model.Forward(Inputs), Targets);
        LossClosure.Backward(loss);
        return loss.Item();
    }

    /// <summary>One training step: through the closure when the optimizer needs it, else backward then Step().</summary>
    public void TrainStep(Optimizer optimizer)
    {
        if (optimizer.RequiresClosure)
        {
            optimizer.Step(LossAndBackward);
            return;
        }
        LossAndBackward();
        optimizer.Step();
    }

    public double Loss()
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        return Functional.MseLoss(Model.Forward(Inputs), Targets).Item();
    }

    public void Dispose()
    {
        Model.Dispose();
        Inputs.Dispose();
        Targets.Dispose();
    }

    public sealed class Mlp : Module<Tensor, Tensor>
    {
        public Mlp(Generator g)
        {
            Hidden = RegisterModule("hidden", new Linear(6, 16, generator: g));
            Head = RegisterModule("head", new Linear(16, 2, generator: g));
        }

        public Linear Hidden { get; }
        public Linear Head { get; }

        public override Tensor Forward(Tensor input) => Head.Forward(Hidden.Forward(input).Tanh());
    }
}

public static class OptimizerCatalog
{
    /// <summary>Every registered optimizer, by name (each test runs once per optimizer).</summary>
    public static IEnumerable<string> Names => OptimizerRegistry.Names;
}
