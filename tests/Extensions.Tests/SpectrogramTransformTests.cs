using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Transforms;

namespace TorchZoo.Extensions.Tests;

public class SpectrogramTransformTests
{
    private static IDataView Signals(ZooContext ml, string name, int length, params float[][] rows) =>
        ml.Data.LoadFromColumns((name, new VectorColumn(new VectorDataViewType(length), rows.SelectMany(r => r).ToArray())));

    private static IEnumerable<string> Cases => ImageGolden.Names("spectrogram");

    private static int? OptionalInt(System.Text.Json.JsonElement c, string name) =>
        c.GetProperty(name).ValueKind == System.Text.Json.JsonValueKind.Null ? null : c.GetProperty(name).GetInt32();

    [TestCaseSource(nameof(Cases))]
    public void MatchesTorchStftMagnitudes(string name)
    {
        var c = ImageGolden.Case("spectrogram", name);
        var ml = new ZooContext(1);
        float[] signal = c.Floats("signal");
        float[] reversed = signal.Reverse().ToArray();
        var data = Signals(ml, "Signal", signal.Length, reversed, signal);
        var estimator = ml.Transforms.Spectrogram("Spec", "Signal", c.GetProperty("n_fft").GetInt32(), c.GetProperty("hop_length").GetInt32(),
            c.GetProperty("win_length").GetInt32(), c.GetProperty("log_scale").GetBoolean(), OptionalInt(c, "target_height"), OptionalInt(c, "target_width"));
        var output = estimator.Fit(data).Transform(data);

        var spec = output.GetVectors("Spec");
        int[] shape = c.Ints("output_shape");
        spec.VectorType.Dimensions.Should().Equal(shape);
        estimator.GetOutputSchema(SchemaShape.Create(data.Schema))["Spec"].Type.Should().Be(new VectorDataViewType(shape), "the schema predicts the computed shape");
        spec.Row(1).ToArray().ShouldMatch(c.Floats("output"), 1e-5, name);
        spec.Row(0).ToArray().Should().NotEqual(spec.Row(1).ToArray(), "each row gets its own spectrogram");
    }

    [Test]
    public void PureToneFallsInItsFrequencyBin()
    {
        // A cosine at bin 4 of a 32-point FFT: away from the edges each frame's magnitude peaks at bin 4 and equals
        // Σ hann(n)·cos²(…) ≈ 32/4 (the Hann window's sum over 2).
        var ml = new ZooContext(1);
        float[] tone = Enumerable.Range(0, 256).Select(n => (float)Math.Cos(2 * Math.PI * 4 * n / 32)).ToArray();
        var data = Signals(ml, "Signal", tone.Length, tone);
        var spec = ml.Transforms.Spectrogram("Spec", "Signal", nFft: 32, hopLength: 16, logScale: false).Fit(data).Transform(data).GetVectors("Spec");
        spec.VectorType.Dimensions.Should().Equal(1, 17, 17);
        float[] image = spec.Row(0).ToArray();
        int frames = 17;
        for (int frame = 2; frame < frames - 2; frame++)
        {
            float[] column = Enumerable.Range(0, 17).Select(f => image[f * frames + frame]).ToArray();
            Array.IndexOf(column, column.Max()).Should().Be(4, $"frame {frame}");
            column[4].Should().BeApproximately(8f, 1e-3f);
            column[0].Should().BeApproximately(0f, 1e-3f);
        }
    }

    [Test]
    public void LogScaleIsLog1pOfTheMagnitude()
    {
        var ml = new ZooContext(1);
        var g = new Random(5);
        float[] x = Enumerable.Range(0, 90).Select(_ => (float)g.NextDouble() * 2 - 1).ToArray();
        var data = Signals(ml, "Signal", 90, x);
        float[] plain = ml.Transforms.Spectrogram("S", "Signal", 16, 4, logScale: false).Fit(data).Transform(data).GetVectors("S").Values;
        float[] log = ml.Transforms.Spectrogram("S", "Signal", 16, 4, logScale: true).Fit(data).Transform(data).GetVectors("S").Values;
        log.ShouldMatch(plain.Select(m => (float)Math.Log(1 + m)).ToArray(), 1e-6, "log1p");
    }

    [Test]
    public void SchemaPropagatesWithoutData()
    {
        var ml = new ZooContext(1);
        var input = new SchemaShape(new[] { new SchemaShape.Column("Signal", new VectorDataViewType(1000)) });
        ml.Transforms.Spectrogram("Spec", "Signal", nFft: 64, hopLength: 16).GetOutputSchema(input)["Spec"].Type
            .Should().Be(new VectorDataViewType(1, 33, 1 + 1000 / 16));
        ml.Transforms.Spectrogram("Spec", "Signal", nFft: 15, hopLength: 5).GetOutputSchema(input)["Spec"].Type
            .Should().Be(new VectorDataViewType(1, 8, 1 + 999 / 5), "an odd nFft pads (nFft−1)/2 at each end");
        var resized = ml.Transforms.Spectrogram("Spec", "Signal", nFft: 64, targetHeight: 32, targetWidth: 48)
            .Append(ml.Transforms.NormalizeImages("Spec", new[] { 1f }, new[] { 2f }));
        resized.GetOutputSchema(input)["Spec"].Type.Should().Be(new VectorDataViewType(1, 32, 48));
    }

    [Test]
    public void DefaultsAreQuarterHopAndFullWindow()
    {
        var ml = new ZooContext(1);
        var s = ml.Transforms.Spectrogram("Spec", "Signal", nFft: 128).Settings;
        (s.HopLength, s.WinLength, s.LogScale, s.TargetHeight, s.TargetWidth).Should().Be((32, 128, true, (int?)null, (int?)null));
    }

