using TorchZoo.Trainers.Tests.Distributed;

namespace TorchZoo.Extensions.Tests.Distributed;

/// <summary>A trainer given TorchTrainerOptions.ProcessGroup trains data-parallel: two ranks equal one process.</summary>
public class DataParallelPipelineTests
{
    [TestCase("adamw")]
    [TestCase("muon")]
    public void Two_ranks_through_the_pipeline_match_one_process(string optimizer)
    {
        var limit = TimeSpan.FromMinutes(3);
        RankProcesses.Outcome[] ranks = RankProcesses.Run(new[] { "pipeline", optimizer }, 2, new int?[] { 0, 1 }, limit);
        RankProcesses.Outcome single = RankProcesses.Run(new[] { "pipeline", optimizer }, 1, new int?[] { null }, limit)[0];
        foreach (var o in ranks.Append(single))
            o.ExitCode.Should().Be(0, $"rank {o.Rank}: {o.Error}\n{o.Errors}");

        for (int r = 0; r < 2; r++) ranks[r].Result("log").Should().Contain($"data-parallel as rank {r} of 2");
        single.Lines.Should().NotContain(l => l.StartsWith("RESULT log"));
        // Every rank ends with the same model and reports the same (reduced) validation losses.
        ranks[1].Numbers("scores").Should().Equal(ranks[0].Numbers("scores"));
        ranks[1].Numbers("val_losses").Should().Equal(ranks[0].Numbers("val_losses"));
        // Same global batch as one process: the same training up to the order of floating-point sums.
        double[] distributed = ranks[0].Numbers("scores"), alone = single.Numbers("scores");
        distributed.Should().HaveCount(240);
        for (int i = 0; i < alone.Length; i++) distributed[i].Should().BeApproximately(alone[i], 1e-5);
        ranks[0].Numbers("val_losses").Should().HaveCount(4);
        for (int e = 0; e < 4; e++) ranks[0].Numbers("val_losses")[e].Should().BeApproximately(single.Numbers("val_losses")[e], 1e-5);
    }

    [Test]
    public void DiLoCo_with_ten_inner_steps_trains_within_a_stated_margin_of_data_parallel()
    {
        // 29 epochs of 6 global steps: 17 outer steps of DiLoCo (AdamW inside, outer Nesterov lr 0.7, momentum 0.9) and an
        // unfinished round of 4 that the loop closes at the end, against AdamW on gradients averaged every step. The
        // margin: both end below 5% of their first validation loss, and DiLoCo's final loss is within 5× data parallel's (measured: 0.033 against 0.010).
        var limit = TimeSpan.FromMinutes(4);
        double[] Losses(string optimizer)
        {
            RankProcesses.Outcome[] ranks = RankProcesses.Run(new[] { "pipeline", optimizer, "29" }, 2, new int?[] { 0, 1 }, limit);
            foreach (var o in ranks) o.ExitCode.Should().Be(0, $"{optimizer} rank {o.Rank}: {o.Error}\n{o.Errors}");
            ranks[1].Numbers("scores").Should().Equal(ranks[0].Numbers("scores"), "training ends with an outer step, which leaves every rank with the same weights");
            return ranks[0].Numbers("val_losses");
        }
        double[] dataParallel = Losses("adamw"), diloco = Losses("diloco-adamw-h10");
        dataParallel[^1].Should().BeLessThan(0.05 * dataParallel[0]);
        diloco[^1].Should().BeLessThan(0.05 * diloco[0]);
        diloco[^1].Should().BeLessThan(5 * dataParallel[^1]);
    }
}
