namespace TorchZoo.Extensions.Data;

/// <summary>A data view whose columns are all materialized.</summary>
public sealed class InMemoryDataView : IDataView
{
    private readonly Dictionary<string, DataColumn> columns;

    public InMemoryDataView(IEnumerable<(string Name, DataColumn Column)> columns)
    {
        var list = columns.ToList();
        if (list.Count == 0) throw new ArgumentException("A data view needs at least one column.", nameof(columns));
        int rows = list[0].Column.Length;
        foreach (var (name, column) in list)
            if (column.Length != rows)
                throw new ArgumentException($"Column '{name}' has {column.Length} rows but column '{list[0].Name}' has {rows}.", nameof(columns));
        this.columns = new Dictionary<string, DataColumn>();
        foreach (var (name, column) in list) this.columns[name] = column;
        Schema = new DataViewSchema(list.Select(c => (c.Name, c.Column.Type)));
        RowCount = rows;
    }

    public DataViewSchema Schema { get; }

    public long RowCount { get; }

    public DataColumn GetColumn(string name)
    {
        _ = Schema[name];
        return columns[name];
    }
}

/// <summary>The rows of a source view at given indices (a split, a shuffle, a filter), computed lazily per column.</summary>
public sealed class RowSubsetDataView : IDataView
{
    private readonly IDataView source;
    private readonly int[] rows;
    private readonly Dictionary<string, DataColumn> cache = new();

    public RowSubsetDataView(IDataView source, IReadOnlyList<int> rows)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        this.rows = rows.ToArray();
        foreach (int r in this.rows)
            if (r < 0 || r >= source.RowCount) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row {r} is outside the source's {source.RowCount} rows.");
    }

    public DataViewSchema Schema => source.Schema;

    public long RowCount => rows.Length;

    public IReadOnlyList<int> Rows => rows;

    public DataColumn GetColumn(string name)
    {
        lock (cache)
        {
            if (!cache.TryGetValue(name, out DataColumn? column))
                cache[name] = column = source.GetColumn(name).Select(rows);
            return column;
        }
    }
}

/// <summary>A source view plus columns computed from it on first use (what a transform returns: lazy).</summary>
public sealed class DerivedDataView : IDataView
{
    private readonly IDataView source;
    private readonly Dictionary<string, Func<DataColumn>> producers;
    private readonly Dictionary<string, DataColumn> cache = new();

    public DerivedDataView(IDataView source, IEnumerable<(string Name, DataViewType Type, Func<DataColumn> Produce)> added)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        var list = added.ToList();
        producers = list.ToDictionary(a => a.Name, a => a.Produce);
        Schema = source.Schema.With(list.Select(a => (a.Name, a.Type)).ToArray());
    }

    public DataViewSchema Schema { get; }

    public long RowCount => source.RowCount;

    public DataColumn GetColumn(string name)
    {
        if (!producers.TryGetValue(name, out var produce)) return source.GetColumn(name);
        lock (cache)
        {
            if (!cache.TryGetValue(name, out DataColumn? column))
            {
                column = produce();
                if (column.Length != RowCount)
                    throw new InvalidOperationException($"The transform produced {column.Length} rows for column '{name}' but the data has {RowCount}.");
                cache[name] = column;
            }
            return column;
        }
    }
}
