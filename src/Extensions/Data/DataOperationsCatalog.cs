namespace TorchZoo.Extensions.Data;

/// <summary>Loading, splitting and reading data (ML.NET's <c>mlContext.Data</c>).</summary>
public sealed class DataOperationsCatalog
{
    private readonly ZooContext context;

    internal DataOperationsCatalog(ZooContext context) => this.context = context;

    /// <summary>A train/test split result.</summary>
    public sealed record TrainTestData(IDataView TrainSet, IDataView TestSet);

    /// <summary>Loads rows of a class: its public properties and fields become columns (see <see cref="ColumnNameAttribute"/>, <see cref="VectorTypeAttribute"/>).</summary>
    public IDataView LoadFromEnumerable<T>(IEnumerable<T> rows) where T : class => EnumerableConversion.ToDataView(rows);

    /// <summary>
    /// Loads a delimited text file (RFC 4180 quoting) into rows of <typeparamref name="T"/>: a member with
    /// <see cref="LoadColumnAttribute"/> reads that field (or, for a float[] with <see cref="VectorTypeAttribute"/>,
    /// that inclusive field range); any other member reads the field whose header is its
    /// <see cref="ColumnNameAttribute"/> name or its own name (exact, else the one case-insensitive match).
    /// Errors name the file, the line and the column.
    /// </summary>
    public IDataView LoadFromTextFile<T>(string path, char separatorChar = ',', bool hasHeader = true) where T : class =>
        TextLoader.Load<T>(path, separatorChar, hasHeader);

    /// <summary>Loads the given columns (by 0-based field index or inclusive range) of a delimited text file.</summary>
    public IDataView LoadFromTextFile(string path, TextLoaderColumn[] columns, char separatorChar = ',', bool hasHeader = true) =>
        TextLoader.Load(path, columns, separatorChar, hasHeader);

    /// <summary>
    /// Writes every column to a delimited text file (vectors as one field per value headed Name.0, Name.1, …;
    /// keys as their index; numbers round-trip exactly). The file appears whole or not at all: it is written
    /// beside <paramref name="path"/> and then moved over it.
    /// </summary>
    public void SaveAsText(IDataView data, string path, char separatorChar = ',', bool hasHeader = true) =>
        TextLoader.Save(data, path, separatorChar, hasHeader);

    /// <summary>Builds a view from columns given as arrays (vectors as row-major float arrays with their type).</summary>
    public IDataView LoadFromColumns(params (string Name, DataColumn Column)[] columns) => new InMemoryDataView(columns);

    /// <summary>
    /// Splits rows at random (seeded by the context) into a training and a test set. With
    /// <paramref name="samplingKeyColumnName"/>, each distinct value of that column is split in the same
    /// proportion (stratification).
    /// </summary>
    public TrainTestData TrainTestSplit(IDataView data, double testFraction = 0.1, string? samplingKeyColumnName = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        int n = checked((int)data.RowCount);
        if (n < 2) throw new ArgumentException($"Splitting needs at least 2 rows, the data has {n}.", nameof(data));
        var random = new Random(seed ?? context.NextSeed());
        var train = new List<int>();
        var test = new List<int>();
        foreach (var stratum in Strata(data, samplingKeyColumnName, n))
        {
            int[] rows = stratum.ToArray();
            random.Shuffle(rows);
            int testCount = (int)Math.Round(rows.Length * testFraction);
            test.AddRange(rows.Take(testCount));
            train.AddRange(rows.Skip(testCount));
        }
        if (train.Count == 0 || test.Count == 0)
            throw new ArgumentException($"A test fraction of {testFraction} of {n} rows leaves one side empty.", nameof(testFraction));
        train.Sort();
        test.Sort();
        return new TrainTestData(new RowSubsetDataView(data, train), new RowSubsetDataView(data, test));
    }

    private static IEnumerable<IEnumerable<int>> Strata(IDataView data, string? key, int n)
    {
        if (key is null) return new[] { Enumerable.Range(0, n) };
        DataColumn column = data.GetColumn(key);
        if (column is VectorColumn) throw new ArgumentException($"Column '{key}' is a vector and cannot stratify a split (samplingKeyColumnName).");
        return Enumerable.Range(0, n).GroupBy(i => column.GetValue(i)?.ToString() ?? "").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.AsEnumerable());
    }

    /// <summary>The rows in a random order (seeded by the context).</summary>
    public IDataView ShuffleRows(IDataView data, int? seed = null)
    {
        int[] rows = Enumerable.Range(0, checked((int)data.RowCount)).ToArray();
        new Random(seed ?? context.NextSeed()).Shuffle(rows);
        return new RowSubsetDataView(data, rows);
    }

    /// <summary>The first <paramref name="count"/> rows.</summary>
    public IDataView TakeRows(IDataView data, long count) =>
        new RowSubsetDataView(data, Enumerable.Range(0, (int)Math.Min(count, data.RowCount)).ToArray());

    /// <summary>Reads the rows back as objects: each settable public member gets the column of its name (if present).</summary>
    public IEnumerable<T> CreateEnumerable<T>(IDataView data) where T : class, new() => EnumerableConversion.ToEnumerable<T>(data);
}
