using System.Text;

namespace TorchZoo.Extensions.Tests;

public class CsvLoadingTests
{
    private string folder = null!;

    [SetUp]
    public void MakeFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "tz-csv-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private sealed class Person
    {
        public string Name { get; set; } = "";
        [ColumnName("Age")] public float Years { get; set; }
        public int Visits { get; set; }
        public bool Member { get; set; }
        [LoadColumn(4, 6), VectorType(3)] public float[] Scores { get; set; } = new float[3];
    }

    private const string People =
        "Name,Age,Visits,Member,s0,s1,s2\n" +
        "Ann,31.5,3,true,1,2,3\n" +
        "\"Smith, Bob\",,0,0,-1.5e2,0.25,4\n" +
        "\"Quote \"\"Q\"\" and\nnewline\",7,12,FALSE,0,0,1e-3\n";

    [Test]
    public void TypedLoadMapsHeaderNamesAndFieldRanges()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromTextFile<Person>(Write("people.csv", People));
        data.RowCount.Should().Be(3);
        data.Schema["Age"].Type.Should().Be(NumberDataViewType.Single);
        data.Schema["Scores"].Type.Should().Be(new VectorDataViewType(3));
        data.GetScalars<string>("Name").Should().Equal("Ann", "Smith, Bob", "Quote \"Q\" and\nnewline");
        float[] age = data.GetScalars<float>("Age");
        age[0].Should().Be(31.5f);
        float.IsNaN(age[1]).Should().BeTrue("an empty Single field reads as NaN (missing)");
        age[2].Should().Be(7f);
        data.GetScalars<int>("Visits").Should().Equal(3, 0, 12);
        data.GetScalars<bool>("Member").Should().Equal(true, false, false);
        data.GetVectors("Scores").Values.Should().Equal(1, 2, 3, -150, 0.25f, 4, 0, 0, 1e-3f);

