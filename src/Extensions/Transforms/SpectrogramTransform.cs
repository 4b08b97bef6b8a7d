using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Transforms;

/// <summary>
/// The settings of a spectrogram: |STFT| with a periodic Hann window of <see cref="WinLength"/> samples (centred
/// in the <see cref="NFft"/>-point frame), frames every <see cref="HopLength"/> samples, centred with reflect
/// padding of NFft/2 at each end (torch.stft's center=True), one-sided: F = NFft/2 + 1 frequencies and
/// 1 + (T + 2·(NFft/2) − NFft) / HopLength frames for a signal of T samples. With <see cref="LogScale"/> the
/// magnitude m becomes log(1 + m); with a target size the [1, F, frames] image is then resized bilinearly.
/// </summary>
public sealed record SpectrogramSettings
{
    public SpectrogramSettings(int nFft, int? hopLength = null, int? winLength = null, bool logScale = true, int? targetHeight = null, int? targetWidth = null)
    {
        if (nFft <= 0) throw new ArgumentOutOfRangeException(nameof(nFft), nFft, $"nFft must be positive, got {nFft}.");
        int hop = hopLength ?? Math.Max(1, nFft / 4);
        int win = winLength ?? nFft;
        if (hop <= 0) throw new ArgumentOutOfRangeException(nameof(hopLength), hop, $"hopLength must be positive, got {hop}.");
        if (win <= 0 || win > nFft) throw new ArgumentOutOfRangeException(nameof(winLength), win, $"winLength must be in 1..nFft ({nFft}), got {win}.");
        if (targetHeight.HasValue != targetWidth.HasValue)
            throw new ArgumentException("Give both targetHeight and targetWidth to resize the spectrogram, or neither.", targetHeight.HasValue ? nameof(targetWidth) : nameof(targetHeight));
        if (targetHeight is { } th) ImageColumns.CheckSize(th, nameof(targetHeight));
        if (targetWidth is { } tw) ImageColumns.CheckSize(tw, nameof(targetWidth));
        NFft = nFft;
        HopLength = hop;
        WinLength = win;
        LogScale = logScale;
        TargetHeight = targetHeight;
        TargetWidth = targetWidth;
    }

    public int NFft { get; }
    public int HopLength { get; }
    public int WinLength { get; }
    public bool LogScale { get; }
    public int? TargetHeight { get; }
    public int? TargetWidth { get; }

    /// <summary>Frequencies per frame (NFft/2 + 1).</summary>
    public int Frequencies => NFft / 2 + 1;

    /// <summary>The number of frames for a signal of <paramref name="length"/> samples.</summary>
    public int Frames(int length) => 1 + (length + 2 * (NFft / 2) - NFft) / HopLength;

    /// <summary>The output image shape for a signal of <paramref name="length"/> samples: [1, F, frames] or [1, TargetHeight, TargetWidth].</summary>
    public VectorDataViewType OutputType(int length) =>
        TargetHeight is { } h && TargetWidth is { } w ? new VectorDataViewType(1, h, w) : new VectorDataViewType(1, Frequencies, Frames(length));
}

/// <summary>The checks on a spectrogram's input: a 1-D float vector column [T] long enough for the reflect padding.</summary>
internal static class SignalColumns
{
    public static int Length(DataViewType? type, string column, SpectrogramSettings settings, IEnumerable<string> columns)
    {
        if (type is null)
            throw new ArgumentException($"The spectrogram's input column '{column}' is missing; the columns are: {string.Join(", ", columns)}.");
        if (type is not VectorDataViewType v)
            throw new ArgumentException($"Column '{column}' holds {type} values; the spectrogram needs a float vector signal [T] (inputColumnName).");
        if (v.Dimensions.Count != 1)
            throw new ArgumentException($"Column '{column}' has shape [{string.Join(", ", v.Dimensions)}]; the spectrogram needs a 1-D signal [T] (inputColumnName).");
        int t = v.Dimensions[0];
        if (t <= settings.NFft / 2)
            throw new ArgumentException($"Column '{column}' has {t} samples per row; nFft = {settings.NFft} needs more than {settings.NFft / 2} (reflect padding of nFft/2 at each end).");
        return t;
    }
}

/// <summary>Maps a float signal column [T] to a spectrogram image column (no fitting needed); see <see cref="SpectrogramSettings"/>.</summary>
public sealed class SpectrogramEstimator : IEstimator<SpectrogramTransformer>
{
    private readonly string outputColumnName, inputColumnName;

