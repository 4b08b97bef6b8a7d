using System.Text.Json;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Clipping;

namespace TorchZoo.Trainers.Tests.Clipping;

public class ClippingTests
{
    private static JsonElement Golden() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "golden", "clipping", "torch_clip.json"))).RootElement;

    public static IEnumerable<string> TorchCases() => Golden().EnumerateObject().Select(p => p.Name).ToList();

    [TestCaseSource(nameof(TorchCases))]
    public void MatchesTorchNnUtils(string name)
    {
        JsonElement c = Golden().GetProperty(name);
        long[][] shapes = c.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt64()).ToArray()).ToArray();
        float[][] before = c.GetProperty("before").EnumerateArray().Select(a => a.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        float[][] after = c.GetProperty("after").EnumerateArray().Select(a => a.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        JsonElement args = c.GetProperty("args");
        var parameters = shapes.Select((s, i) =>
        {
            var p = new Parameter(Tensor.Zeros(s));
            p.Grad = Tensor.FromArray(before[i], s);
            return p;
        }).ToList();
        try
        {
            IGradientClipper clipper = c.GetProperty("kind").GetString() == "norm"
                ? new GlobalNormClipping
                {
                    MaxNorm = args.GetProperty("max_norm").GetDouble(),
                    NormType = args.TryGetProperty("norm_type", out var nt) ? (nt.ValueKind == JsonValueKind.String ? double.PositiveInfinity : nt.GetDouble()) : 2,
                }
                : new ValueClipping { MaxValue = args.GetProperty("clip_value").GetDouble() };
            ClipResult result = clipper.Clip(parameters);
            if (clipper is GlobalNormClipping)
                result.NormBeforeClipping.Should().BeApproximately(c.GetProperty("norm").GetDouble(), 1e-5 * Math.Max(1, c.GetProperty("norm").GetDouble()));
            for (int i = 0; i < parameters.Count; i++)
            {
                using var g = parameters[i].Grad!;
                g.ToArray<float>().Should().BeEquivalentTo(after[i], o => o.WithStrictOrdering().Using<float>(x => x.Subject.Should().BeApproximately(x.Expectation, 1e-6f)).WhenTypeIs<float>());
            }
        }
        finally
        {
            foreach (var p in parameters) p.Dispose();
        }
    }

    [Test]
    public void GlobalNormOfZeroGradientsLeavesThemZero()
    {
        using var p = new Parameter(Tensor.Ones(3));
        p.Grad = Tensor.Zeros(3);
        var r = new GlobalNormClipping { MaxNorm = 1 }.Clip(new[] { p });
        r.NormBeforeClipping.Should().Be(0);
        r.Clipped.Should().BeFalse();
        using var g = p.Grad!;
        g.ToArray<float>().Should().Equal(0f, 0f, 0f);
    }

    [Test]
    public void NonFiniteNormThrowsWhenAsked()
    {
        using var p = new Parameter(Tensor.Ones(2));
        p.Grad = Tensor.FromArray(new[] { float.NaN, 1f });
        Action clip = () => new GlobalNormClipping { ErrorIfNonFinite = true }.Clip(new[] { p });
        clip.Should().Throw<InvalidOperationException>().WithMessage("*non-finite*");
        NonFiniteGuard.ShouldSkip(0.5, new[] { p }).Should().BeTrue();
        NonFiniteGuard.ShouldSkip(double.NaN, Array.Empty<Parameter>()).Should().BeTrue();
    }

    [Test]
    public void AgcClipsOnlyUnitsWhoseGradientIsLargeRelativeToTheirWeights()
    {
        // Rows: weight norms 5 and 1 (clamped at ε = 1e-3 never applies); λ = 0.1 → limits 0.5 and 0.1.
        using var w = new Parameter(Tensor.FromArray(new float[] { 3, 4, 0, 1 }, 2, 2));
        w.Grad = Tensor.FromArray(new float[] { 0.3f, 0.0f, 0.6f, 0.8f }, 2, 2); // row norms 0.3 (kept) and 1.0 (clipped to 0.1)
        var r = new AdaptiveGradientClipping { Clipping = 0.1 }.Clip(new[] { w });
        r.Clipped.Should().BeTrue();
        using var g = w.Grad!;
        g.ToArray<float>().Should().BeEquivalentTo(new[] { 0.3f, 0f, 0.06f, 0.08f }, o => o.Using<float>(x => x.Subject.Should().BeApproximately(x.Expectation, 1e-6f)).WhenTypeIs<float>());
    }

    [Test]
    public void AdaGcUsesGlobalClippingInWarmupThenPerTensorEmaThresholds()
    {
        using var a = new Parameter(Tensor.Zeros(1));
        using var b = new Parameter(Tensor.Zeros(1));
        var clipper = new AdaGcClipping { AbsoluteThreshold = 1, RelativeThreshold = 2, Beta = 0.5, WarmupSteps = 1 };
        // Warmup step: global norm 5 → h = 1/5: a = 3 → 0.6, b = 4 → 0.8; γ = 0.6 and 0.8.
        a.Grad = Tensor.FromArray(new[] { 3f });
        b.Grad = Tensor.FromArray(new[] { 4f });
        clipper.Clip(new[] { a, b }).NormBeforeClipping.Should().BeApproximately(5, 1e-9);
        clipper.Threshold(a).Should().BeApproximately(0.6, 1e-6);
        clipper.Threshold(b).Should().BeApproximately(0.8, 1e-6);
        // Next: a = 3 > 2·0.6 → clipped to 1.2, γ_a = 0.5·0.6 + 0.5·1.2 = 0.9; b = 1 ≤ 1.6 untouched, γ_b = 0.5·0.8 + 0.5·1 = 0.9.
        a.Grad = Tensor.FromArray(new[] { 3f });
        b.Grad = Tensor.FromArray(new[] { 1f });
        clipper.Clip(new[] { a, b }).Clipped.Should().BeTrue();
        using (var ga = a.Grad!) ga.Item().Should().BeApproximately(1.2, 1e-5);
        using (var gb = b.Grad!) gb.Item().Should().BeApproximately(1.0, 1e-6);
        clipper.Threshold(a).Should().BeApproximately(0.9, 1e-5);
        clipper.Threshold(b).Should().BeApproximately(0.9, 1e-6);
    }

    [Test]
    public void InvalidClippingOptionsAreRejected()
    {
        ((Action)(() => _ = new GlobalNormClipping { MaxNorm = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxNorm");
        ((Action)(() => _ = new ValueClipping { MaxValue = -1 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("MaxValue");
        ((Action)(() => _ = new AdaGcClipping { Beta = 1 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Beta");
        ((Action)(() => _ = new AdaptiveGradientClipping { Clipping = 0 })).Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("Clipping");
    }
}
