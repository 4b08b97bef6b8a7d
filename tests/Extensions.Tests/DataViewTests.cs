namespace TorchZoo.Extensions.Tests;

public class DataViewTests
{
    private sealed class Image
    {
        [VectorType(1, 2, 2)] public float[] Pixels { get; set; } = Array.Empty<float>();
        [ColumnName("Label")] public int Digit { get; set; }
        public string Name { get; set; } = "";
    }

    private sealed class Unshaped
    {
        public float[] Values { get; set; } = Array.Empty<float>();
    }

    private sealed class Unsupported
    {
        public DateTime When { get; set; }
    }

    [Test]
    public void LoadFromEnumerableBuildsTypedColumns()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(new[]
        {
            new Image { Pixels = new float[] { 1, 2, 3, 4 }, Digit = 7, Name = "a" },
            new Image { Pixels = new float[] { 5, 6, 7, 8 }, Digit = 3, Name = "b" },
        });
        data.RowCount.Should().Be(2);
        data.Schema.Select(c => c.Name).Should().Equal("Pixels", "Label", "Name");
        data.Schema["Pixels"].Type.Should().Be(new VectorDataViewType(1, 2, 2));
        data.Schema["Label"].Type.Should().Be(NumberDataViewType.Int32);
        data.GetVectors("Pixels").Row(1).ToArray().Should().Equal(5, 6, 7, 8);
        data.GetScalars<string>("Name").Should().Equal("a", "b");
    }

    [Test]
    public void AVectorOfTheWrongLengthNamesTheRowAndMember()
    {
        var ml = new ZooContext(1);
        Action load = () => ml.Data.LoadFromEnumerable(new[] { new Image { Pixels = new float[4] }, new Image { Pixels = new float[3] } });
        load.Should().Throw<ArgumentException>().WithMessage("Row 1: Image.Pixels has 3 values but its [VectorType] declares 4.");
    }

    [Test]
    public void AFloatArrayWithoutShapeAndUnsupportedTypesAreRejected()
    {
        var ml = new ZooContext(1);
        ((Action)(() => ml.Data.LoadFromEnumerable(new[] { new Unshaped() }))).Should().Throw<ArgumentException>().WithMessage("*Unshaped.Values is a float[] without [VectorType(...)]*");
        ((Action)(() => ml.Data.LoadFromEnumerable(new[] { new Unsupported() }))).Should().Throw<ArgumentException>().WithMessage("*Unsupported.When has type DateTime*");
    }

    [Test]
    public void MissingColumnsAreNamedWithTheKnownOnes()
    {
        var data = new ZooContext(1).Data.LoadFromEnumerable(Example.Make(3, 1));
        Action get = () => data.GetColumn("Featurez");
        get.Should().Throw<ArgumentException>().WithMessage("There is no column 'Featurez'; the columns are: Features, Label, Targets, Quadrant, Positive.*");
    }

    [Test]
    public void TrainTestSplitIsSeededAndDisjoint()
    {
        var rows = Example.Make(200, 2);
        var a = new ZooContext(5).Data.TrainTestSplit(new ZooContext(5).Data.LoadFromEnumerable(rows), 0.25);
        var b = new ZooContext(5).Data.TrainTestSplit(new ZooContext(5).Data.LoadFromEnumerable(rows), 0.25);
        a.TestSet.RowCount.Should().Be(50);
        a.TrainSet.RowCount.Should().Be(150);
        var trainRows = ((RowSubsetDataView)a.TrainSet).Rows;
        var testRows = ((RowSubsetDataView)a.TestSet).Rows;
        trainRows.Intersect(testRows).Should().BeEmpty();
        testRows.Should().Equal(((RowSubsetDataView)b.TestSet).Rows, "the same seed gives the same split");
        var c = new ZooContext(6).Data.TrainTestSplit(new ZooContext(6).Data.LoadFromEnumerable(rows), 0.25);
        ((RowSubsetDataView)c.TestSet).Rows.Should().NotEqual(testRows);
    }

    [Test]
    public void StratifiedSplitKeepsClassProportions()
    {
        var ml = new ZooContext(3);
        var rows = Enumerable.Range(0, 100).Select(i => new Example { Features = new float[2], Targets = new float[2], Quadrant = i < 80 ? "big" : "small" }).ToList();
        var split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows), 0.25, samplingKeyColumnName: "Quadrant");
        split.TestSet.GetScalars<string>("Quadrant").Count(q => q == "small").Should().Be(5);
        split.TestSet.GetScalars<string>("Quadrant").Count(q => q == "big").Should().Be(20);
    }

    [Test]
    public void CreateEnumerableRoundTrips()
    {
        var ml = new ZooContext(1);
        var rows = Example.Make(5, 3);
        var back = ml.Data.CreateEnumerable<Example>(ml.Data.LoadFromEnumerable(rows)).ToList();
        back.Select(r => r.Label).Should().Equal(rows.Select(r => r.Label));
        back[4].Targets.Should().Equal(rows[4].Targets);
        back.Select(r => r.Quadrant).Should().Equal(rows.Select(r => r.Quadrant));
    }

    [Test]
    public void CreateEnumerableWithMismatchedTypesNamesTheMember()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromEnumerable(Example.Make(2, 1));
        Action read = () => ml.Data.CreateEnumerable<WrongType>(data).ToList();
        read.Should().Throw<ArgumentException>().WithMessage("Column 'Label' holds Single values but WrongType.Label is Int32.");
    }

    private sealed class WrongType
    {
        public int Label { get; set; }
    }
}