    internal SpectrogramEstimator(string outputColumnName, string inputColumnName, SpectrogramSettings settings)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        this.outputColumnName = outputColumnName;
        this.inputColumnName = inputColumnName;
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    public SpectrogramSettings Settings { get; }

    public SpectrogramTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new SpectrogramTransformer(outputColumnName, inputColumnName, Settings);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        int t = SignalColumns.Length(inputSchema.Find(inputColumnName)?.Type, inputColumnName, Settings, inputSchema.Select(c => c.Name));
        return inputSchema.With(new SchemaShape.Column(outputColumnName, Settings.OutputType(t)));
    }
}

/// <summary>The spectrogram of <see cref="SpectrogramEstimator"/>, computed with libtorch's stft.</summary>
public sealed class SpectrogramTransformer : ISavableTransformer
{
    internal SpectrogramTransformer(string output, string input, SpectrogramSettings settings)
    {
        OutputColumnName = output;
        InputColumnName = input;
        Settings = settings;
    }

    public string OutputColumnName { get; }
    public string InputColumnName { get; }
    public SpectrogramSettings Settings { get; }

    public string Kind => "Spectrogram";

    private int Length(DataViewSchema schema) =>
        SignalColumns.Length(schema.GetColumnOrNull(InputColumnName)?.Type, InputColumnName, Settings, schema.Select(c => c.Name));

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        inputSchema.With((OutputColumnName, Settings.OutputType(Length(inputSchema))));

    public IDataView Transform(IDataView input)
    {
        int t = Length(input.Schema);
        VectorDataViewType type = Settings.OutputType(t);
        return new DerivedDataView(input, new[] { (OutputColumnName, (DataViewType)type, (Func<DataColumn>)(() =>
            new VectorColumn(type, Compute(input.GetVectors(InputColumnName, "inputColumnName"), t)))) });
    }

    private float[] Compute(VectorColumn signals, int t)
    {
        float[] x = signals.Values;
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x[i]))
                throw new ArgumentException($"Column '{InputColumnName}' has a non-finite value ({x[i]}) in row {i / t}.");
        int rows = signals.Length;
        int f = Settings.Frequencies, frames = Settings.Frames(t);
        int outSize = Settings.OutputType(t).Size;
        var result = new float[checked(rows * outSize)];
        int chunk = Math.Max(1, (1 << 20) / Math.Max(t, f * frames));
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            using var scope = DisposeScope.Enter();
            Tensor batch = Tensor.FromArray(x.AsSpan(start * t, n * t), new long[] { n, t });
            Tensor spectrum = Functional.Stft(batch, Settings.NFft, Settings.HopLength, Settings.WinLength, window: null, center: true, normalized: false);
            Tensor magnitude = spectrum.Abs();                       // (n, F, frames), float32
            if (Settings.LogScale) magnitude = magnitude.Log1p();
            Tensor image = magnitude.Reshape(n, 1, f, frames);
            if (Settings.TargetHeight is { } h && Settings.TargetWidth is { } w)
                image = Functional.Interpolate(image, new long[] { h, w }, InterpolationMode.Linear, alignCorners: false);
            image.Contiguous().ToArray<float>().CopyTo(result, start * outSize);
        }
        return result;
    }

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = OutputColumnName;
        context.Parameters["input"] = InputColumnName;
        context.Parameters["n_fft"] = Settings.NFft;
        context.Parameters["hop_length"] = Settings.HopLength;
        context.Parameters["win_length"] = Settings.WinLength;
        context.Parameters["log_scale"] = Settings.LogScale;
        context.Parameters["target_height"] = Settings.TargetHeight;
        context.Parameters["target_width"] = Settings.TargetWidth;
    }

    internal static SpectrogramTransformer Load(ModelLoadContext context)
    {
        int? Optional(string name) => context.Parameters[name] is null ? null : context.GetInt(name);
        SpectrogramSettings settings;
        try
        {
            settings = new SpectrogramSettings(context.GetInt("n_fft"), context.GetInt("hop_length"), context.GetInt("win_length"),
                context.GetBool("log_scale"), Optional("target_height"), Optional("target_width"));
        }
        catch (ArgumentException e)
        {
            throw context.Invalid($"the spectrogram's settings are unusable ({e.Message})");
        }
        return new SpectrogramTransformer(context.GetString("output"), context.GetString("input"), settings);
    }
}
