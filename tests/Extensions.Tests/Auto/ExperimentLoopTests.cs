using TorchZoo.Extensions.Auto;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Extensions.Tests.Auto;

/// <summary>The experiment loop with fake trials of known curves: budgets, fairness, tuners, cancellation, seeds.</summary>
public class ExperimentLoopTests
{
    [Test]
    public void TrialBudgetIsSharedEquallyBetweenFamiliesInFairMode()
    {
        var runner = new FakeRunner();
        using var result = FakeExperiment.Create(runner).SetMaxTrials(7).Run();

        result.Trials.Should().HaveCount(6, "7 trials over 2 families is 3 each; the odd one is not spent");
        result.Trials.GroupBy(t => t.Optimizer).Select(g => g.Count()).Should().Equal(3, 3);
        result.Trials.Select(t => t.Optimizer).Should().Equal("adamw", "sgd", "adamw", "sgd", "adamw", "sgd");
        result.StopReason.Should().Be(ExperimentStopReason.TrialBudget);
        result.BestPerFamily.Select(t => t.Optimizer).Should().Equal("adamw", "sgd");
        result.BestTrial!.Optimizer.Should().Be("adamw");
        result.BestTrial.Should().BeSameAs(result.Leaderboard[0]);
    }

    [Test]
    public void TotalEpochBudgetIsNeverExceeded()
    {
        var runner = new FakeRunner();
        using var result = FakeExperiment.Create(runner).SetFair(false).SetMaxTotalEpochs(10).Run();

        result.Trials.Should().HaveCount(3, "a fourth trial of 3 epochs would make 12 > 10");
        result.TotalEpochs.Should().Be(9);
        result.StopReason.Should().Be(ExperimentStopReason.EpochBudget);
    }

    [Test]
    public void TimeBudgetStopsStartingTrialsAndCancelsTheRunningOneWithAnInjectedClock()
    {
        var clock = new ManualClock();
        var runner = new FakeRunner(clock, TimeSpan.FromSeconds(4));
        using var result = FakeExperiment.Create(runner).SetFair(false).SetClock(clock).SetTrainingTime(TimeSpan.FromSeconds(30)).Run();

        // Trials of 3 × 4 s: the third starts at 24 s and is cut after its epoch ending at 32 s.
        result.Trials.Should().HaveCount(3);
        result.Trials[2].Status.Should().Be(TrialStatus.Cancelled);
        result.Trials[2].EpochsUsed.Should().Be(2);
        result.Trials.Take(2).Should().OnlyContain(t => t.Status == TrialStatus.Completed && t.Duration == TimeSpan.FromSeconds(12));
        result.StopReason.Should().Be(ExperimentStopReason.TimeBudget);
        result.Elapsed.Should().Be(TimeSpan.FromSeconds(32));
        result.BestTrial!.TrialId.Should().BeOneOf(1, 2);
    }

    [Test]
    public void FairModeGivesEachFamilyAnEqualShareOfTheTime()
    {
        var clock = new ManualClock();
        var runner = new FakeRunner(clock, TimeSpan.FromSeconds(2));
        using var result = FakeExperiment.Create(runner).SetClock(clock).SetTrainingTime(TimeSpan.FromSeconds(24)).Run();

        // 12 s per family, 6 s per trial: two trials each.
        result.Trials.GroupBy(t => t.Optimizer).Select(g => g.Count()).Should().Equal(2, 2);
        result.Trials.Should().OnlyContain(t => t.Status == TrialStatus.Completed);
    }

    [Test]
    public void CancellingReturnsTheBestTrialSoFar()
    {
        using var cts = new CancellationTokenSource();
        var seen = new Collect<TrialResult>(t =>
        {
            if (t.TrialId == 3) cts.Cancel();
        });
        var runner = new FakeRunner();
        using var result = FakeExperiment.Create(runner).SetFair(false).SetMaxTrials(10).SetProgress(seen).Run(cts.Token);

        result.StopReason.Should().Be(ExperimentStopReason.Cancelled);
        result.Trials.Should().HaveCount(3);
        seen.Items.Select(t => t.TrialId).Should().Equal(1, 2, 3);
        result.BestTrial!.Metric.Should().Be(result.Trials.Min(t => t.Metric));
        ((FakeModel)result.BestModel).Trial.Should().Be(result.BestTrial.TrialId);
        ((FakeModel)result.BestModel).Disposed.Should().BeFalse();
    }

