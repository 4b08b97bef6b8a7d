using System.IO.Compression;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Training;

namespace TorchZoo.Extensions.Tests;

public class PipelineTests
{
    [OneTimeSetUp]
    public void Register() => TinyMlpSpec.EnsureRegistered();

    private static RegressionTrainerOptions Fast(string label = "Label") => new()
    {
        LabelColumnName = label,
        Optimizer = new TorchZoo.Trainers.Optimizers.AdamWOptions { LearningRate = 1e-2, WeightDecay = 0 },
        MaxEpochs = 30,
        BatchSize = 32,
        Seed = 4,
        Threads = 2,
    };

    [Test]
    public void NormalizeThenRegressFitsAndPredictsInLabelUnits()
    {
        var ml = new ZooContext(7);
        var data = ml.Data.LoadFromEnumerable(Example.Make(400, 1));
        var split = ml.Data.TrainTestSplit(data, 0.2);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Fast()));
        using var model = pipeline.Fit(split.TrainSet);
        var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet));
        metrics.RSquared.Should().BeGreaterThan(0.97);
        metrics.MeanAbsoluteError.Should().BeLessThan(0.15);
    }

    [Test]
    public void VectorTargetsAreLearnedWithPerTargetMetrics()
    {
        var ml = new ZooContext(8);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(Example.Make(600, 2)), 0.2);
        var trainer = ml.Regression.Trainers.TorchModel(new TinyMlpSpec(64), Fast("Targets") with { MaxEpochs = 60, ValidationFraction = 0.1, EarlyStopping = new EarlyStoppingOptions { Patience = 10 } });
        using var model = trainer.Fit(split.TrainSet);
        var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet), labelColumnName: "Targets");
        metrics.PerTarget.Should().HaveCount(2);
        metrics.PerTarget[0].PearsonCorrelation.Should().BeGreaterThan(0.98);
        metrics.PerTarget[1].PearsonCorrelation.Should().BeGreaterThan(0.8, "a·b is harder but learnable");
        trainer.LastHistory!.Evaluations.Should().NotBeEmpty();
        trainer.LastHistory.Evaluations[0].Metrics.Should().ContainKey("val_loss");
    }

    [Test]
    public void SavedModelsReloadWithIdenticalPredictions()
    {
        var ml = new ZooContext(9);
        var data = ml.Data.LoadFromEnumerable(Example.Make(200, 3));
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Fast() with { MaxEpochs = 3 }));
        using var model = pipeline.Fit(data);
        string path = Path.Combine(Path.GetTempPath(), $"tz-model-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            ITransformer loaded = ml.Model.Load(path, out DataViewSchema schema);
            schema.Select(c => c.Name).Should().Equal(data.Schema.Select(c => c.Name));
            float[] before = model.Transform(data).GetScalars<float>("Score");
            float[] after = loaded.Transform(data).GetScalars<float>("Score");
            after.Should().Equal(before);
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void PredictionEnginesOnManyThreadsAgreeWithBatchPredictions()
    {
        var ml = new ZooContext(10);
        var rows = Example.Make(64, 4);
        var data = ml.Data.LoadFromEnumerable(rows);
        using var model = ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Fast() with { MaxEpochs = 2 }).Fit(data);
        float[] batch = model.Transform(data).GetScalars<float>("Score");
        var results = new float[rows.Count];
        Parallel.For(0, 4, worker =>
        {
            var engine = ml.Model.CreatePredictionEngine<Example, Prediction>(model);
            for (int i = worker; i < rows.Count; i += 4) results[i] = engine.Predict(rows[i]).Score;
        });
        for (int i = 0; i < rows.Count; i++) results[i].Should().BeApproximately(batch[i], 1e-5f);
    }

    [Test]
    public void MulticlassPipelineWithKeysLearnsQuadrants()
    {
        var ml = new ZooContext(11);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(Example.Make(800, 5)), 0.2);
        var pipeline = ml.Transforms.MapValueToKey("Label", "Quadrant")
            .Append(ml.MulticlassClassification.Trainers.TorchModel(new TinyMlpSpec(64), new MulticlassTrainerOptions
            {
                Optimizer = new TorchZoo.Trainers.Optimizers.AdamWOptions { LearningRate = 1e-2 },
                MaxEpochs = 25, Seed = 3, Threads = 2,
            }))
            .Append(ml.Transforms.MapKeyToValue("PredictedQuadrant", "PredictedLabel"));
        using var model = pipeline.Fit(split.TrainSet);
        IDataView scored = model.Transform(split.TestSet);
        var metrics = ml.MulticlassClassification.Evaluate(scored, topKPredictionCount: 2);
        metrics.MicroAccuracy.Should().BeGreaterThan(0.93);
        metrics.ConfusionMatrix.Classes.Should().Equal("EN", "ES", "WN", "WS");
        string[] predicted = scored.GetScalars<string>("PredictedQuadrant");
        string[] truth = scored.GetScalars<string>("Quadrant");
        predicted.Zip(truth).Count(p => p.First == p.Second).Should().BeGreaterThan((int)(0.93 * truth.Length));
    }

    [Test]
    public void BinaryPipelineLearnsASign()
    {
        var ml = new ZooContext(12);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(Example.Make(600, 6)), 0.2);
        using var model = ml.BinaryClassification.Trainers.TorchModel(new TinyMlpSpec(), new BinaryTrainerOptions
        {
            LabelColumnName = "Positive",
            Optimizer = new TorchZoo.Trainers.Optimizers.AdamWOptions { LearningRate = 1e-2 },
            MaxEpochs = 20, Seed = 3, Threads = 2,
        }).Fit(split.TrainSet);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet), labelColumnName: "Positive");
        metrics.Accuracy.Should().BeGreaterThan(0.95);
        metrics.AreaUnderRocCurve.Should().BeGreaterThan(0.98);
    }

    [Test]
    public void GetOutputSchemaPropagatesWithoutData()
    {
        var ml = new ZooContext(1);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features").Append(ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Fast("Targets")));
        var input = SchemaShape.Create(ml.Data.LoadFromEnumerable(Example.Make(1, 1)).Schema);
        var output = pipeline.GetOutputSchema(input);
        output["Score"].Type.Should().Be(new VectorDataViewType(2));
    }
}
