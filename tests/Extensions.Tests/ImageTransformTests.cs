using System.Text.Json;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Transforms;

namespace TorchZoo.Extensions.Tests;

/// <summary>The golden values of tests/golden/make_image_values.py (PyTorch's interpolate and stft).</summary>
internal static class ImageGolden
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "golden", "extensions", "image_values.json"))).RootElement);

    public static IEnumerable<JsonElement> Cases(string group) => Root.Value.GetProperty(group).EnumerateArray();

    public static JsonElement Case(string group, string name) => Cases(group).Single(c => c.GetProperty("name").GetString() == name);

    public static string[] Names(string group) => Cases(group).Select(c => c.GetProperty("name").GetString()!).ToArray();

    public static float[] Floats(this JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(v => v.GetSingle()).ToArray();

    public static int[] Ints(this JsonElement c, string property) => c.GetProperty(property).EnumerateArray().Select(v => v.GetInt32()).ToArray();

    /// <summary>Elementwise |actual − expected| ≤ tolerance·max(1, |expected|), naming the first index that is off.</summary>
    public static void ShouldMatch(this float[] actual, float[] expected, double tolerance, string what)
    {
        actual.Length.Should().Be(expected.Length, what);
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = tolerance * Math.Max(1, Math.Abs(expected[i]));
            Math.Abs(actual[i] - (double)expected[i]).Should().BeLessThanOrEqualTo(bound, $"{what}: element {i} is {actual[i]}, PyTorch gives {expected[i]}");
        }
    }
}

public class ImageTransformTests
{
    private static IDataView Images(ZooContext ml, string name, int[] shape, params float[][] rows) =>
        ml.Data.LoadFromColumns((name, new VectorColumn(new VectorDataViewType(shape), rows.SelectMany(r => r).ToArray())));

    private static IEnumerable<string> ResizeCases => ImageGolden.Names("resize");

    [TestCaseSource(nameof(ResizeCases))]
    public void ResizeMatchesPyTorchInterpolate(string name)
    {
        var c = ImageGolden.Case("resize", name);
        var ml = new ZooContext(1);
        int[] shape = c.Ints("shape");
        float[] input = c.Floats("input");
        // Two rows (the image and its negation) check that rows are resized independently.
        var data = Images(ml, "Image", shape, input, input.Select(v => -v).ToArray());
        var mode = c.GetProperty("mode").GetString() == "nearest" ? ImageResizeMode.Nearest : ImageResizeMode.Bilinear;
        int height = c.GetProperty("height").GetInt32(), width = c.GetProperty("width").GetInt32();
        var resized = ml.Transforms.ResizeImages("Small", width, height, "Image", mode).Fit(data).Transform(data);

        var column = resized.GetVectors("Small");
        column.VectorType.Dimensions.Should().Equal(c.Ints("output_shape"));
        float[] expected = c.Floats("output");
        column.Row(0).ToArray().ShouldMatch(expected, 1e-5, name);
        column.Row(1).ToArray().ShouldMatch(expected.Select(v => -v).ToArray(), 1e-5, name + " (negated row)");
    }

