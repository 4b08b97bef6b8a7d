using System.IO.Compression;
using System.Text;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Trainers;

namespace TorchZoo.Extensions.Tests;

/// <summary>Every kind of bad input fails with one clear sentence naming what is wrong.</summary>
public class BadInputTests
{
    [OneTimeSetUp]
    public void Register() => TinyMlpSpec.EnsureRegistered();

    private static readonly RegressionTrainerOptions Quick = new() { MaxEpochs = 1, Seed = 1, Threads = 1 };

    private sealed class Row
    {
        [VectorType(2)] public float[] Features { get; set; } = new float[2];
        public float Label { get; set; }
        public string Text { get; set; } = "x";
    }

    [Test]
    public void MissingFeatureColumn()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        Action fit = () => ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Quick with { FeatureColumnName = "Pixels" }).Fit(data);
        fit.Should().Throw<ArgumentException>().WithMessage("The feature column 'Pixels' is missing (FeatureColumnName); the columns are: Features, Label, Text.");
    }

    [Test]
    public void WrongLabelType()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        Action fit = () => ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Quick with { LabelColumnName = "Text" }).Fit(data);
        fit.Should().Throw<ArgumentException>().WithMessage("Column 'Text' holds String values; regression labels must be numbers or a float vector (LabelColumnName).");
    }

    [Test]
    public void NaNLabels()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row { Label = 1 }, new Row { Label = float.NaN } });
        Action fit = () => ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Quick).Fit(data);
        fit.Should().Throw<ArgumentException>().WithMessage("Column 'Label' has a non-finite label (NaN) in row 1 (LabelColumnName).");
    }

    [Test]
    public void EmptyData()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<Row>());
        Action fit = () => ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Quick).Fit(data);
        fit.Should().Throw<ArgumentException>().WithMessage("The training data is empty.");
    }

    [Test]
    public void MulticlassLabelsMustBeKeys()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row() });
        Action fit = () => ml.MulticlassClassification.Trainers.TorchModel(new TinyMlpSpec(), new MulticlassTrainerOptions { LabelColumnName = "Text" }).Fit(data);
        fit.Should().Throw<ArgumentException>().WithMessage("*must be keys: add ml.Transforms.MapValueToKey(\"Text\")*");
    }

    [Test]
    public void PredictingWithAnotherFeatureShape()
    {
        var ml = new ZooContext(1);
        using var model = ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Quick).Fit(ml.Data.LoadFromEnumerable(new[] { new Row(), new Row() }));
        var wider = ml.Data.LoadFromColumns(("Features", new VectorColumn(new VectorDataViewType(3), new float[6])));
        Action transform = () => model.Transform(wider);
        transform.Should().Throw<ArgumentException>().WithMessage("Column 'Features' has shape [3] but the model was trained on [2].");
    }

    [Test]
    public void InvalidOptionValuesNameTheOption()
    {
        ((Action)(() => _ = new RegressionTrainerOptions { BatchSize = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("BatchSize");
        ((Action)(() => _ = new RegressionTrainerOptions { ValidationFraction = 1.5 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("ValidationFraction");
        ((Action)(() => _ = new RegressionTrainerOptions { LabelColumnName = " " })).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("LabelColumnName");
    }

    [Test]
    public void CorruptedTruncatedAndForeignModelFiles()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Row(), new Row() });
        using var model = ml.Regression.Trainers.TorchModel(new TinyMlpSpec(), Quick).Fit(data);
        string dir = Path.Combine(Path.GetTempPath(), $"tz-bad-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string good = Path.Combine(dir, "good.zip");
            ml.Model.Save(model, data.Schema, good);
            byte[] bytes = File.ReadAllBytes(good);

            string truncated = Path.Combine(dir, "truncated.zip");
            File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
            ((Action)(() => ml.Model.Load(truncated, out _))).Should().Throw<InvalidDataException>().WithMessage($"'{truncated}' is not a valid TorchZoo model*");

            string garbage = Path.Combine(dir, "garbage.zip");
            File.WriteAllText(garbage, "not a zip at all");
            ((Action)(() => ml.Model.Load(garbage, out _))).Should().Throw<InvalidDataException>().WithMessage("*not a readable zip file*");

            string foreign = Path.Combine(dir, "foreign.zip");
            WriteZip(foreign, ("model.json", "{\"format\":\"torchzoo.model\",\"version\":1,\"schema\":[],\"model\":{\"kind\":\"ImageClassifierFromElsewhere\",\"parameters\":{}}}"));
            ((Action)(() => ml.Model.Load(foreign, out _))).Should().Throw<InvalidDataException>().WithMessage("*kind 'ImageClassifierFromElsewhere', which is not registered*");

            string slip = Path.Combine(dir, "slip.zip");
            WriteZip(slip, ("../../evil.txt", "x"), ("model.json", "{}"));
            ((Action)(() => ml.Model.Load(slip, out _))).Should().Throw<InvalidDataException>().WithMessage("*unsafe entry name '../../evil.txt'*");
            File.Exists(Path.Combine(dir, "..", "..", "evil.txt")).Should().BeFalse();

            string notOurs = Path.Combine(dir, "other.zip");
            WriteZip(notOurs, ("model.json", "{\"format\":\"onnx\"}"));
            ((Action)(() => ml.Model.Load(notOurs, out _))).Should().Throw<InvalidDataException>().WithMessage("*is not a TorchZoo model file*");

            string wrongShape = Path.Combine(dir, "wrongshape.zip");
            File.WriteAllBytes(wrongShape, bytes);
            RewriteEntry(wrongShape, "model.json", s => s.Replace("\"hidden\": 32", "\"hidden\": 16"));
            ((Action)(() => ml.Model.Load(wrongShape, out _))).Should().Throw<InvalidDataException>().WithMessage("*the weights do not fit the model*fc1.weight*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void WriteZip(string path, params (string Name, string Text)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, text) in entries)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(Encoding.UTF8.GetBytes(text));
        }
    }

    private static void RewriteEntry(string path, string name, Func<string, string> change)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry(name)!;
        string text;
        using (var r = new StreamReader(entry.Open())) text = r.ReadToEnd();
        entry.Delete();
        using var s = zip.CreateEntry(name).Open();
        s.Write(Encoding.UTF8.GetBytes(change(text)));
    }
}