    [Test]
    public void SaveAndLoadRoundTrip()
    {
        var ml = new ZooContext(1);
        var g = new Random(9);
        float[] Row() => Enumerable.Range(0, 300).Select(_ => (float)(g.NextDouble() - 0.5)).ToArray();
        var data = Signals(ml, "Signal", 300, Row(), Row());
        var model = ml.Transforms.Spectrogram("Spec", "Signal", nFft: 64, hopLength: 12, winLength: 48, logScale: true, targetHeight: 20, targetWidth: 24)
            .Append(ml.Transforms.Spectrogram("Raw", "Signal", nFft: 32, logScale: false))
            .Fit(data);
        var before = model.Transform(data);
        string path = Path.Combine(Path.GetTempPath(), $"tz-spec-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = (TransformerChain<ITransformer>)ml.Model.Load(path, out _);
            var spec = (SpectrogramTransformer)loaded.Transformers[0];
            spec.Settings.Should().Be(new SpectrogramSettings(64, 12, 48, true, 20, 24));
            ((SpectrogramTransformer)loaded.Transformers[1]).Settings.Should().Be(new SpectrogramSettings(32, 8, 32, false));
            var after = loaded.Transform(data);
            after.Schema["Spec"].Type.Should().Be(new VectorDataViewType(1, 20, 24));
            after.GetVectors("Spec").Values.Should().Equal(before.GetVectors("Spec").Values);
            after.GetVectors("Raw").Values.Should().Equal(before.GetVectors("Raw").Values);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void NonPositiveSizesAreRefused()
    {
        var ml = new ZooContext(1);
        Action fft = () => ml.Transforms.Spectrogram("S", "Signal", nFft: 0);
        fft.Should().Throw<ArgumentOutOfRangeException>().WithMessage("nFft must be positive, got 0.*");
        Action hop = () => ml.Transforms.Spectrogram("S", "Signal", nFft: 16, hopLength: 0);
        hop.Should().Throw<ArgumentOutOfRangeException>().WithMessage("hopLength must be positive, got 0.*");
        Action win = () => ml.Transforms.Spectrogram("S", "Signal", nFft: 16, winLength: 17);
        win.Should().Throw<ArgumentOutOfRangeException>().WithMessage("winLength must be in 1..nFft (16), got 17.*");
        Action height = () => ml.Transforms.Spectrogram("S", "Signal", nFft: 16, targetHeight: 0, targetWidth: 8);
        height.Should().Throw<ArgumentOutOfRangeException>().WithMessage("targetHeight must be positive, got 0.*");
        Action half = () => ml.Transforms.Spectrogram("S", "Signal", nFft: 16, targetHeight: 8);
        half.Should().Throw<ArgumentException>().WithMessage("Give both targetHeight and targetWidth to resize the spectrogram, or neither.*");
    }

    [Test]
    public void WrongColumnTypeOrShapeIsNamed()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromColumns(
            ("Image", new VectorColumn(new VectorDataViewType(2, 8), new float[16])),
            ("Short", new VectorColumn(new VectorDataViewType(8), new float[8])),
            ("Label", new ScalarColumn<float>(NumberDataViewType.Single, new[] { 1f })));
        Action shape = () => ml.Transforms.Spectrogram("S", "Image", nFft: 4).Fit(data);
        shape.Should().Throw<ArgumentException>().WithMessage("Column 'Image' has shape [2, 8]; the spectrogram needs a 1-D signal [T] (inputColumnName).");
        Action type = () => ml.Transforms.Spectrogram("S", "Label", nFft: 4).Fit(data);
        type.Should().Throw<ArgumentException>().WithMessage("Column 'Label' holds Single values; the spectrogram needs a float vector signal [T] (inputColumnName).");
        Action tooShort = () => ml.Transforms.Spectrogram("S", "Short", nFft: 16).Fit(data);
        tooShort.Should().Throw<ArgumentException>().WithMessage("Column 'Short' has 8 samples per row; nFft = 16 needs more than 8 (reflect padding of nFft/2 at each end).");
        Action missing = () => ml.Transforms.Spectrogram("S", "Audio", nFft: 4).GetOutputSchema(SchemaShape.Create(data.Schema));
        missing.Should().Throw<ArgumentException>().WithMessage("The spectrogram's input column 'Audio' is missing; the columns are: Image, Short, Label.");
    }

    [Test]
    public void NonFiniteSignalValuesAreNamedWhenRead()
    {
        var ml = new ZooContext(1);
        float[] good = new float[32], bad = new float[32];
        bad[7] = float.NaN;
        var data = Signals(ml, "Signal", 32, good, good, bad);
        var output = ml.Transforms.Spectrogram("Spec", "Signal", nFft: 8).Fit(data).Transform(data);
        output.Schema["Spec"].Type.Should().Be(new VectorDataViewType(1, 5, 17), "the schema is known without reading the values");
        Action read = () => output.GetColumn("Spec");
        read.Should().Throw<ArgumentException>().WithMessage("Column 'Signal' has a non-finite value (NaN) in row 2.");
        var inf = Signals(ml, "Signal", 32, good, Enumerable.Repeat(float.PositiveInfinity, 32).ToArray());
        Action readInf = () => ml.Transforms.Spectrogram("Spec", "Signal", nFft: 8).Fit(inf).Transform(inf).GetColumn("Spec");
        readInf.Should().Throw<ArgumentException>().WithMessage("Column 'Signal' has a non-finite value (*) in row 1.");
    }
}
