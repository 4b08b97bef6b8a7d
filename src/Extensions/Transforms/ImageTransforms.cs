using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Transforms;

/// <summary>How <see cref="TransformsCatalog.ResizeImages"/> resamples.</summary>
public enum ImageResizeMode
{
    /// <summary>Bilinear with half-pixel centres, as torch.nn.functional.interpolate(mode="bilinear", align_corners=False).</summary>
    Bilinear,

    /// <summary>Nearest neighbour, as torch.nn.functional.interpolate(mode="nearest"): source index floor(dst · in/out).</summary>
    Nearest,
}

/// <summary>The checks every image transform makes on its input: a float vector column shaped [C, H, W].</summary>
internal static class ImageColumns
{
    public static (int C, int H, int W) Shape(DataViewType? type, string column, string transform, IEnumerable<string> columns)
    {
        if (type is null)
            throw new ArgumentException($"The {transform}'s input column '{column}' is missing; the columns are: {string.Join(", ", columns)}.");
        if (type is not VectorDataViewType v)
            throw new ArgumentException($"Column '{column}' holds {type} values; the {transform} needs a float vector shaped [C, H, W] (inputColumnName).");
        if (v.Dimensions.Count != 3)
            throw new ArgumentException($"Column '{column}' has shape [{string.Join(", ", v.Dimensions)}]; the {transform} needs [C, H, W] (inputColumnName).");
        return (v.Dimensions[0], v.Dimensions[1], v.Dimensions[2]);
    }

    public static (int C, int H, int W) Shape(SchemaShape schema, string column, string transform) =>
        Shape(schema.Find(column)?.Type, column, transform, schema.Select(c => c.Name));

    public static (int C, int H, int W) Shape(DataViewSchema schema, string column, string transform) =>
        Shape(schema.GetColumnOrNull(column)?.Type, column, transform, schema.Select(c => c.Name));

    public static void CheckSize(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive, got {value}.");
    }

    /// <summary>
    /// Resizes rows of [C, H, W] images (row-major in <paramref name="values"/>) to [C, height, width] with
    /// libtorch, a bounded number of rows at a time.
    /// </summary>
    public static float[] Resize(ReadOnlySpan<float> values, int rows, int c, int h, int w, int height, int width, ImageResizeMode mode)
    {
        int inSize = c * h * w, outSize = c * height * width;
        var result = new float[checked(rows * outSize)];
        int chunk = Math.Max(1, (1 << 22) / Math.Max(inSize, outSize));
        var interpolation = mode == ImageResizeMode.Nearest ? InterpolationMode.Nearest : InterpolationMode.Linear;
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            using var scope = DisposeScope.Enter();
            Tensor x = Tensor.FromArray(values.Slice(start * inSize, n * inSize), new long[] { n, c, h, w });
            Tensor y = Functional.Interpolate(x, new long[] { height, width }, interpolation, alignCorners: false);
            y.Contiguous().ToArray<float>().CopyTo(result, start * outSize);
        }
        return result;
    }
}

/// <summary>Resizes a [C, H, W] float image column to [C, height, width] (no fitting needed).</summary>
public sealed class ImageResizingEstimator : IEstimator<ImageResizingTransformer>
{
    private readonly string outputColumnName, inputColumnName;
    private readonly int width, height;
    private readonly ImageResizeMode mode;

    internal ImageResizingEstimator(string outputColumnName, int imageWidth, int imageHeight, string inputColumnName, ImageResizeMode mode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ImageColumns.CheckSize(imageWidth, nameof(imageWidth));
        ImageColumns.CheckSize(imageHeight, nameof(imageHeight));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Unknown resize mode {mode}.");
        this.outputColumnName = outputColumnName;
        this.inputColumnName = inputColumnName;
        width = imageWidth;
        height = imageHeight;
        this.mode = mode;
    }

    public ImageResizingTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new ImageResizingTransformer(outputColumnName, inputColumnName, width, height, mode);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (c, _, _) = ImageColumns.Shape(inputSchema, inputColumnName, "image resizer");
        return inputSchema.With(new SchemaShape.Column(outputColumnName, new VectorDataViewType(c, height, width)));
    }
}

/// <summary>The resize of <see cref="ImageResizingEstimator"/>: any [C, H, W] input becomes [C, ImageHeight, ImageWidth].</summary>
public sealed class ImageResizingTransformer : ISavableTransformer
{
    internal ImageResizingTransformer(string output, string input, int width, int height, ImageResizeMode mode)
    {
        OutputColumnName = output;
        InputColumnName = input;
        ImageWidth = width;
        ImageHeight = height;
        Mode = mode;
    }

    public string OutputColumnName { get; }
    public string InputColumnName { get; }
    public int ImageWidth { get; }
    public int ImageHeight { get; }
    public ImageResizeMode Mode { get; }

