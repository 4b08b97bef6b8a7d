using TorchZoo.Extensions.Data;

namespace ChirpRegression;

/// <summary>One synthetic chirp spectrogram and the three parameters to recover from it.</summary>
public sealed class ChirpExample
{
    /// <summary>The spectrogram as [1, frequency bins, time bins], row 0 the lowest frequency (its shape depends on the grid, see <see cref="ChirpSpectrograms.ToDataView"/>).</summary>
    [NoColumn] public float[] Spectrogram { get; set; } = Array.Empty<float>();

    /// <summary>Onset time (s), onset frequency (Hz), offset frequency (Hz).</summary>
    [VectorType(3)]
    public float[] Targets { get; set; } = Array.Empty<float>();

    [NoColumn] public float DurationSeconds { get; set; }
    [NoColumn] public bool Exponential { get; set; }
}

/// <summary>
/// Synthetic chirp spectrograms after the chirp-localization study (arXiv 2503.22713; its generator.py, as
/// described in our reference notes): onset t0 ~ U(0, 45) s, duration ~ U(1, 15) s, onset frequency ~ U(0, 100) Hz,
/// offset = clip(onset + U(−30, 30), 0, 100) Hz, linear or exponential sweep, a Gaussian ridge (±2 bins,
/// variance 0.5 bins²) drawn directly on the time × frequency grid, Gaussian noise of level U(0.09, 0.3), then a
/// Gaussian blur (σ = 1 bin, reflect borders, radius 4, as scipy's gaussian_filter). Seeded and deterministic.
/// </summary>
public static class ChirpSpectrograms
{
    public const double DurationSeconds = 60, MaxChirpSeconds = 15, MaxFrequencyHz = 100, MaxBandHz = 30;

    /// <summary>The examples as a data view with columns Spectrogram (float[1, F, T]) and Targets (float[3]).</summary>
    public static IDataView ToDataView(IReadOnlyList<ChirpExample> examples, int frequencyBins, int timeBins)
    {
        var type = new VectorDataViewType(1, frequencyBins, timeBins);
        var pixels = new float[checked(examples.Count * type.Size)];
        var targets = new float[examples.Count * 3];
        for (int i = 0; i < examples.Count; i++)
        {
            if (examples[i].Spectrogram.Length != type.Size)
                throw new ArgumentException($"Example {i} has {examples[i].Spectrogram.Length} pixels, not {frequencyBins}×{timeBins}.");
            Array.Copy(examples[i].Spectrogram, 0, pixels, i * type.Size, type.Size);
            Array.Copy(examples[i].Targets, 0, targets, i * 3, 3);
        }
        return new InMemoryDataView(new (string, DataColumn)[]
        {
            ("Spectrogram", new VectorColumn(type, pixels)),
            ("Targets", new VectorColumn(new VectorDataViewType(3), targets)),
        });
    }

    public static IEnumerable<ChirpExample> Generate(int count, int seed, int frequencyBins = 64, int timeBins = 64)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must be ≥ 0.");
        if (frequencyBins < 8 || timeBins < 8) throw new ArgumentOutOfRangeException(nameof(frequencyBins), "The grid needs at least 8×8 bins.");
        var random = new Random(seed);
        for (int i = 0; i < count; i++) yield return One(random, frequencyBins, timeBins);
    }

    private static ChirpExample One(Random r, int F, int T)
    {
        double t0 = r.NextDouble() * (DurationSeconds - MaxChirpSeconds);
        double d = 1 + r.NextDouble() * (MaxChirpSeconds - 1);
        double f0 = r.NextDouble() * MaxFrequencyHz;
        double f1 = Math.Clamp(f0 + (r.NextDouble() * 2 - 1) * MaxBandHz, 0, MaxFrequencyHz);
        bool exponential = r.NextDouble() < 0.5;

        var grid = new double[F, T];
        int tb0 = (int)(t0 * T / DurationSeconds);
        int tb1 = tb0 + (int)(d * T / DurationSeconds);
        double fb0 = (int)(f0 * F / MaxFrequencyHz), fb1 = (int)(f1 * F / MaxFrequencyHz);
        if (exponential && fb0 == 0) fb0 = 1;
        if (exponential && fb1 == 0) fb1 = 1;
        for (int t = tb0; t < Math.Min(tb1, T); t++)
        {
            double tau = (double)(t - tb0) / (tb1 - tb0);
            double fb = exponential ? fb0 * Math.Pow(fb1 / fb0, tau) : fb0 + (fb1 - fb0) * tau;
            fb = Math.Clamp(fb, 0, F - 1);
            for (int f = (int)fb - 2; f <= (int)fb + 2; f++)
                if (f >= 0 && f < F) grid[f, t] += Math.Exp(-0.5 * (f - fb) * (f - fb) / 0.5);
        }
        double noise = 0.09 + r.NextDouble() * (0.3 - 0.09);
        for (int f = 0; f < F; f++)
            for (int t = 0; t < T; t++)
                grid[f, t] += noise * Gaussian(r);
        double[,] smooth = GaussianBlur(grid, sigma: 1);
        var pixels = new float[F * T];
        for (int f = 0; f < F; f++)
            for (int t = 0; t < T; t++)
                pixels[f * T + t] = (float)smooth[f, t];
        return new ChirpExample
        {
            Spectrogram = pixels,
            Targets = new[] { (float)t0, (float)f0, (float)f1 },
            DurationSeconds = (float)d,
            Exponential = exponential,
        };
    }

    private static double Gaussian(Random r)
    {
        // Box–Muller from two uniforms in (0, 1].
        double u1 = 1 - r.NextDouble(), u2 = r.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A separable Gaussian blur with radius 4σ and mirrored borders (scipy's 'reflect': the edge sample repeats).</summary>
    private static double[,] GaussianBlur(double[,] x, double sigma)
    {
        int radius = (int)(4 * sigma + 0.5);
        var kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += kernel[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= sum;
        int rows = x.GetLength(0), cols = x.GetLength(1);
        var tmp = new double[rows, cols];
        var result = new double[rows, cols];
        for (int a = 0; a < rows; a++)
            for (int b = 0; b < cols; b++)
            {
                double s = 0;
                for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * x[a, Reflect(b + k, cols)];
                tmp[a, b] = s;
            }
        for (int a = 0; a < rows; a++)
            for (int b = 0; b < cols; b++)
            {
                double s = 0;
                for (int k = -radius; k <= radius; k++) s += kernel[k + radius] * tmp[Reflect(a + k, rows), b];
                result[a, b] = s;
            }
        return result;
    }

    private static int Reflect(int i, int n)
    {
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - i - 1;
        return i;
    }
}