    [Test]
    public void ResizeKeepsTheInputAndIsLazy()
    {
        var ml = new ZooContext(1);
        var data = Images(ml, "Image", new[] { 1, 2, 2 }, new float[] { 1, 2, 3, 4 });
        var output = ml.Transforms.ResizeImages("Image", 4, 4, mode: ImageResizeMode.Nearest).Fit(data).Transform(data);
        output.Should().BeOfType<DerivedDataView>();
        output.Schema["Image"].Type.Should().Be(new VectorDataViewType(1, 4, 4));
        output.GetVectors("Image").Row(0).ToArray().Should().Equal(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    }

    [Test]
    public void ResizeSchemaPropagatesWithoutData()
    {
        var ml = new ZooContext(1);
        var shape = new SchemaShape(new[] { new SchemaShape.Column("Image", new VectorDataViewType(3, 32, 48)), new SchemaShape.Column("Label", NumberDataViewType.Single) });
        var estimator = ml.Transforms.ResizeImages("Small", 16, 8, "Image")
            .Append(ml.Transforms.NormalizeImages("Norm", new[] { 0.5f, 0.4f, 0.3f }, new[] { 0.2f, 0.2f, 0.2f }, "Small"));
        var output = estimator.GetOutputSchema(shape);
        output["Small"].Type.Should().Be(new VectorDataViewType(3, 8, 16), "width 16 and height 8 give [C, 8, 16]");
        output["Norm"].Type.Should().Be(new VectorDataViewType(3, 8, 16));
        output["Label"].Type.Should().Be(NumberDataViewType.Single);
    }

    [Test]
    public void FittedResizerAcceptsOtherImageSizes()
    {
        var ml = new ZooContext(1);
        var resizer = ml.Transforms.ResizeImages("Out", 3, 2, "Image").Fit(Images(ml, "Image", new[] { 1, 4, 4 }, new float[16]));
        var other = new DataViewSchema(new (string, DataViewType)[] { ("Image", new VectorDataViewType(2, 10, 7)) });
        resizer.GetOutputSchema(other)["Out"].Type.Should().Be(new VectorDataViewType(2, 2, 3));
    }

    [Test]
    public void NormalizeImagesPerChannel()
    {
        var ml = new ZooContext(1);
        // [2, 1, 2]: channel 0 = {1, 3}, channel 1 = {10, 20}; two rows.
        var data = Images(ml, "Image", new[] { 2, 1, 2 }, new float[] { 1, 3, 10, 20 }, new float[] { 0, 0, 0, 0 });
        var output = ml.Transforms.NormalizeImages("Norm", new[] { 1f, 10f }, new[] { 2f, 5f }, "Image").Fit(data).Transform(data);
        output.Should().BeOfType<DerivedDataView>();
        output.GetVectors("Norm").Values.Should().Equal(0, 1, 0, 2, -0.5f, -0.5f, -2, -2);
        output.GetVectors("Image").Values.Should().Equal(1, 3, 10, 20, 0, 0, 0, 0);
    }

    [Test]
    public void ResizeAndNormalizeRoundTripThroughAModelFile()
    {
        var ml = new ZooContext(1);
        var g = new Random(3);
        float[] Row() => Enumerable.Range(0, 2 * 5 * 6).Select(_ => (float)g.NextDouble()).ToArray();
        var data = Images(ml, "Image", new[] { 2, 5, 6 }, Row(), Row(), Row());
        var model = ml.Transforms.ResizeImages("Image", 4, 3, mode: ImageResizeMode.Nearest)
            .Append(ml.Transforms.ResizeImages("Big", 9, 7, "Image"))
            .Append(ml.Transforms.NormalizeImages("Big", new[] { 0.5f, 0.25f }, new[] { 0.1f, 0.3f }))
            .Fit(data);
        float[] before = model.Transform(data).GetVectors("Big").Values;

        string path = Path.Combine(Path.GetTempPath(), $"tz-images-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out var schema);
            schema["Image"].Type.Should().Be(new VectorDataViewType(2, 5, 6));
            var output = loaded.Transform(data);
            output.Schema["Image"].Type.Should().Be(new VectorDataViewType(2, 3, 4));
            output.Schema["Big"].Type.Should().Be(new VectorDataViewType(2, 7, 9));
            output.GetVectors("Big").Values.Should().Equal(before);
            var chain = (TransformerChain<ITransformer>)loaded;
            var normalizer = (ImageNormalizingTransformer)chain.LastTransformer;
            normalizer.Mean.Should().Equal(0.5f, 0.25f);
            normalizer.Std.Should().Equal(0.1f, 0.3f);
            chain.Transformers.OfType<ImageResizingTransformer>().Select(t => (t.Mode, t.ImageWidth, t.ImageHeight))
                .Should().Equal((ImageResizeMode.Nearest, 4, 3), (ImageResizeMode.Bilinear, 9, 7));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void NonPositiveSizesAreRefusedWhenTheEstimatorIsMade()
    {
        var ml = new ZooContext(1);
        Action width = () => ml.Transforms.ResizeImages("Out", 0, 4, "Image");
        width.Should().Throw<ArgumentOutOfRangeException>().WithMessage("imageWidth must be positive, got 0.*");
        Action height = () => ml.Transforms.ResizeImages("Out", 4, -2, "Image");
        height.Should().Throw<ArgumentOutOfRangeException>().WithMessage("imageHeight must be positive, got -2.*");
    }

    [Test]
    public void WrongColumnTypeOrShapeIsNamed()
    {
        var ml = new ZooContext(1);
        var flat = ml.Data.LoadFromColumns(
            ("Flat", new VectorColumn(new VectorDataViewType(12), new float[12])),
            ("Text", new ScalarColumn<string>(TextDataViewType.Instance, new[] { "a" })));
        Action shape = () => ml.Transforms.ResizeImages("Out", 2, 2, "Flat").Fit(flat);
        shape.Should().Throw<ArgumentException>().WithMessage("Column 'Flat' has shape [12]; the image resizer needs [C, H, W] (inputColumnName).");
        Action type = () => ml.Transforms.NormalizeImages("Out", new[] { 0f }, new[] { 1f }, "Text").Fit(flat);
        type.Should().Throw<ArgumentException>().WithMessage("Column 'Text' holds String values; the image normalizer needs a float vector shaped [C, H, W] (inputColumnName).");
        Action missing = () => ml.Transforms.ResizeImages("Out", 2, 2, "Pixels").Fit(flat);
        missing.Should().Throw<ArgumentException>().WithMessage("The image resizer's input column 'Pixels' is missing; the columns are: Flat, Text.");
    }

    [Test]
    public void NormalizerStatisticsAreChecked()
    {
        var ml = new ZooContext(1);
        Action lengths = () => ml.Transforms.NormalizeImages("Out", new[] { 0f, 0f }, new[] { 1f }, "Image");
        lengths.Should().Throw<ArgumentException>().WithMessage("mean has 2 values but std has 1; give one of each per channel.*");
        Action zero = () => ml.Transforms.NormalizeImages("Out", new[] { 0f, 0f }, new[] { 1f, 0f }, "Image");
        zero.Should().Throw<ArgumentOutOfRangeException>().WithMessage("std[1] must be positive and finite, got 0.*");
        Action nan = () => ml.Transforms.NormalizeImages("Out", new[] { float.NaN }, new[] { 1f }, "Image");
        nan.Should().Throw<ArgumentOutOfRangeException>().WithMessage("mean[0] must be finite, got NaN.*");

        var rgb = Images(ml, "Image", new[] { 3, 1, 1 }, new float[3]);
        Action channels = () => ml.Transforms.NormalizeImages("Out", new[] { 0f }, new[] { 1f }, "Image").Fit(rgb);
        channels.Should().Throw<ArgumentException>().WithMessage("Column 'Image' has 3 channels but the image normalizer has 1 mean and std value (one per channel).");
        var fitted = ml.Transforms.NormalizeImages("Out", new[] { 0f, 0f, 0f }, new[] { 1f, 1f, 1f }, "Image").Fit(rgb);
        Action gray = () => fitted.Transform(Images(ml, "Image", new[] { 1, 1, 1 }, new float[1]));
        gray.Should().Throw<ArgumentException>().WithMessage("Column 'Image' has 1 channel but the image normalizer has 3 mean and std values (one per channel).");
    }
}
