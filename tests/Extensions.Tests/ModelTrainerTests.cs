using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Extensions.Tests;

/// <summary>The shipped architectures through the catalog: they learn, save and reload exactly.</summary>
public class ModelTrainerTests
{
    /// <summary>16×16 one-channel images with a bright square; the target is the square's (row, column) centre.</summary>
    private static IDataView Squares(ZooContext ml, int n, int seed)
    {
        var r = new Random(seed);
        var pixels = new float[n * 256];
        var targets = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            int row = r.Next(0, 13), col = r.Next(0, 13);
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++)
                    pixels[i * 256 + (row + a) * 16 + col + b] = 1;
            for (int p = 0; p < 256; p++) pixels[i * 256 + p] += (float)(r.NextDouble() * 0.1);
            targets[i * 2] = row + 1.5f;
            targets[i * 2 + 1] = col + 1.5f;
        }
        return ml.Data.LoadFromColumns(
            ("Image", new VectorColumn(new VectorDataViewType(1, 16, 16), pixels)),
            ("Position", new VectorColumn(new VectorDataViewType(2), targets)));
    }

    private static readonly VisionTransformerOptions Small = VisionTransformerOptions.Micro with { PatchSize = 4, Width = 32, Depth = 2, Heads = 2 };

    [Test]
    public void VisionTransformerRegressorLocatesSquaresAndReloadsExactly()
    {
        var ml = new ZooContext(21);
        var split = ml.Data.TrainTestSplit(Squares(ml, 600, 1), 0.2);
        var trainer = ml.Regression.Trainers.VisionTransformer(new VisionTransformerTrainer.RegressionOptions
        {
            FeatureColumnName = "Image", LabelColumnName = "Position", Model = Small,
            Optimizer = new MuonOptions { LearningRate = 3e-3 }, MaxEpochs = 12, BatchSize = 32, Seed = 2, Threads = 2,
        });
        using var model = trainer.Fit(split.TrainSet);
        var metrics = ml.Regression.Evaluate(model.Transform(split.TestSet), labelColumnName: "Position");
        // 12 short epochs: far from converged (about 0.9 here), but far from chance (0).
        metrics.PerTarget[0].PearsonCorrelation.Should().BeGreaterThan(0.8);
        metrics.PerTarget[1].PearsonCorrelation.Should().BeGreaterThan(0.8);

        string path = Path.Combine(Path.GetTempPath(), $"tz-vit-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, split.TrainSet.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            loaded.Transform(split.TestSet).GetVectors("Score").Values.Should().Equal(model.Transform(split.TestSet).GetVectors("Score").Values);
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void LoraFineTuningTrainsOnlyAdaptersAndSavesAPlainModel()
    {
        var ml = new ZooContext(22);
        var data = Squares(ml, 200, 2);
        var trainer = ml.Regression.Trainers.VisionTransformer(new VisionTransformerTrainer.RegressionOptions
        {
            FeatureColumnName = "Image", LabelColumnName = "Position", Model = Small,
            Lora = new LoraOptions { Rank = 4, TrainableParameters = @"^head\." }, MaxEpochs = 2, Seed = 3, Threads = 2,
        });
        using var model = trainer.Fit(data);
        var trainable = model.Model.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => p.Name).ToList();
        trainable.Should().OnlyContain(n => n.Contains("lora_") || n.StartsWith("head."));
        trainable.Should().Contain(n => n.Contains("lora_"));

        string path = Path.Combine(Path.GetTempPath(), $"tz-lora-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = (RegressionPredictionTransformer)ml.Model.Load(path, out _);
            loaded.Model.NamedParameters().Should().NotContain(p => p.Name.Contains("lora_"), "saved models hold merged plain weights");
            float[] a = loaded.Transform(data).GetVectors("Score").Values, b = model.Transform(data).GetVectors("Score").Values;
            for (int i = 0; i < a.Length; i++) a[i].Should().BeApproximately(b[i], 1e-4f);
            loaded.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void PatchSizeThatDoesNotDivideTheImageIsNamed()
    {
        var ml = new ZooContext(23);
        var trainer = ml.Regression.Trainers.VisionTransformer(new VisionTransformerTrainer.RegressionOptions
        {
            FeatureColumnName = "Image", LabelColumnName = "Position", Model = Small with { PatchSize = 5 }, MaxEpochs = 1,
        });
        Action fit = () => trainer.Fit(Squares(ml, 10, 3));
        fit.Should().Throw<ArgumentException>().WithMessage("The images are 16×16 but the patch size 5 does not divide both sides*");
    }

    [Test]
    public void TabularTransformerAndMlpLearnAPlane()
    {
        TinyMlpSpec.EnsureRegistered();
        var ml = new ZooContext(24);
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(Example.Make(500, 7)), 0.2);
        using var tabular = ml.Regression.Trainers.TransformerEncoder(new TransformerEncoderTrainer.TabularRegressionOptions
        {
            Model = new TabularTransformerOptions { Width = 32, Depth = 1, Heads = 2 }, MaxEpochs = 15, Seed = 1, Threads = 2,
            Optimizer = new AdamWOptions { LearningRate = 3e-3 },
        }).Fit(split.TrainSet);
        ml.Regression.Evaluate(tabular.Transform(split.TestSet)).RSquared.Should().BeGreaterThan(0.95);

        using var mlp = ml.Regression.Trainers.Mlp(new TransformerEncoderTrainer.MlpRegressionOptions
        {
            Model = new MlpOptions { HiddenSizes = new[] { 64 } }, MaxEpochs = 25, Seed = 1, Threads = 2,
            Optimizer = new AdamWOptions { LearningRate = 1e-2 },
        }).Fit(split.TrainSet);
        ml.Regression.Evaluate(mlp.Transform(split.TestSet)).RSquared.Should().BeGreaterThan(0.95);
    }
}
