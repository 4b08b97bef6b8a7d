namespace TorchZoo.Extensions.Tests;

public class TransformTests
{
    [Test]
    public void MeanVarianceNormalizesEachSlotWithTrainingStatistics()
    {
        var ml = new ZooContext(1);
        var rows = new[] { new float[] { 1, 10 }, new float[] { 3, 10 }, new float[] { 5, 10 } }
            .Select(f => new Example { Features = f, Targets = new float[2] }).ToList();
        var t = ml.Transforms.NormalizeMeanVariance("Norm", "Features").Fit(ml.Data.LoadFromEnumerable(rows));
        t.Offset.Should().Equal(3.0, 10.0);
        t.Scale[0].Should().BeApproximately(1 / Math.Sqrt(8.0 / 3), 1e-12);
        t.Scale[1].Should().Be(1, "a constant slot keeps scale 1");
        var out_ = t.Transform(ml.Data.LoadFromEnumerable(rows)).GetVectors("Norm");
        out_.Row(0)[0].Should().BeApproximately((float)(-2 / Math.Sqrt(8.0 / 3)), 1e-6f);
        out_.Row(2)[1].Should().Be(0);
    }

    [Test]
    public void MinMaxScalesIntoTheUnitInterval()
    {
        var ml = new ZooContext(1);
        var rows = new[] { 2f, 4f, 6f }.Select(v => new Example { Features = new[] { v, 0f }, Label = v, Targets = new float[2] }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var scaled = ml.Transforms.NormalizeMinMax("Label").Fit(data).Transform(data).GetScalars<float>("Label");
        scaled.Should().Equal(0f, 0.5f, 1f);
    }

    [Test]
    public void KeysAreSortedAndMapBack()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { "WS", "EN", "WS", "ES" }.Select(q => new Example { Quadrant = q, Features = new float[2], Targets = new float[2] }));
        var keyed = ml.Transforms.MapValueToKey("Key", "Quadrant").Fit(data).Transform(data);
        keyed.GetScalars<uint>("Key").Should().Equal(3u, 1u, 3u, 2u);
        var back = ml.Transforms.MapKeyToValue("Back", "Key").Fit(keyed).Transform(keyed);
        back.GetScalars<string>("Back").Should().Equal("WS", "EN", "WS", "ES");
    }

    [Test]
    public void UnseenValuesAreNamed()
    {
        var ml = new ZooContext(1);
        var train = ml.Data.LoadFromEnumerable(new[] { new Example { Quadrant = "EN", Features = new float[2], Targets = new float[2] } });
        var test = ml.Data.LoadFromEnumerable(new[] { new Example { Quadrant = "XX", Features = new float[2], Targets = new float[2] } });
        var mapped = ml.Transforms.MapValueToKey("Key", "Quadrant").Fit(train).Transform(test);
        Action read = () => mapped.GetColumn("Key");
        read.Should().Throw<ArgumentException>().WithMessage("*'XX' in row 0, which was not seen*");
    }

    [Test]
    public void ConcatenateJoinsColumnsInOrder()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new Example { Features = new float[] { 1, 2 }, Label = 3, Targets = new float[] { 4, 5 } } });
        var joined = ml.Transforms.Concatenate("All", "Features", "Label", "Targets").Fit(data).Transform(data).GetVectors("All");
        joined.VectorType.Size.Should().Be(5);
        joined.Row(0).ToArray().Should().Equal(1, 2, 3, 4, 5);
    }
}
