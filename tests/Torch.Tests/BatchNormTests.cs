using TorchZoo.Torch.NN;

namespace TorchZoo.Torch.Tests;

/// <summary>BatchNorm2d against the definition: batch statistics in training, running statistics in evaluation.</summary>
public class BatchNormTests
{
    private DisposeScope scope = null!;

    [SetUp]
    public void OpenScope() => scope = DisposeScope.Enter();

    [TearDown]
    public void CloseScope() => scope.Dispose();

    private static Tensor Channel(Tensor perChannel) => perChannel.View(1, -1, 1, 1);

    private static double MaxAbsDiff(Tensor a, Tensor b) => a.Sub(b).Abs().Max().Item();

    [Test]
    public void TrainingNormalizesWithTheBatchAndMovesTheRunningStatistics()
    {
        using var bn = new BatchNorm2d(3, eps: 1e-5, momentum: 0.25);
        using (Autograd.NoGrad())
        {
            bn.Weight.Copy_(Tensor.FromArray(new[] { 1.5f, -0.5f, 2f }));
            bn.Bias.Copy_(Tensor.FromArray(new[] { 0.1f, 0.2f, -0.3f }));
        }
        Tensor x = Tensor.Randn(new long[] { 4, 3, 5, 6 }, new Generator(1)).Mul(3).Add(1);
        long[] dims = { 0, 2, 3 };
        Tensor mean = x.Mean(dims), biased = x.Var(dims, unbiased: false), unbiased = x.Var(dims, unbiased: true);
        Tensor expected = x.Sub(Channel(mean)).Div(Channel(biased.Add(1e-5).Sqrt())).Mul(Channel(bn.Weight)).Add(Channel(bn.Bias));

        Tensor y = bn.Forward(x);

        MaxAbsDiff(y, expected).Should().BeLessThan(1e-5);
        // running = (1 − momentum)·running + momentum·batch, with the unbiased variance (PyTorch's convention).
        MaxAbsDiff(bn.RunningMean, mean.Mul(0.25)).Should().BeLessThan(1e-6);
        MaxAbsDiff(bn.RunningVar, unbiased.Mul(0.25).Add(0.75)).Should().BeLessThan(1e-5);
        bn.BatchesTracked.Item().Should().Be(1);
        bn.NamedBuffers().Select(b => b.Name).Should().Equal("running_mean", "running_var", "num_batches_tracked");
        bn.StateDict().Keys.Should().BeEquivalentTo(new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" });
    }

    [Test]
    public void EvaluationUsesTheRunningStatisticsAndChangesNothing()
    {
        using var bn = new BatchNorm2d(2);
        using (Autograd.NoGrad())
        {
            bn.RunningMean.Copy_(Tensor.FromArray(new[] { 0.5f, -1f }));
            bn.RunningVar.Copy_(Tensor.FromArray(new[] { 4f, 0.25f }));
        }
        bn.Eval();
        Tensor x = Tensor.Randn(new long[] { 3, 2, 4, 4 }, new Generator(2));
        Tensor expected = x.Sub(Channel(bn.RunningMean)).Div(Channel(bn.RunningVar.Add(1e-5).Sqrt()));

        MaxAbsDiff(bn.Forward(x), expected).Should().BeLessThan(1e-6);
        bn.RunningMean.ToArray<float>().Should().Equal(0.5f, -1f);
        bn.BatchesTracked.Item().Should().Be(0);
    }

    [Test]
    public void GradientsFlowToInputScaleAndShift()
    {
        using var bn = new BatchNorm2d(2);
        Tensor x = Tensor.Randn(new long[] { 2, 2, 3, 3 }, new Generator(3)).RequiresGrad_();
        bn.Forward(x).Pow(2).Sum().Backward();
        x.Grad.Should().NotBeNull();
        bn.Weight.Grad!.Abs().Sum().Item().Should().BeGreaterThan(0);
        bn.Bias.Grad.Should().NotBeNull();
    }

    [Test]
    public void BadInputFailsWithOneSentence()
    {
        using var bn = new BatchNorm2d(3);
        Action channels = () => bn.Forward(Tensor.Zeros(2, 4, 3, 3));
        channels.Should().Throw<ArgumentException>().WithMessage("BatchNorm2d(3) expects (batch, 3, H, W), got [2, 4, 3, 3].*");
        Action single = () => bn.Forward(Tensor.Zeros(1, 3, 1, 1));
        single.Should().Throw<ArgumentException>().WithMessage("*more than one value per channel*");
        bn.BatchesTracked.Item().Should().Be(0, "a rejected batch is not counted");
        Action momentum = () => _ = new BatchNorm2d(3, momentum: 1.5);
        momentum.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*momentum*");
    }
}
