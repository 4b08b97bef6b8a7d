using TorchZoo.Torch.Distributed;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;
using TorchZoo.Trainers.Distributed;
using TorchZoo.Trainers.Training;
using static TorchZoo.Trainers.Tests.Distributed.RankProcesses;

namespace TorchZoo.Trainers.Tests.Distributed;

// Real separate processes on 127.0.0.1 (tests/DistributedWorker), each test bounded by a hard limit.
[TestFixture]
[NonParallelizable]
public class DistributedTrainingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private string folder = "";

    [SetUp]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("tz-distributed-").FullName;

    [TearDown]
    public void DeleteFolder()
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private static void Succeeded(params Outcome[] outcomes)
    {
        foreach (Outcome o in outcomes)
            o.ExitCode.Should().Be(0, $"rank {o.Rank} failed: {o.Error}\n{string.Join('\n', o.Lines)}\n{o.Errors}");
    }

    private static double MaxDifference(string a, string b)
    {
        using var scope = DisposeScope.Enter();
        var x = SafeTensors.Load(a);
        var y = SafeTensors.Load(b);
        x.Keys.Should().BeEquivalentTo(y.Keys);
        return x.Keys.Max(k => x[k].Sub(y[k]).Abs().Max().Item());
    }

    [Test]
    public void Collectives_between_two_processes_are_exact()
    {
        Outcome[] ranks = Run(new[] { "collectives" }, 2, new int?[] { 0, 1 }, Limit);
        Succeeded(ranks);
        foreach (Outcome o in ranks)
        {
            o.Numbers("sum").Should().Equal(3, 14, -7, 0.25);
            o.Numbers("average").Should().Equal(1.5, 7, -3.5, 0.125);
            o.Numbers("max").Should().Equal(1, 7);
            o.Numbers("broadcast").Should().Equal(101, 102, 103);
            o.Numbers("gather").Should().Equal(0, 0.5, 1, 1.5);
            o.Numbers("barrier").Should().Equal(1);
        }
    }

    [TestCase("adamw")]
    [TestCase("muon")]
    [TestCase("reg")]
    public void Two_ranks_with_the_same_global_batch_match_one_process(string optimizer)
    {
        Outcome[] all = RunTraining(optimizer, worldSize: 2, out string[] files, out string single, singleOptimizer: optimizer);
        Succeeded(all);
        for (int r = 0; r < 2; r++)
        {
            all[r].Numbers("steps").Should().Equal(20);
            all[r].Numbers("rank_checks").Should().Equal(20);
            all[r].Numbers("rank_max_difference").Should().Equal(new[] { 0.0 }, "every rank must hold identical weights after every step");
        }
        MaxDifference(files[0], files[1]).Should().Be(0);
        MaxDifference(files[0], single).Should().BeLessThan(1e-6);
        double[] distributedLosses = all[0].Numbers("losses"), singleLosses = all[2].Numbers("losses");
        for (int i = 0; i < 20; i++) distributedLosses[i].Should().BeApproximately(singleLosses[i], 1e-5);
    }

    [Test]
    public void DiLoCo_with_one_inner_step_outer_lr_1_and_no_momentum_is_plain_data_parallel()
    {
        // With a linear inner optimizer (SGD with momentum) the averaged pseudo-gradient is the step on the averaged gradient.
        Outcome[] all = RunTraining("diloco-sgd-h1", worldSize: 2, out string[] files, out string single, singleOptimizer: "sgd");
        Succeeded(all);
        all[0].Numbers("rank_max_difference").Should().Equal(0);
        MaxDifference(files[0], files[1]).Should().Be(0);
        MaxDifference(files[0], single).Should().BeLessThan(1e-6);
    }

    [TestCase("lion-majority")]
    [TestCase("lion-average")]
    [TestCase("diloco-adamw-h4")]
    public void Self_synchronizing_optimizers_keep_two_ranks_identical(string optimizer)
    {
        Outcome[] all = RunTraining(optimizer, worldSize: 2, out string[] files, out _, singleOptimizer: null);
        Succeeded(all);
        // Distributed Lion applies the same voted update everywhere; DiLoCo's ranks differ between outer steps (every 4th).
        if (optimizer.StartsWith("lion", StringComparison.Ordinal))
            all[0].Numbers("rank_max_difference").Should().Equal(0);
        MaxDifference(files[0], files[1]).Should().Be(0, "20 steps end on an outer step for H = 4");
        double[] losses = all[0].Numbers("losses");
        losses.TakeLast(4).Average().Should().BeLessThan(losses.Take(4).Average());
    }

    [Test]
    public void BatchNorm_statistics_are_the_same_on_every_rank_when_validating_and_at_the_end()
    {
        // Each rank updates the running statistics from its own half of the batch; before each validation every rank
        // takes rank 0's, so the validation losses (and early stopping) agree and the saved models are identical.
        int port = FreePort();
        string[] files = { Path.Combine(folder, "bn.rank0.safetensors"), Path.Combine(folder, "bn.rank1.safetensors") };
        var ranks = new Outcome[2];
        Parallel.For(0, 2, r => ranks[r] = RunOne(new[] { "train-batchnorm", files[r] }, r, 2, port));
        Succeeded(ranks);
        ranks[0].Numbers("val_losses").Should().NotBeEmpty().And.Equal(ranks[1].Numbers("val_losses"));
        ranks[0].Numbers("batches_tracked").Should().Equal(ranks[1].Numbers("batches_tracked")).And.OnlyContain(n => n >= 4);
        MaxDifference(files[0], files[1]).Should().Be(0, "weights and running statistics agree");
    }

    private Outcome[] RunTraining(string optimizer, int worldSize, out string[] files, out string single, string? singleOptimizer)
    {
        // One worker invocation per rank with its own output file, plus the single-process reference, all at once.
        files = Enumerable.Range(0, worldSize).Select(r => Path.Combine(folder, $"{optimizer}.rank{r}.safetensors")).ToArray();
        single = Path.Combine(folder, $"{singleOptimizer}.single.safetensors");
        int port = FreePort();
        var outcomes = new Outcome[worldSize + (singleOptimizer is null ? 0 : 1)];
        var tasks = new List<Task>();
        for (int r = 0; r < worldSize; r++)
        {
            int rank = r;
            string file = files[r];
            tasks.Add(Task.Run(() => outcomes[rank] = RunOne(new[] { "train", optimizer, "20", file }, rank, worldSize, port)));
        }
        if (singleOptimizer is not null)
        {
            string file = single;
            tasks.Add(Task.Run(() => outcomes[worldSize] = RunOne(new[] { "train", singleOptimizer, "20", file }, null, 1, 0)));
        }
        Task.WaitAll(tasks.ToArray(), Limit + TimeSpan.FromSeconds(5)).Should().BeTrue("every process is bounded by the limit");
        return outcomes;
    }

    private static Outcome RunOne(string[] arguments, int? rank, int worldSize, int port) =>
        RankProcesses.RunAt(arguments, worldSize, rank, port, Limit);

    [Test]
    public void A_rank_that_dies_makes_the_other_fail_quickly_with_a_clear_error()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Outcome[] ranks = Run(new[] { "die" }, 2, new int?[] { 0, 1 }, Limit, timeoutMs: 3000);
        ranks[1].ExitCode.Should().Be(3);
        ranks[0].ExitCode.Should().Be(2);
        ranks[0].Error.Should().StartWith("all_reduce failed on rank 0 of 2");
        ranks[0].Numbers("seconds")[0].Should().BeLessThan(10);
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Test]
    public void A_rank_that_never_starts_makes_the_other_time_out_with_a_clear_error()
    {
        Outcome[] ranks = Run(new[] { "collectives" }, 2, new int?[] { 0 }, Limit, timeoutMs: 2000);
        ranks[0].ExitCode.Should().Be(2);
        ranks[0].Error.Should().StartWith("rank 0 could not connect to its 1 peer(s) within 2000 ms");
        ranks[0].Numbers("seconds")[0].Should().BeLessThan(10);
    }

    [Test]
    public void A_missing_or_invalid_launcher_variable_is_named()
    {
        Outcome[] ranks = Run(new[] { "collectives" }, 2, new int?[] { 0 }, Limit, environment: new Dictionary<string, string> { ["MASTER_PORT"] = "http" });
        ranks[0].ExitCode.Should().Be(2);
        ranks[0].Error.Should().Be("The environment variable MASTER_PORT is 'http', but it must be an integer in [1, 65535].");
    }
}