        var back = ml.Data.CreateEnumerable<Person>(data).ToList();
        back[1].Name.Should().Be("Smith, Bob");
        back[2].Scores.Should().Equal(0, 0, 1e-3f);
    }

    [Test]
    public void UntypedLoadReadsFieldsByIndexWithAnotherSeparator()
    {
        var ml = new ZooContext(1);
        string path = Write("plain.tsv", "1\t2\t3\tx\n4\t5\t6\ty\n");
        var data = ml.Data.LoadFromTextFile(path, new[]
        {
            new TextLoaderColumn("Features", new VectorDataViewType(2), 1),
            new TextLoaderColumn("Label", NumberDataViewType.Double, 0),
            new TextLoaderColumn("Tag", TextDataViewType.Instance, 3),
            new TextLoaderColumn("Count", NumberDataViewType.Int64, 2, 2),
        }, separatorChar: '\t', hasHeader: false);
        data.Schema.Select(c => c.Name).Should().Equal("Features", "Label", "Tag", "Count");
        data.GetVectors("Features").Values.Should().Equal(2, 3, 5, 6);
        data.GetScalars<double>("Label").Should().Equal(1.0, 4.0);
        data.GetScalars<string>("Tag").Should().Equal("x", "y");
        data.GetScalars<long>("Count").Should().Equal(3L, 6L);
    }

    [Test]
    public void HeaderOnlyFileHasNoRows()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromTextFile<Person>(Write("header.csv", "Name,Age,Visits,Member,a,b,c\n"));
        data.RowCount.Should().Be(0);
        data.Schema.Count.Should().Be(5);
    }

    [Test]
    public void MissingFile()
    {
        var ml = new ZooContext(1);
        string path = Path.Combine(folder, "nope.csv");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<FileNotFoundException>().WithMessage($"The file '{path}' does not exist.");
    }

    [Test]
    public void EmptyFile()
    {
        var ml = new ZooContext(1);
        string path = Write("empty.csv", "");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"The file '{path}' is empty.");
        Action blank = () => ml.Data.LoadFromTextFile(Write("blank.csv", "\n\n"), new[] { new TextLoaderColumn("A", NumberDataViewType.Single, 0) }, hasHeader: false);
        blank.Should().Throw<InvalidDataException>().WithMessage("*is empty.");
    }

    [Test]
    public void UnparsableNumberNamesFileLineAndColumn()
    {
        var ml = new ZooContext(1);
        // Line 1 header, lines 2-3 one quoted record with a line break, line 4 the bad value.
        string path = Write("bad.csv", "Name,Age,Visits,Member,a,b,c\n\"two\nlines\",1,1,true,0,0,0\nEve,abc,2,false,0,0,0\n");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"'abc' in line 4, column 'Age' of '{path}' is not a valid Single.");
    }

    [Test]
    public void UnparsableVectorValueNamesTheSlot()
    {
        var ml = new ZooContext(1);
        string path = Write("badvec.csv", "Name,Age,Visits,Member,a,b,c\nAnn,1,1,true,0,1..5,0\n");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"'1..5' in line 2, column 'Scores[1]' of '{path}' is not a valid Single.");
    }

    [Test]
    public void UnparsableIntegerAndBoolean()
    {
        var ml = new ZooContext(1);
        string path = Write("badint.csv", "Name,Age,Visits,Member,a,b,c\nAnn,1,2.5,true,0,0,0\n");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<InvalidDataException>().WithMessage("'2.5' in line 2, column 'Visits' of '*' is not a valid Int32.");
        string path2 = Write("badbool.csv", "Name,Age,Visits,Member,a,b,c\nAnn,1,2,yes,0,0,0\n");
        Action load2 = () => ml.Data.LoadFromTextFile<Person>(path2);
        load2.Should().Throw<InvalidDataException>().WithMessage("'yes' in line 2, column 'Member' of '*' is not a valid Boolean (true/false/1/0).");
    }

    [Test]
    public void WrongFieldCount()
    {
        var ml = new ZooContext(1);
        string path = Write("short.csv", "Name,Age,Visits,Member,a,b,c\nAnn,1,1,true,0,0,0\nBob,2,2,false,0,0\n");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<InvalidDataException>().WithMessage($"Line 3 of '{path}' has 6 fields but the header has 7.");
        string noHeader = Write("ragged.csv", "1,2\n3,4,5\n");
        Action load2 = () => ml.Data.LoadFromTextFile(noHeader, new[] { new TextLoaderColumn("A", NumberDataViewType.Single, 0) }, hasHeader: false);
        load2.Should().Throw<InvalidDataException>().WithMessage($"Line 2 of '{noHeader}' has 3 fields but the first line has 2.");
    }

    [Test]
    public void HeaderWithoutTheMembersColumn()
    {
        var ml = new ZooContext(1);
        string path = Write("noage.csv", "Name,Years,Visits,Member,a,b,c\nAnn,1,1,true,0,0,0\n");
        Action load = () => ml.Data.LoadFromTextFile<Person>(path);
        load.Should().Throw<InvalidDataException>().WithMessage(
            $"The header of '{path}' has no column 'Age' (for Person.Years); it has: Name, Years, Visits, Member, a, b, c.");
    }

    [Test]
    public void HeaderNamesMatchIgnoringCaseWhenUnambiguous()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromTextFile<Person>(Write("case.csv", "NAME,age,visits,member,a,b,c\nAnn,2,1,true,0,0,0\n"));
        data.GetScalars<float>("Age").Should().Equal(2f);
    }

    private sealed class UnplacedVector
    {
        [VectorType(2)] public float[] Features { get; set; } = new float[2];
    }

    private sealed class WrongRange
    {
        [LoadColumn(0, 2), VectorType(2)] public float[] Features { get; set; } = new float[2];
    }

    private sealed class ByName
    {
        public float A { get; set; }
    }

    [Test]
    public void ClassesThatCannotBeMappedAreNamed()
    {
        var ml = new ZooContext(1);
        string path = Write("x.csv", "A,B,C\n1,2,3\n");
        Action unplaced = () => ml.Data.LoadFromTextFile<UnplacedVector>(path);
        unplaced.Should().Throw<ArgumentException>().WithMessage("UnplacedVector.Features is a float[]: name the fields it reads with [LoadColumn(start, end)].");
        Action range = () => ml.Data.LoadFromTextFile<WrongRange>(path);
        range.Should().Throw<ArgumentException>().WithMessage("WrongRange.Features has [LoadColumn(0, 2)] (3 fields) but holds 2 values.");
        Action noHeader = () => ml.Data.LoadFromTextFile<ByName>(path, hasHeader: false);
        noHeader.Should().Throw<ArgumentException>().WithMessage("ByName.A has no [LoadColumn(index)]; without a header a column can only be found by its field index.");
    }

    [Test]
    public void UntypedColumnsOutsideTheLine()
    {
        var ml = new ZooContext(1);
        string path = Write("two.csv", "a,b\n1,2\n");
        Action load = () => ml.Data.LoadFromTextFile(path, new[] { new TextLoaderColumn("V", new VectorDataViewType(2), 1) });
        load.Should().Throw<InvalidDataException>().WithMessage($"Column 'V' reads fields 1..2 but the lines of '{path}' have 2 fields (fields are 0-based).");
        Action width = () => ml.Data.LoadFromTextFile(path, new[] { new TextLoaderColumn("V", new VectorDataViewType(3), 0, 1) });
        width.Should().Throw<ArgumentException>().WithMessage("Column 'V' reads 2 fields (0..1) but its type Vector<Single, 3> holds 3 values.*");
    }

    [Test]
    public void SaveAsTextRoundTripsExactly()
    {
        var ml = new ZooContext(1);
        float[] tricky = { 0.1f, 1e-30f, -3.4028235e38f, float.NaN, 1f / 3, float.Epsilon };
        var data = ml.Data.LoadFromColumns(
            ("Text", new ScalarColumn<string>(TextDataViewType.Instance, new[] { "plain", "comma, \"quoted\"\nline" })),
            ("Value", new ScalarColumn<double>(NumberDataViewType.Double, new[] { Math.PI, -0.0 })),
            ("Flag", new ScalarColumn<bool>(NumberDataViewType.Boolean, new[] { true, false })),
            ("Vec", new VectorColumn(new VectorDataViewType(3), tricky)));
        string path = Path.Combine(folder, "out.csv");
        ml.Data.SaveAsText(data, path);

        File.ReadLines(path).First().Should().Be("Text,Value,Flag,Vec.0,Vec.1,Vec.2");
        var back = ml.Data.LoadFromTextFile(path, new[]
        {
            new TextLoaderColumn("Text", TextDataViewType.Instance, 0),
            new TextLoaderColumn("Value", NumberDataViewType.Double, 1),
            new TextLoaderColumn("Flag", NumberDataViewType.Boolean, 2),
            new TextLoaderColumn("Vec", new VectorDataViewType(3), 3),
        });
        back.GetScalars<string>("Text").Should().Equal("plain", "comma, \"quoted\"\nline");
        back.GetScalars<double>("Value").Should().Equal(Math.PI, -0.0);
        back.GetScalars<bool>("Flag").Should().Equal(true, false);
        float[] vec = back.GetVectors("Vec").Values;
        for (int i = 0; i < tricky.Length; i++)
            BitConverter.SingleToInt32Bits(vec[i]).Should().Be(BitConverter.SingleToInt32Bits(tricky[i]), $"value {i} ({tricky[i]}) must round-trip bit for bit");
    }

    [Test]
    public void SaveAsTextWithTabsAndNoHeader()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromColumns(("A", new ScalarColumn<int>(NumberDataViewType.Int32, new[] { 1, 2 })), ("B", new ScalarColumn<float>(NumberDataViewType.Single, new[] { 0.5f, 2f })));
        string path = Path.Combine(folder, "t.tsv");
        ml.Data.SaveAsText(data, path, separatorChar: '\t', hasHeader: false);
        File.ReadAllText(path).ReplaceLineEndings("\n").Should().Be("1\t0.5\n2\t2\n");
    }

    /// <summary>A column that fails while it is being written, to check the old file survives.</summary>
    private sealed class FailingColumn(int rows, int failAt) : DataColumn(TextDataViewType.Instance)
    {
        public override int Length => rows;
        public override DataColumn Select(IReadOnlyList<int> picked) => throw new NotSupportedException();
        public override object? GetValue(int row) => row == failAt ? throw new IOException($"row {row} could not be read") : $"r{row}";
    }

    [Test]
    public void SaveAsTextReplacesTheFileOnlyWhenComplete()
    {
        var ml = new ZooContext(1);
        string path = Write("keep.csv", "old contents\n");
        var failing = ml.Data.LoadFromColumns(("X", new FailingColumn(1000, 700)));
        Action save = () => ml.Data.SaveAsText(failing, path);
        save.Should().Throw<IOException>().WithMessage("row 700 could not be read");
        File.ReadAllText(path).Should().Be("old contents\n", "a failed save leaves the previous file as it was");
        Directory.GetFiles(folder).Should().Equal(new[] { path }, "the partial file is removed");

        ml.Data.SaveAsText(ml.Data.LoadFromColumns(("X", new FailingColumn(2, -1))), path);
        File.ReadAllText(path).ReplaceLineEndings("\n").Should().Be("X\nr0\nr1\n");
        Directory.GetFiles(folder).Should().Equal(new[] { path });
    }

    [Test]
    public void SaveAsTextIntoAMissingFolder()
    {
        var ml = new ZooContext(1);
        var data = ml.Data.LoadFromColumns(("A", new ScalarColumn<int>(NumberDataViewType.Int32, new[] { 1 })));
        string path = Path.Combine(folder, "no", "such", "x.csv");
        Action save = () => ml.Data.SaveAsText(data, path);
        save.Should().Throw<DirectoryNotFoundException>().WithMessage($"The folder of '{path}' does not exist.");
    }
}
