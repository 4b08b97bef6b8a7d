using TorchZoo.Extensions.Auto;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Extensions.Tests.Auto;

/// <summary>Real (tiny) training through ml.Auto(): the choice, divergence, reproducibility, the model and the reports.</summary>
public class OptimizerSelectionTests
{
    [OneTimeSetUp]
    public void Register() => TinyMlpSpec.EnsureRegistered();

    private static RegressionTrainerOptions Tiny(int epochs = 3) => new() { MaxEpochs = epochs, BatchSize = 32, Threads = 2 };

    private static (IDataView Train, IDataView Validation) Data(ZooContext ml) =>
        (ml.Data.LoadFromEnumerable(Example.Make(256, 1)), ml.Data.LoadFromEnumerable(Example.Make(96, 2)));

    [Test]
    public void PicksAdamWOverSgdWithATinyLearningRateAndTheModelIsReadyToSave()
    {
        var ml = new ZooContext(11);
        var (train, validation) = Data(ml);
        var trials = new Collect<TrialResult>();
        using var result = ml.Auto().CreateOptimizerExperiment()
            .SetTrainer(Tiny(), new TinyMlpSpec(16))
            .SetDataset(train, validation)
            .SetMetric("RSquared")
            .SetCandidates(
                new OptimizerCandidate(new SgdOptions { LearningRate = 1e-6 }, SearchSpace.Fixed),
                new OptimizerCandidate(new AdamWOptions { LearningRate = 1e-2 }, SearchSpace.Fixed))
            .SetMaxTrials(4)
            .SetProgress(trials)
            .Run();

        result.StopReason.Should().Be(ExperimentStopReason.SearchExhausted, "fixed spaces are tried once each");
        result.Trials.Select(t => t.Optimizer).Should().Equal("sgd", "adamw");
        trials.Items.Select(t => t.TrialId).Should().Equal(1, 2);
        result.BestTrial!.Optimizer.Should().Be("adamw");
        result.Trials[0].Metric.Should().BeLessThan(0.2);
        result.Trials[1].Metric.Should().BeGreaterThan(0.5);
        result.Trials.Should().OnlyContain(t => t.Curve.Count == t.EpochsUsed && t.EpochsUsed == 3 && t.Curve.All(e => e.Metrics.ContainsKey("val_loss")));

        var scored = result.BestModel.Transform(validation);
        ml.Regression.Evaluate(scored).RSquared.Should().BeApproximately(result.BestTrial.Metric, 1e-9);
        string path = Path.Combine(Path.GetTempPath(), $"tz-auto-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(result.BestModel, train.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            loaded.Transform(validation).GetScalars<float>("Score").Should().Equal(scored.GetScalars<float>("Score"));
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void AHugeLearningRateDivergesIsRecordedAsFailedAndTheRunContinues()
    {
        var ml = new ZooContext(12);
        var (train, validation) = Data(ml);
        using var result = ml.Auto().CreateOptimizerExperiment()
            .SetTrainer(Tiny(2), new TinyMlpSpec(16))
            .SetDataset(train, validation)
            .SetCandidates(
                new OptimizerCandidate(new SgdOptions { LearningRate = 1e30 }, SearchSpace.Fixed),
                new OptimizerCandidate(new AdamWOptions { LearningRate = 1e-2 }, SearchSpace.Fixed))
            .SetMaxTrials(2)
            .Run();

        result.Trials.Should().HaveCount(2);
        result.Trials[0].Status.Should().Be(TrialStatus.Diverged);
        result.Trials[0].Metric.Should().Be(double.NaN);
        result.Trials[0].Message.Should().StartWith("Training diverged");
        result.Trials[1].Status.Should().Be(TrialStatus.Completed);
        result.BestTrial!.Optimizer.Should().Be("adamw");
        result.MetricName.Should().Be("RSquared", "the default metric of regression trainer options");
    }

    [Test]
    public void TheSameSeedReproducesTheLeaderboardOfRealTrials()
    {
        static List<string> Board()
        {
            var ml = new ZooContext(13);
            var (train, validation) = Data(ml);
            using var r = ml.Auto().CreateOptimizerExperiment()
                .SetTrainer(Tiny(2), new TinyMlpSpec(8))
                .SetDataset(train, validation)
                .SetRegressionMetric("MeanSquaredError")
                .SetCandidates("adamw", "lion")
                .SetFair(false)
                .SetMaxTrials(3)
                .SetSeed(99)
                .Run();
            return r.Leaderboard.Select(t => $"{t.TrialId} {t.Optimizer} {t.DescribeHyperparameters()} {t.Metric:R} {t.Status} {t.EpochsUsed}").ToList();
        }

        var first = Board();
        first.Should().HaveCount(3);
        Board().Should().Equal(first);
    }

    [Test]
    public void MulticlassWithPreprocessingPrependsItToTheBestModel()
    {
        var ml = new ZooContext(14);
        var data = ml.Data.LoadFromEnumerable(Example.Make(240, 3));
        using var result = ml.Auto().CreateOptimizerExperiment()
            .SetTrainer(new MulticlassTrainerOptions { MaxEpochs = 3, Threads = 2 }, new TinyMlpSpec(16), ml.Transforms.MapValueToKey("Label", "Quadrant"))
            .SetDataset(data, validationFraction: 0.25)
            .SetCandidates(new OptimizerCandidate(new AdamWOptions { LearningRate = 3e-2 }, SearchSpace.Fixed))
            .SetMaxTrials(1)
            .Run();

        result.MetricName.Should().Be("MicroAccuracy");
        result.Maximize.Should().BeTrue();
        result.BestTrial!.Metric.Should().BeGreaterThan(0.5, "four quadrants are easy to separate");
        result.BestModel.Should().BeOfType<TransformerChain<ITransformer>>();
        var scored = result.BestModel.Transform(data);
        scored.Schema.Select(c => c.Name).Should().Contain(new[] { "Label", "PredictedLabel", "Score" });
    }

    [Test]
    public void TheReportsShowEveryTrialAndItsCurve()
    {
        var clock = new ManualClock();
        var runner = new FakeRunner(clock) { Diverging = { "sgd" } };
        using var result = FakeExperiment.Create(runner).SetClock(clock).SetMaxTrials(4).Run();

        string table = result.ToConsoleTable();
        table.Split('\n')[0].Should().StartWith("best adamw");
        table.Should().Contain("Diverged").And.Contain("hyperparameters").And.Contain("LearningRate=");
        table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(1 + 2 + 4);

        string html = result.ToHtmlReport().ToHtml();
        html.Should().Contain("<h2>Leaderboard</h2>").And.Contain("Best per optimizer family").And.Contain("The loss was NaN.");
        System.Text.RegularExpressions.Regex.Matches(html, "<svg").Count.Should().Be(1 + 1, "the best-per-family chart and adamw's curves (sgd has none)");
        System.Text.RegularExpressions.Regex.Matches(html, "<polyline").Count.Should().Be(1 + 2);
    }
}
