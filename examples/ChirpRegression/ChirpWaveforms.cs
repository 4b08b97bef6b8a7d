using TorchZoo.Extensions.Data;

namespace ChirpRegression;

/// <summary>
/// The study's chirp as a waveform (its generator builds it but draws the spectrogram directly; we use it for a
/// real STFT): the same parameter draws as <see cref="ChirpSpectrograms"/>, a unit-amplitude linear sweep
/// sin(2π(f0·t + (f1 − f0)·t²/(2d))) or exponential sweep sin(2π·f0·(k^t − 1)/ln k), k = (f1/f0)^(1/d), during
/// [t0, t0 + d], plus white noise of level U(0.09, 0.3)·3, over 60 s at <see cref="SampleRate"/> Hz.
/// </summary>
public static class ChirpWaveforms
{
    /// <summary>Samples per second: enough for the 100 Hz band (Nyquist 128 Hz) at a size that fits in memory.</summary>
    public const int SampleRate = 256;

    public static int Length => (int)(ChirpSpectrograms.DurationSeconds * SampleRate);

    /// <summary>Waveforms as a data view: Signal float[Length] and Targets float[3].</summary>
    public static IDataView Generate(int count, int seed)
    {
        var random = new Random(seed);
        int n = Length;
        var signals = new float[checked(count * n)];
        var targets = new float[count * 3];
        for (int i = 0; i < count; i++)
        {
            double t0 = random.NextDouble() * (ChirpSpectrograms.DurationSeconds - ChirpSpectrograms.MaxChirpSeconds);
            double d = 1 + random.NextDouble() * (ChirpSpectrograms.MaxChirpSeconds - 1);
            double f0 = random.NextDouble() * ChirpSpectrograms.MaxFrequencyHz;
            double f1 = Math.Clamp(f0 + (random.NextDouble() * 2 - 1) * ChirpSpectrograms.MaxBandHz, 0, ChirpSpectrograms.MaxFrequencyHz);
            bool exponential = random.NextDouble() < 0.5;
            double noise = 3 * (0.09 + random.NextDouble() * (0.3 - 0.09));
            // An exponential sweep needs positive frequencies; 0.5 Hz stands in for 0, as the grid generator bumps bin 0 to 1.
            double e0 = Math.Max(f0, 0.5), e1 = Math.Max(f1, 0.5);
            for (int s = 0; s < n; s++)
            {
                double t = (double)s / SampleRate, local = t - t0, v = 0;
                if (local >= 0 && local < d)
                {
                    double phase = exponential && Math.Abs(e1 - e0) > 1e-9
                        ? e0 * (Math.Pow(e1 / e0, local / d) - 1) / (Math.Log(e1 / e0) / d)
                        : f0 * local + (f1 - f0) * local * local / (2 * d);
                    v = Math.Sin(2 * Math.PI * phase);
                }
                signals[i * n + s] = (float)(v + noise * Gaussian(random));
            }
            targets[i * 3] = (float)t0;
            targets[i * 3 + 1] = (float)f0;
            targets[i * 3 + 2] = (float)f1;
        }
        return new InMemoryDataView(new (string, DataColumn)[]
        {
            ("Signal", new VectorColumn(new VectorDataViewType(n), signals)),
            ("Targets", new VectorColumn(new VectorDataViewType(3), targets)),
        });
    }

    private static double Gaussian(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