    public string Kind => "ImageResize";

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var (c, _, _) = ImageColumns.Shape(inputSchema, InputColumnName, "image resizer");
        return inputSchema.With((OutputColumnName, new VectorDataViewType(c, ImageHeight, ImageWidth)));
    }

    public IDataView Transform(IDataView input)
    {
        var (c, h, w) = ImageColumns.Shape(input.Schema, InputColumnName, "image resizer");
        var type = new VectorDataViewType(c, ImageHeight, ImageWidth);
        return new DerivedDataView(input, new[] { (OutputColumnName, (DataViewType)type, (Func<DataColumn>)(() =>
        {
            VectorColumn source = input.GetVectors(InputColumnName, "inputColumnName");
            return new VectorColumn(type, ImageColumns.Resize(source.Values, source.Length, c, h, w, ImageHeight, ImageWidth, Mode));
        })) });
    }

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = OutputColumnName;
        context.Parameters["input"] = InputColumnName;
        context.Parameters["width"] = ImageWidth;
        context.Parameters["height"] = ImageHeight;
        context.Parameters["mode"] = Mode.ToString();
    }

    internal static ImageResizingTransformer Load(ModelLoadContext context)
    {
        int width = context.GetInt("width"), height = context.GetInt("height");
        if (width <= 0 || height <= 0) throw context.Invalid($"the image resizer's size {width}×{height} is not positive");
        if (!Enum.TryParse(context.GetString("mode"), out ImageResizeMode mode) || !Enum.IsDefined(mode))
            throw context.Invalid($"the image resizer's mode '{context.GetString("mode")}' is unknown");
        return new ImageResizingTransformer(context.GetString("output"), context.GetString("input"), width, height, mode);
    }
}

/// <summary>Normalizes a [C, H, W] float image column per channel: (x − mean[c]) / std[c] (no fitting needed).</summary>
public sealed class ImageNormalizingEstimator : IEstimator<ImageNormalizingTransformer>
{
    private readonly string outputColumnName, inputColumnName;
    private readonly float[] mean, std;

    internal ImageNormalizingEstimator(string outputColumnName, float[] mean, float[] std, string inputColumnName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        ImageNormalizingTransformer.CheckStatistics(mean, std);
        this.outputColumnName = outputColumnName;
        this.inputColumnName = inputColumnName;
        this.mean = mean.ToArray();
        this.std = std.ToArray();
    }

    public ImageNormalizingTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new ImageNormalizingTransformer(outputColumnName, inputColumnName, mean, std);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var (c, h, w) = ImageColumns.Shape(inputSchema, inputColumnName, "image normalizer");
        ImageNormalizingTransformer.CheckChannels(inputColumnName, c, mean.Length);
        return inputSchema.With(new SchemaShape.Column(outputColumnName, new VectorDataViewType(c, h, w)));
    }
}

/// <summary>The per-channel normalization of <see cref="ImageNormalizingEstimator"/>.</summary>
public sealed class ImageNormalizingTransformer : ISavableTransformer
{
    private readonly float[] mean, std;

    internal ImageNormalizingTransformer(string output, string input, float[] mean, float[] std)
    {
        OutputColumnName = output;
        InputColumnName = input;
        this.mean = mean;
        this.std = std;
    }

    public string OutputColumnName { get; }
    public string InputColumnName { get; }
    public IReadOnlyList<float> Mean => mean;
    public IReadOnlyList<float> Std => std;

    public string Kind => "ImageNormalize";

    internal static void CheckStatistics(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0) throw new ArgumentException("mean needs one value per channel, got none.", nameof(mean));
        if (mean.Length != std.Length)
            throw new ArgumentException($"mean has {mean.Length} values but std has {std.Length}; give one of each per channel.", nameof(std));
        for (int i = 0; i < mean.Length; i++)
        {
            if (!float.IsFinite(mean[i])) throw new ArgumentOutOfRangeException(nameof(mean), mean[i], $"mean[{i}] must be finite, got {mean[i]}.");
            if (!(std[i] > 0) || !float.IsFinite(std[i])) throw new ArgumentOutOfRangeException(nameof(std), std[i], $"std[{i}] must be positive and finite, got {std[i]}.");
        }
    }

    internal static void CheckChannels(string column, int channels, int given)
    {
        if (channels != given)
            throw new ArgumentException($"Column '{column}' has {channels} channel{(channels == 1 ? "" : "s")} but the image normalizer has {given} mean and std value{(given == 1 ? "" : "s")} (one per channel).");
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        var (c, h, w) = ImageColumns.Shape(inputSchema, InputColumnName, "image normalizer");
        CheckChannels(InputColumnName, c, mean.Length);
        return inputSchema.With((OutputColumnName, new VectorDataViewType(c, h, w)));
    }

    public IDataView Transform(IDataView input)
    {
        var (c, h, w) = ImageColumns.Shape(input.Schema, InputColumnName, "image normalizer");
        CheckChannels(InputColumnName, c, mean.Length);
        var type = new VectorDataViewType(c, h, w);
        return new DerivedDataView(input, new[] { (OutputColumnName, (DataViewType)type, (Func<DataColumn>)(() =>
        {
            float[] x = input.GetVectors(InputColumnName, "inputColumnName").Values;
            var y = new float[x.Length];
            int plane = h * w;
            for (int start = 0; start < x.Length; start += plane)
            {
                int channel = start / plane % c;
                float m = mean[channel], s = std[channel];
                for (int i = start; i < start + plane; i++) y[i] = (x[i] - m) / s;
            }
            return new VectorColumn(type, y);
        })) });
    }

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = OutputColumnName;
        context.Parameters["input"] = InputColumnName;
        context.Parameters["mean"] = new JsonArray(mean.Select(v => (JsonNode)v).ToArray());
        context.Parameters["std"] = new JsonArray(std.Select(v => (JsonNode)v).ToArray());
    }

    internal static ImageNormalizingTransformer Load(ModelLoadContext context)
    {
        float[] mean = context.GetObject<float[]>("mean"), std = context.GetObject<float[]>("std");
        try
        {
            CheckStatistics(mean, std);
        }
        catch (ArgumentException e)
        {
            throw context.Invalid($"the image normalizer's statistics are unusable ({e.Message})");
        }
        return new ImageNormalizingTransformer(context.GetString("output"), context.GetString("input"), mean, std);
    }
}
