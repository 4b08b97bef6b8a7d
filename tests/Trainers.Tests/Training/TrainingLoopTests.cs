using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Clipping;
using TorchZoo.Trainers.Schedules;
using TorchZoo.Trainers.Training;
using static TorchZoo.Trainers.Tests.Training.TrainingFixtures;

namespace TorchZoo.Trainers.Tests.Training;

public class TrainingLoopTests
{
    private static TrainingLoop Loop(Module<Tensor, Tensor> model, TrainingOptions? options = null, EarlyStoppingOptions? earlyStopping = null,
        IReadOnlyList<ITrainingCallback>? callbacks = null, Func<Tensor, Tensor, Tensor>? loss = null, OptimizerOptions? optimizer = null) => new()
    {
        Model = model,
        Loss = loss ?? Mse,
        Optimizer = optimizer ?? new AdamWOptions { LearningRate = 3e-3 },
        Schedule = TorchZoo.Trainers.Schedules.Schedules.WarmupCosine(0.1),
        Options = options ?? new TrainingOptions { Epochs = 3, BatchSize = 16, Seed = 5, Threads = 2 },
        EarlyStopping = earlyStopping,
        Callbacks = callbacks ?? Array.Empty<ITrainingCallback>(),
    };

    [Test]
    public void TheSameSeedGivesBitwiseIdenticalTraining()
    {
        using var train = Regression(96, 1);
        using var a = Model(3);
        using var b = Model(3);
        var ha = Loop(a).Fit(train);
        var hb = Loop(b).Fit(train);
        SameWeights(a, b).Should().BeTrue();
        ha.StepLosses.Should().Equal(hb.StepLosses);

        using var c = Model(3);
        Loop(c, new TrainingOptions { Epochs = 3, BatchSize = 16, Seed = 6, Threads = 2 }).Fit(train);
        SameWeights(a, c).Should().BeFalse("another seed shuffles differently and draws other dropout masks");
    }

