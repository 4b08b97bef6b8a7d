using TorchZoo.Torch.Distributed;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Trainers.Tests.Distributed;

// World size 1, in this process: a real c10d group (TCPStore + Gloo on 127.0.0.1) and the network-free Single().
[TestFixture]
[NonParallelizable]
public class SingleRankTests
{
    private static (Sequential Model, TensorDataset Data) Problem()
    {
        using var g = new Generator(11);
        var model = new Sequential(new Linear(6, 12, generator: g), new Gelu(), new Linear(12, 1, generator: g));
        Tensor x = Tensor.Randn(new long[] { 48, 6 }, g);
        Tensor y = x.Sum(new long[] { 1 }, keepDim: true).Sin();
        return (model, new TensorDataset(x, y));
    }

    private static Tensor Train(OptimizerOptions optimizer, ProcessGroup? group)
    {
        var (model, data) = Problem();
        using (data)
        {
            new TrainingLoop
            {
                Model = model,
                Loss = (p, t) => Functional.MseLoss(p, t),
                Optimizer = optimizer,
                Options = new TrainingOptions { Epochs = 4, BatchSize = 12, Seed = 3, ProcessGroup = group },
            }.Fit(data);
            using var noGrad = Autograd.NoGrad();
            return Tensor.Cat(model.Parameters().Select(p => p.Detach().Reshape(-1)).ToList()).Clone();
        }
    }

    [TestCase(DistributedLionVote.MajorityVote)]
    [TestCase(DistributedLionVote.Average)]
    public void Distributed_Lion_with_one_rank_equals_Lion(DistributedLionVote vote)
    {
        using Tensor lion = Train(new LionOptions { LearningRate = 3e-3, WeightDecay = 0.1 }, null);
        using var group = ProcessGroup.Init(0, 1, "127.0.0.1", RankProcesses.FreePort(), TimeSpan.FromSeconds(10));
        using Tensor distributed = Train(new LionOptions { LearningRate = 3e-3, WeightDecay = 0.1, DistributedVote = vote }, group);
        distributed.Equal(lion).Should().BeTrue();
    }

    [Test]
    public void Distributed_Lion_given_its_group_directly_equals_Lion_too()
    {
        using Tensor lion = Train(new LionOptions { LearningRate = 3e-3 }, null);
        using var group = ProcessGroup.Single();
        using Tensor distributed = Train(new LionOptions { LearningRate = 3e-3, DistributedVote = DistributedLionVote.MajorityVote, ProcessGroup = group }, null);
        distributed.Equal(lion).Should().BeTrue();
    }

    [Test]
    public void Distributed_Lion_rejects_cautious_masking()
    {
        var (model, data) = Problem();
        data.Dispose();
        var act = () => new LionOptions { Cautious = true, DistributedVote = DistributedLionVote.Average }.Create(model);
        act.Should().Throw<ArgumentException>().WithMessage("Cautious masking is not defined for Distributed Lion*");
    }