    [Test]
    public async Task CancellingDuringATrialMarksItCancelledAndKeepsTheEarlierBest()
    {
        using var cts = new CancellationTokenSource();
        var runner = new FakeRunner
        {
            BeforeEpoch = (trial, epoch) =>
            {
                if (trial == 3 && epoch == 2) cts.Cancel();
            },
        };
        using var result = await FakeExperiment.Create(runner).SetFair(false).SetMaxTrials(10).RunAsync(cts.Token);

        result.StopReason.Should().Be(ExperimentStopReason.Cancelled);
        result.Trials.Select(t => t.Status).Should().Equal(TrialStatus.Completed, TrialStatus.Completed, TrialStatus.Cancelled);
        result.Trials[2].EpochsUsed.Should().Be(1);
        result.BestTrial!.TrialId.Should().BeOneOf(1, 2);
        result.Leaderboard[^1].TrialId.Should().Be(3, "a cancelled trial is not ranked");
    }

    [Test]
    public void ADivergingTrialIsRecordedAndTheRunGoesOn()
    {
        var runner = new FakeRunner { Diverging = { "sgd" } };
        using var result = FakeExperiment.Create(runner).SetMaxTrials(4).Run();

        result.Trials.Should().HaveCount(4);
        result.Trials.Where(t => t.Optimizer == "sgd").Should().OnlyContain(t => t.Status == TrialStatus.Diverged && double.IsNaN(t.Metric) && double.IsPositiveInfinity(t.Loss));
        result.BestPerFamily.Select(t => t.Optimizer).Should().Equal("adamw");
        result.Leaderboard.Take(2).Should().OnlyContain(t => t.Optimizer == "adamw");
    }

    [Test]
    public void TheSameSeedGivesTheSameLeaderboardAndAnotherSeedDoesNot()
    {
        static List<string> Board(int seed)
        {
            using var r = FakeExperiment.Create(new FakeRunner(), seed).SetMaxTrials(6).Run();
            return r.Leaderboard.Select(t => $"{t.TrialId} {t.Optimizer} {t.DescribeHyperparameters()} {t.Metric:R} {t.Status}").ToList();
        }

        Board(5).Should().Equal(Board(5));
        Board(5).Should().NotEqual(Board(6));
    }

    [Test]
    public void GridSearchInterleavesFamiliesAndEndsWhenExhausted()
    {
        var runner = new FakeRunner();
        using var result = FakeExperiment.Create(runner).SetFair(false).SetTuner(Tuners.Grid(points: 3)).Run();

        result.StopReason.Should().Be(ExperimentStopReason.SearchExhausted);
        result.Trials.Select(t => t.Optimizer).Should().Equal("adamw", "sgd", "adamw", "sgd", "adamw", "sgd");
        result.Trials.Where(t => t.Optimizer == "adamw").Select(t => t.Hyperparameters["LearningRate"])
            .Should().Equal(new[] { 1e-4, Math.Pow(10, -2.5), 1e-1 }, (a, b) => Math.Abs(a - b) < 1e-12);
        result.BestTrial!.Hyperparameters["LearningRate"].Should().BeApproximately(Math.Pow(10, -2.5), 1e-12);
    }

    [Test]
    public void SuccessiveHalvingPromotesTheTopThirdOfEachRung()
    {
        var runner = new FakeRunner();
        using var result = FakeExperiment.Create(runner).SetFair(false).SetEpochsPerTrial(9)
            .SetTuner(Tuners.SuccessiveHalving(minEpochs: 1, eta: 3)).SetMaxTrials(16).Run();
        var trials = result.Trials;

        trials.Take(3).Should().OnlyContain(t => t.Rung == 0 && t.EpochBudget == 1 && t.ParentTrialId == null);
        // After three rung-0 results the best one is retrained for 3 epochs.
        int firstBest = trials.Take(3).MinBy(t => t.Metric)!.TrialId;
        trials[3].Should().Match<TrialResult>(t => t.Rung == 1 && t.EpochBudget == 3 && t.ParentTrialId == firstBest);

        foreach (var promoted in trials.Where(t => t.ParentTrialId is not null))
        {
            var parent = trials[promoted.ParentTrialId!.Value - 1];
            promoted.Hyperparameters.Should().Equal(parent.Hyperparameters);
            promoted.Optimizer.Should().Be(parent.Optimizer);
            promoted.Rung.Should().Be(parent.Rung + 1);
            var rungBefore = trials.Take(promoted.TrialId - 1).Where(t => t.Rung == parent.Rung).ToList();
            int better = rungBefore.Count(t => t.Loss < parent.Loss);
            better.Should().BeLessThan(rungBefore.Count / 3, $"trial {parent.TrialId} was promoted from the top third of rung {parent.Rung}");
        }
        trials.Should().Contain(t => t.Rung == 2 && t.EpochBudget == 9 && t.Final);
        // Rung results never promoted were pruned; the rest keep their status.
        var parents = trials.Select(t => t.ParentTrialId).OfType<int>().ToHashSet();
        trials.Where(t => t.Rung < 2).Should().OnlyContain(t => (t.Status == TrialStatus.Pruned) == !parents.Contains(t.TrialId));
        trials.Where(t => t.Rung == 2).Should().OnlyContain(t => t.Status == TrialStatus.Completed);
        result.BestTrial!.Rung.Should().Be(2, "the longest runs of the best configurations win on these curves");
    }

