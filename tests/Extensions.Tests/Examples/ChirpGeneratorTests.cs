using ChirpRegression;

namespace TorchZoo.Extensions.Tests.Examples;

/// <summary>The main job's synthetic chirp spectrograms: seeded, inside the study's distributions, the ridge where the targets say.</summary>
public class ChirpGeneratorTests
{
    [Test]
    public void The_same_seed_gives_the_same_examples_and_another_seed_others()
    {
        var a = ChirpSpectrograms.Generate(20, seed: 7).ToList();
        var b = ChirpSpectrograms.Generate(20, seed: 7).ToList();
        var c = ChirpSpectrograms.Generate(20, seed: 8).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            b[i].Targets.Should().Equal(a[i].Targets);
            b[i].Spectrogram.Should().Equal(a[i].Spectrogram);
        }
        c[0].Targets.Should().NotEqual(a[0].Targets);
    }

    [Test]
    public void Targets_follow_the_studys_distributions()
    {
        var examples = ChirpSpectrograms.Generate(2000, seed: 1).ToList();
        foreach (ChirpExample e in examples)
        {
            float t0 = e.Targets[0], f0 = e.Targets[1], f1 = e.Targets[2];
            t0.Should().BeInRange(0f, 45f);
            e.DurationSeconds.Should().BeInRange(1f, 15f);
            f0.Should().BeInRange(0f, 100f);
            f1.Should().BeInRange(0f, 100f);
            Math.Abs(f1 - f0).Should().BeLessThanOrEqualTo(30f + 1e-4f);
        }
        // Uniform draws: means near the middle of their ranges (σ of the mean ≈ 0.3 s and 0.65 Hz here).
        examples.Average(e => (double)e.Targets[0]).Should().BeApproximately(22.5, 1.5);
        examples.Average(e => (double)e.Targets[1]).Should().BeApproximately(50, 3);
        examples.Average(e => (double)e.DurationSeconds).Should().BeApproximately(8, 0.5);
        examples.Count(e => e.Exponential).Should().BeInRange(900, 1100, "linear and exponential sweeps are equally likely");
    }

    [TestCase(64, 64)]
    [TestCase(128, 128)]
    [TestCase(32, 48)]
    public void The_ridge_lies_where_the_targets_put_it(int frequencyBins, int timeBins)
    {
        // In the middle of the chirp the brightest frequency bin of the (noisy, blurred) column is the sweep's frequency
        // at that time: the blurred ridge peaks near 0.6, the blurred noise has σ ≤ 0.09.
        var examples = ChirpSpectrograms.Generate(300, seed: 3, frequencyBins, timeBins).ToList();
        int checkedCount = 0, hits = 0;
        foreach (ChirpExample e in examples)
        {
            e.Spectrogram.Should().HaveCount(frequencyBins * timeBins);
            double start = e.Targets[0] * timeBins / ChirpSpectrograms.DurationSeconds;
            double length = e.DurationSeconds * timeBins / ChirpSpectrograms.DurationSeconds;
            if (length < 4) continue;
            int t = (int)(start + length / 2);
            double fb0 = Math.Max(e.Exponential ? 1 : 0, Math.Floor(e.Targets[1] * frequencyBins / ChirpSpectrograms.MaxFrequencyHz));
            double fb1 = Math.Max(e.Exponential ? 1 : 0, Math.Floor(e.Targets[2] * frequencyBins / ChirpSpectrograms.MaxFrequencyHz));
            double tau = (t - Math.Floor(start)) / Math.Floor(length);
            double expected = Math.Clamp(e.Exponential ? fb0 * Math.Pow(fb1 / fb0, tau) : fb0 + (fb1 - fb0) * tau, 0, frequencyBins - 1);
            int brightest = Enumerable.Range(0, frequencyBins).MaxBy(f => e.Spectrogram[f * timeBins + t]);
            checkedCount++;
            if (Math.Abs(brightest - expected) <= 2.5) hits++;
        }
        checkedCount.Should().BeGreaterThan(150);
        hits.Should().BeGreaterThanOrEqualTo((int)(0.95 * checkedCount), $"the ridge should be at the sweep's frequency ({hits} of {checkedCount})");
    }

    [Test]
    public void Bad_arguments_are_named()
    {
        FluentActions.Invoking(() => ChirpSpectrograms.Generate(-1, 0).ToList()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*count*");
        FluentActions.Invoking(() => ChirpSpectrograms.Generate(1, 0, 4, 64).ToList()).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*8×8*");
    }
}