    [Test]
    public void ResumingFromACheckpointContinuesBitwiseIdentically()
    {
        using var train = Regression(80, 1);
        using var validation = Regression(40, 2);
        string path = Path.Combine(Path.GetTempPath(), $"tz-ckpt-{Guid.NewGuid():N}.safetensors");
        try
        {
            var options = new TrainingOptions { Epochs = 4, BatchSize = 16, Seed = 9, Threads = 2 };
            var stopping = new EarlyStoppingOptions { Patience = 10 };
            var plateau = new ReduceOnPlateau { Patience = 0, Factor = 0.5, MinDelta = 1.0 };

            using var uninterrupted = Model(4);
            var full = Loop(uninterrupted, options, stopping, new[] { new ReduceOnPlateau { Patience = 0, Factor = 0.5, MinDelta = 1.0 } }).Fit(train, validation);

            using var firstHalf = Model(4);
            // Configured for 4 epochs (the schedule spans them) but interrupted after epoch 2's checkpoint.
            Loop(firstHalf, options with { CheckpointPath = path }, stopping, new ITrainingCallback[] { plateau, new StopAfterEpoch(2) }).Fit(train, validation);

            using var resumed = Model(77); // other initial weights: everything must come from the checkpoint
            var rest = Loop(resumed, options, stopping, new[] { new ReduceOnPlateau { Patience = 0, Factor = 0.5, MinDelta = 1.0 } })
                .Fit(train, validation, resumeFrom: path);

            SameWeights(uninterrupted, resumed).Should().BeTrue("2 epochs + checkpoint + 2 epochs must equal 4 epochs");
            rest.StepLosses.Should().Equal(full.StepLosses);
            rest.LearningRates.Should().Equal(full.LearningRates);
            rest.Evaluations.Select(e => e.Metrics["val_loss"]).Should().Equal(full.Evaluations.Select(e => e.Metrics["val_loss"]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void EarlyStoppingStopsAndRestoresTheBestWeights()
    {
        // Few noisy examples and a wide model: the validation loss bottoms out and rises while training loss keeps falling.
        using var train = Regression(24, 1, noise: 0.4);
        using var validation = Regression(200, 2, noise: 0);
        using var model = Model(5, width: 128, dropout: 0);
        var loop = Loop(model, new TrainingOptions { Epochs = 400, BatchSize = 8, Seed = 3, Threads = 2 },
            new EarlyStoppingOptions { Patience = 5, RestoreBestWeights = true }, optimizer: new AdamWOptions { LearningRate = 1e-2, WeightDecay = 0 });
        var history = loop.Fit(train, validation);

        history.StopReason.Should().Be(StopReason.EarlyStopped);
        history.StoppedEpoch.Should().BeLessThan(400);
        history.StopMessage.Should().Contain("val_loss did not improve for 5 evaluations");
        var best = history.Evaluations.MinBy(e => e.Metrics["val_loss"])!;
        history.RestoredBest.Should().Be(best);
        history.StoppedEpoch.Should().Be(best.Epoch + 6, "patience 5 means the 6th evaluation without improvement stops");
        history.Evaluations.Last().Metrics["val_loss"].Should().BeGreaterThan(best.Metrics["val_loss"]);

        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        double restored = Mse(model.Forward(validation.Features), validation.Targets).Item();
        restored.Should().BeApproximately(best.Metrics["val_loss"], 1e-6, "the model holds the weights of the best evaluation");
    }

    [Test]
    public void ANonFiniteLossIsSkippedAndCounted()
    {
        using var train = Regression(64, 1);
        using var model = Model(6);
        int calls = 0;
        Tensor PoisonedMse(Tensor p, Tensor t)
        {
            Tensor loss = Mse(p, t);
            return ++calls == 3 ? loss.Mul(double.NaN) : loss;
        }
        using var before = model.Parameters().First().Clone();
        var history = Loop(model, loss: PoisonedMse).Fit(train);
        history.SkippedSteps.Should().Equal(3L);
        double.IsNaN(history.StepLosses[2]).Should().BeTrue();
        history.StopReason.Should().Be(StopReason.MaxEpochs);
        model.Parameters().All(p => p.IsFinite().All().Item() == 1).Should().BeTrue("the NaN step must not reach the weights");
    }

    [Test]
    public void PersistentNonFiniteLossStopsAsDivergedNamingTheStep()
    {
        using var train = Regression(64, 1);
        using var model = Model(6);
        int calls = 0;
        Tensor Exploding(Tensor p, Tensor t) => ++calls >= 5 ? Mse(p, t).Mul(double.PositiveInfinity) : Mse(p, t);
        var history = Loop(model, new TrainingOptions { Epochs = 5, BatchSize = 16, MaxConsecutiveNonFiniteSteps = 3 }, loss: Exploding).Fit(train);
        history.StopReason.Should().Be(StopReason.Diverged);
        history.SkippedSteps.Should().Equal(5L, 6L, 7L);
        history.StopMessage.Should().Contain("3 consecutive steps").And.Contain("step 7");
        model.Parameters().All(p => p.IsFinite().All().Item() == 1).Should().BeTrue();
    }

    private sealed class CancelAfter(int steps, CancellationTokenSource source) : ITrainingCallback
    {
        public void OnStepEnd(TrainingContext context, double loss)
        {
            if (context.Step == steps) source.Cancel();
        }
    }

    [Test]
    public void CancellationReturnsBetweenStepsWithTheLastCompletedStep()
    {
        using var train = Regression(64, 1);
        using var model = Model(6);
        using var cts = new CancellationTokenSource();
        var history = Loop(model, callbacks: new[] { new CancelAfter(5, cts) }).Fit(train, cancellationToken: cts.Token);
        history.StopReason.Should().Be(StopReason.Cancelled);
        history.Steps.Should().Be(5);

        // The weights are exactly those of 5 uninterrupted steps.
        using var reference = Model(6);
        Loop(reference, new TrainingOptions { Epochs = 3, BatchSize = 16, Seed = 5, Threads = 2 }, callbacks: new[] { new StopAt(5) }).Fit(train);
        SameWeights(model, reference).Should().BeTrue();
    }

    private sealed class StopAfterEpoch(int epoch) : ITrainingCallback
    {
        public void OnEvaluation(TrainingContext context, EvaluationRecord evaluation)
        {
            if (evaluation.Epoch == epoch) context.RequestStop(StopReason.Cancelled, "simulated interruption");
        }
    }

    private sealed class StopAt(long step) : ITrainingCallback
    {
        public void OnStepEnd(TrainingContext context, double loss)
        {
            if (context.Step == step) context.RequestStop(StopReason.Cancelled, "test");
        }
    }

    [Test]
    public void GradientAccumulationMatchesOneLargerBatch()
    {
        using var train = Regression(64, 1);
        using var a = Model(8, dropout: 0);
        using var b = Model(8, dropout: 0);
        var sgd = new SgdOptions { LearningRate = 0.05 };
        Loop(a, new TrainingOptions { Epochs = 2, BatchSize = 16, Shuffle = false }, optimizer: sgd).Fit(train);
        Loop(b, new TrainingOptions { Epochs = 2, BatchSize = 8, GradientAccumulationSteps = 2, Shuffle = false }, optimizer: sgd).Fit(train);
        foreach (var ((n, pa), (_, pb)) in a.NamedParameters().Zip(b.NamedParameters()))
            pa.AllClose(pb, rtol: 1e-5, atol: 1e-6).Should().BeTrue(n);
    }

    [Test]
    public void TheScheduleSetsTheLearningRateOfEveryStepAndProgressIsReported()
    {
        using var train = Regression(64, 1);
        using var model = Model(6);
        var reports = new List<TrainingProgress>();
        var loop = new TrainingLoop
        {
            Model = model,
            Loss = Mse,
            Optimizer = new AdamWOptions { LearningRate = 0.01 },
            Schedule = new WsdSchedule { WarmupSteps = 2, DecaySteps = 4, Cooldown = CooldownShape.Linear },
            Options = new TrainingOptions { Epochs = 3, BatchSize = 16 },
            Progress = new SynchronousProgress<TrainingProgress>(reports.Add),
        };
        var history = loop.Fit(train);
        long total = loop.StepsPerEpoch(64) * 3;
        total.Should().Be(12);
        var schedule = new WsdSchedule { WarmupSteps = 2, DecaySteps = 4, Cooldown = CooldownShape.Linear };
        history.LearningRates.Should().HaveCount(12);
        for (int s = 0; s < 12; s++) history.LearningRates[s].Should().BeApproximately(0.01 * schedule.Factor(s, total), 1e-15);
        reports.Select(r => r.Step).Should().Equal(Enumerable.Range(1, 12).Select(i => (long)i));
        reports.Last().Fraction.Should().Be(1);
        reports.Should().OnlyContain(r => r.Epochs == 3 && r.TotalSteps == 12);
    }

    private sealed class RecordBeta1(List<double> seen) : ITrainingCallback
    {
        public void OnStepEnd(TrainingContext context, double loss) => seen.Add(((AdamOptions)context.Optimizer.Groups[0].Options).Beta1);
    }

    [Test]
    public void OneCycleCyclesTheMomentumOfOptimizersThatHaveOne()
    {
        using var train = Regression(64, 1);
        using var model = Model(6);
        var seen = new List<double>();
        var schedule = new OneCycleSchedule();
        var loop = new TrainingLoop
        {
            Model = model, Loss = Mse, Optimizer = new AdamWOptions { LearningRate = 0.01 }, Schedule = schedule,
            Options = new TrainingOptions { Epochs = 3, BatchSize = 16 }, Callbacks = new[] { new RecordBeta1(seen) },
        };
        loop.Fit(train);
        seen.Should().HaveCount(12);
        for (int s = 0; s < 12; s++) seen[s].Should().BeApproximately(schedule.MomentumFactor(s, 12), 1e-12);
        seen[0].Should().BeApproximately(0.95, 1e-12, "β1 starts at max_momentum while the lr is lowest");
        seen.Min().Should().BeLessThan(0.86, "β1 dips towards base_momentum (0.85) near the lr peak");
    }

    [Test]
    public void ReduceOnPlateauLowersTheLearningRate()
    {
        using var train = Regression(32, 1);
        using var validation = Regression(32, 2);
        using var model = Model(6);
        // MinDelta larger than any possible improvement: every evaluation is a plateau.
        var plateau = new ReduceOnPlateau { Patience = 1, Factor = 0.5, MinDelta = 100 };
        var history = Loop(model, new TrainingOptions { Epochs = 5, BatchSize = 32 }, callbacks: new[] { plateau },
            optimizer: new SgdOptions { LearningRate = 0.1 }).Fit(train, validation);
        history.Evaluations.Select(e => e.LearningRate).Should().Equal(
            0.1 * Sched(0), 0.1 * Sched(1), 0.1 * Sched(2), 0.05 * Sched(3), 0.05 * Sched(4));
        static double Sched(long s) => TorchZoo.Trainers.Schedules.Schedules.WarmupCosine(0.1).Factor(s, 5);
    }

    [Test]
    public void ClippingIsAppliedBeforeEveryStep()
    {
        using var train = Regression(32, 1);
        using var model = Model(6, dropout: 0);
        var clip = new RecordingClipper();
        Loop(model, new TrainingOptions { Epochs = 2, BatchSize = 16, Clipping = clip }).Fit(train);
        clip.Calls.Should().Be(4);
        clip.LastNorm.Should().BeGreaterThan(0);
    }

    private sealed class RecordingClipper : IGradientClipper
    {
        private readonly GlobalNormClipping inner = new() { MaxNorm = 0.1 };
        public int Calls { get; private set; }
        public double LastNorm { get; private set; }

        public ClipResult Clip(IReadOnlyList<Parameter> parameters)
        {
            Calls++;
            ClipResult r = inner.Clip(parameters);
            LastNorm = r.NormBeforeClipping;
            GradientNorms.GlobalNorm(parameters).Should().BeLessThanOrEqualTo(0.1 + 1e-6);
            return r;
        }
    }

    [Test]
    public void ATruncatedCheckpointFailsClearly()
    {
        using var train = Regression(32, 1);
        string path = Path.Combine(Path.GetTempPath(), $"tz-ckpt-{Guid.NewGuid():N}.safetensors");
        string broken = path + ".broken";
        try
        {
            using var model = Model(6);
            Loop(model, new TrainingOptions { Epochs = 1, BatchSize = 16, CheckpointPath = path }).Fit(train);
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(broken, bytes[..(bytes.Length / 2)]);
            using var other = Model(6);
            Action resume = () => Loop(other, new TrainingOptions { Epochs = 2, BatchSize = 16 }).Fit(train, resumeFrom: broken);
            resume.Should().Throw<InvalidDataException>().WithMessage($"*checkpoint '{broken}' is damaged*truncated*");
            File.ReadAllBytes(path).Should().Equal(bytes, "the good checkpoint is untouched");
        }
        finally
        {
            File.Delete(path);
            File.Delete(broken);
        }
    }

    [Test]
    public void LiveTensorCountIsStableAcrossATrainingRun()
    {
        using var train = Regression(64, 1);
        using var validation = Regression(32, 2);
        using var model = Model(6);
        var loop = Loop(model, new TrainingOptions { Epochs = 2, BatchSize = 16 }, new EarlyStoppingOptions());
        loop.Fit(train, validation);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after1 = TorchRuntime.LiveTensorCount;
        loop.Fit(train, validation);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TorchRuntime.LiveTensorCount.Should().Be(after1);
    }

    [Test]
    public void MonitoringValidationWithoutValidationDataIsRejected()
    {
        using var train = Regression(32, 1);
        using var model = Model(6);
        Action fit = () => Loop(model, earlyStopping: new EarlyStoppingOptions()).Fit(train);
        fit.Should().Throw<ArgumentException>().WithMessage("*monitors 'val_loss' but no validation data*");
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