    [Test]
    public void DiLoCo_with_one_rank_and_one_inner_step_at_outer_lr_1_without_momentum_is_its_inner_optimizer()
    {
        var inner = new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0.05 };
        using Tensor plain = Train(inner, null);
        using Tensor withoutGroup = Train(new DiLoCoOptions { Inner = inner, InnerSteps = 1, OuterLearningRate = 1, OuterMomentum = 0 }, null);
        using var group = ProcessGroup.Init(0, 1, "127.0.0.1", RankProcesses.FreePort(), TimeSpan.FromSeconds(10));
        using Tensor withGroup = Train(new DiLoCoOptions { Inner = inner, InnerSteps = 1, OuterLearningRate = 1, OuterMomentum = 0 }, group);
        withoutGroup.Sub(plain).Abs().Max().Item().Should().BeLessThan(1e-6);
        withGroup.Equal(withoutGroup).Should().BeTrue();
    }

    [Test]
    public void DiLoCo_outer_Nesterov_step_follows_the_formula()
    {
        // One parameter, inner SGD (lr 1) on a constant gradient g: θ_i = θ − g after each inner step; H = 2.
        using var p = new Parameter(Tensor.FromArray(new[] { 1.0f, -2.0f }));
        var options = new DiLoCoOptions { Inner = new SgdOptions { LearningRate = 1 }, InnerSteps = 2, OuterLearningRate = 0.5, OuterMomentum = 0.9 };
        using Optimizer diloco = options.Create(new[] { p });
        float[] theta = { 1, -2 }, b = { 0, 0 };
        float[] g = { 0.25f, 0.5f };
        for (int outer = 0; outer < 3; outer++)
        {
            for (int k = 0; k < 2; k++)
            {
                p.Grad = Tensor.FromArray(g);
                diloco.Step();
            }
            for (int i = 0; i < 2; i++)
            {
                float delta = 2 * g[i];
                b[i] = 0.9f * b[i] + delta;
                theta[i] -= 0.5f * (delta + 0.9f * b[i]);
            }
            float[] actual = p.ToArray<float>();
            actual[0].Should().BeApproximately(theta[0], 1e-6f);
            actual[1].Should().BeApproximately(theta[1], 1e-6f);
        }
        diloco.StepCount.Should().Be(6);
    }

    [Test]
    public void DiLoCo_state_round_trips()
    {
        using var p = new Parameter(Tensor.FromArray(new[] { 1.0f, -2.0f, 0.5f }));
        var options = new DiLoCoOptions { InnerSteps = 2 };
        using Optimizer a = options.Create(new[] { p });
        for (int k = 0; k < 3; k++)
        {
            p.Grad = Tensor.FromArray(new[] { 0.1f, -0.2f, 0.3f });
            a.Step();
        }
        using OptimizerState state = a.StateDict();
        using var q = new Parameter(p.Detach().Clone());
        using Optimizer b = options.Create(new[] { q });
        b.LoadStateDict(state);
        p.Grad = Tensor.FromArray(new[] { 0.1f, 0.2f, 0.3f });
        q.Grad = Tensor.FromArray(new[] { 0.1f, 0.2f, 0.3f });
        a.Step();
        b.Step();
        q.Equal(p).Should().BeTrue();
    }

    [Test]
    public void A_world_of_one_trains_with_any_batch_size()
    {
        var (model, data) = Problem();
        using (data)
        {
            using var group = ProcessGroup.Init(0, 1, "127.0.0.1", RankProcesses.FreePort(), TimeSpan.FromSeconds(10));
            group.WorldSize.Should().Be(1);
            var loop = new TrainingLoop { Model = model, Loss = (p, t) => Functional.MseLoss(p, t), Optimizer = new SgdOptions(), Options = new TrainingOptions { BatchSize = 7, Epochs = 1, ProcessGroup = group } };
            loop.Invoking(l => l.Fit(data)).Should().NotThrow();
        }
    }

    [Test]
    public void Process_group_arguments_and_disposal_give_clear_errors()
    {
        var act = () => ProcessGroup.Init(2, 2, "127.0.0.1", 29500);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("The rank must be in [0, 2).*");
        var group = ProcessGroup.Init(0, 1, "127.0.0.1", RankProcesses.FreePort(), TimeSpan.FromSeconds(10));
        using var t = Tensor.FromArray(new[] { 1.0, 2.0 });
        group.AllReduce(t, ReduceOp.Average);
        t.ToArray<double>().Should().Equal(1.0, 2.0);
        using var ints = Tensor.FromArray(new[] { 1L });
        group.Invoking(g => g.AllReduce(ints, ReduceOp.Average)).Should().Throw<TorchException>().WithMessage("all_reduce with Average needs a floating-point tensor*");
        group.Dispose();
        group.Invoking(g => g.Barrier()).Should().Throw<ObjectDisposedException>();
    }
}