    [Test]
    public void SuccessiveHalvingTunerOrdersPromotionsByLoss()
    {
        var candidate = new OptimizerCandidate(new AdamWOptions(), SearchSpace.Fixed);
        var tuner = new SuccessiveHalvingTuner(new TunerSetup(new[] { candidate }, 4, 0), minEpochs: 1, maxEpochs: 4, eta: 2);
        tuner.TopRung.Should().Be(2);
        double[] losses = { 5, 2, 9, 1 };
        for (int i = 0; i < 4; i++)
        {
            var p = tuner.Propose()!;
            if (i == 2)
            {
                // After two results, ⌊2/2⌋ = 1 is promoted: the better of trials 1 and 2.
                p.ParentTrialId.Should().Be(2);
                p.Rung.Should().Be(1);
                tuner.Report(Result(3, p, 2));
                p = tuner.Propose()!;
            }
            p.Rung.Should().Be(0);
            tuner.Report(Result(i + 1 + (i >= 2 ? 1 : 0), p, losses[i]));
        }
        // Rung 0 now has losses 5, 2, 9, 1 (trials 1, 2, 4, 5); its top half is trials 5 and 2, and 2 is already promoted.
        var next = tuner.Propose()!;
        next.ParentTrialId.Should().Be(5);
        next.Final.Should().BeFalse();
        next.Epochs.Should().Be(2);
    }

    private static TrialResult Result(int id, TrialProposal p, double loss) =>
        new(id, p.Candidate.Name, p.CreateOptions(), p.Hyperparameters, p.Rung, p.Final, p.ParentTrialId, p.Epochs, p.Epochs, loss, loss,
            TimeSpan.Zero, TrialStatus.Completed, "", Array.Empty<TorchZoo.Trainers.Training.EvaluationRecord>());

    [Test]
    public void DefaultCandidatesAreTheCuratedOnesInTheRegistryAndTheMissingAreReported()
    {
        var runner = new FakeRunner();
        using var result = new ZooContext(3).Auto().CreateOptimizerExperiment()
            .SetTrialRunner(runner)
            .SetDataset(new ZooContext(0).Data.LoadFromEnumerable(Example.Make(4, 0)), 0.5)
            .SetMetric("fake", _ => 0, maximize: false)
            .SetEpochsPerTrial(1)
            .SetMaxTrials(OptimizerCandidate.CuratedNames.Count)
            .Run();

        var present = OptimizerCandidate.CuratedNames.Where(OptimizerRegistry.Contains).ToList();
        result.Candidates.Should().Equal(present);
        result.SkippedCandidates.Should().Equal(OptimizerCandidate.CuratedNames.Except(present));
        result.Trials.Select(t => t.Optimizer).Should().Equal(present);
        runner.Seen.Select(c => c.Optimizer.GetType()).Should().Equal(present.Select(n => OptimizerRegistry.Create(n).GetType()));
    }

    [Test]
    public void MisconfigurationsAreReportedInOneSentence()
    {
        var runner = new FakeRunner();
        FluentActions.Invoking(() => FakeExperiment.Create(runner).SetMaxTrials(1).Run())
            .Should().Throw<InvalidOperationException>().WithMessage("MaxTrials (1) is smaller than the number of optimizer families (2) in fair mode*");
        FluentActions.Invoking(() => FakeExperiment.Create(runner).Run())
            .Should().Throw<InvalidOperationException>().WithMessage("Set a budget*");
        FluentActions.Invoking(() => new ZooContext(1).Auto().CreateOptimizerExperiment().SetCandidates("adamw", "no-such-optimizer"))
            .Should().Throw<ArgumentException>().WithMessage("Unknown optimizer 'no-such-optimizer'*");
        FluentActions.Invoking(() => new ZooContext(1).Auto().CreateOptimizerExperiment()
                .SetTrainer(o => new TorchZoo.Extensions.Trainers.RegressionTrainer(new ZooContext(1), new() { Optimizer = o }, new TinyMlpSpec()))
                .SetDataset(new ZooContext(0).Data.LoadFromEnumerable(Example.Make(8, 0)), 0.5)
                .SetMetric("RSquared").SetMaxTrials(8).Run())
            .Should().Throw<InvalidOperationException>().WithMessage("SetMetric(\"RSquared\") needs the task*");
    }
}
