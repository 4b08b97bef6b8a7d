namespace TorchZoo.Extensions.Transforms;

/// <summary>Data transforms (ML.NET's <c>mlContext.Transforms</c>).</summary>
public sealed class TransformsCatalog
{
    internal TransformsCatalog(ZooContext context) => Context = context;

    internal ZooContext Context { get; }

    /// <summary>Standardizes a numeric column per slot: (x − mean)/std, fitted on the training data.</summary>
    public NormalizingEstimator NormalizeMeanVariance(string outputColumnName, string? inputColumnName = null, bool perSlot = true) =>
        new(outputColumnName, inputColumnName ?? outputColumnName, NormalizationMode.MeanVariance, perSlot);

    /// <summary>Scales a numeric column per slot into [0, 1]: (x − min)/(max − min), fitted on the training data.</summary>
    public NormalizingEstimator NormalizeMinMax(string outputColumnName, string? inputColumnName = null, bool perSlot = true) =>
        new(outputColumnName, inputColumnName ?? outputColumnName, NormalizationMode.MinMax, perSlot);

    /// <summary>Maps the distinct values of a column to keys 1..K (sorted by value), e.g. labels for classification.</summary>
    public ValueToKeyMappingEstimator MapValueToKey(string outputColumnName, string? inputColumnName = null) =>
        new(outputColumnName, inputColumnName ?? outputColumnName);

    /// <summary>Maps keys back to their original values (as text).</summary>
    public KeyToValueMappingEstimator MapKeyToValue(string outputColumnName, string? inputColumnName = null) =>
        new(outputColumnName, inputColumnName ?? outputColumnName);

    /// <summary>Joins numeric columns into one float vector column, in the order given.</summary>
    public ColumnConcatenatingEstimator Concatenate(string outputColumnName, params string[] inputColumnNames) =>
        new(outputColumnName, inputColumnNames);

    /// <summary>
    /// Resizes a float image column shaped [C, H, W] to [C, imageHeight, imageWidth] with libtorch
    /// (as torch.nn.functional.interpolate: bilinear with align_corners=False, or nearest).
    /// </summary>
    public ImageResizingEstimator ResizeImages(string outputColumnName, int imageWidth, int imageHeight, string? inputColumnName = null,
        ImageResizeMode mode = ImageResizeMode.Bilinear) =>
        new(outputColumnName, imageWidth, imageHeight, inputColumnName ?? outputColumnName, mode);

    /// <summary>Normalizes a float image column shaped [C, H, W] per channel: (x − mean[c]) / std[c].</summary>
    public ImageNormalizingEstimator NormalizeImages(string outputColumnName, float[] mean, float[] std, string? inputColumnName = null) =>
        new(outputColumnName, mean, std, inputColumnName ?? outputColumnName);

    /// <summary>
    /// Maps a float signal column [T] to a spectrogram image [1, nFft/2+1, frames]: |STFT| with a Hann window
    /// (libtorch's stft, centred frames), log(1 + m)-scaled when <paramref name="logScale"/>, and resized
    /// bilinearly to [1, targetHeight, targetWidth] when both are given. Hop defaults to nFft/4, window to nFft.
    /// </summary>
    public SpectrogramEstimator Spectrogram(string outputColumnName, string? inputColumnName = null, int nFft = 256, int? hopLength = null,
        int? winLength = null, bool logScale = true, int? targetHeight = null, int? targetWidth = null) =>
        new(outputColumnName, inputColumnName ?? outputColumnName, new SpectrogramSettings(nFft, hopLength, winLength, logScale, targetHeight, targetWidth));
}
