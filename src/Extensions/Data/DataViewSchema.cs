using System.Collections;

namespace TorchZoo.Extensions.Data;

/// <summary>The named, typed columns of a data view, in order.</summary>
public sealed class DataViewSchema : IReadOnlyList<DataViewSchema.Column>
{
    private readonly Column[] columns;

    public DataViewSchema(IEnumerable<(string Name, DataViewType Type)> columns)
    {
        var list = new List<Column>();
        foreach (var (name, type) in columns)
        {
            if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A column needs a name.", nameof(columns));
            ArgumentNullException.ThrowIfNull(type);
            int existing = list.FindIndex(c => c.Name == name);
            // A later column of the same name replaces the earlier one, as a transform's output hides its input in ML.NET.
            if (existing >= 0) list[existing] = new Column(name, existing, type);
            else list.Add(new Column(name, list.Count, type));
        }
        this.columns = list.ToArray();
    }

    /// <summary>One column: its name, position and type.</summary>
    public sealed record Column(string Name, int Index, DataViewType Type)
    {
        public override string ToString() => $"{Name}: {Type}";
    }

    public int Count => columns.Length;

    public Column this[int index] => columns[index];

    /// <summary>The column called <paramref name="name"/>; throws naming the known columns when there is none.</summary>
    public Column this[string name] =>
        GetColumnOrNull(name) ?? throw new ArgumentException($"There is no column '{name}'; the columns are: {string.Join(", ", columns.Select(c => c.Name))}.", nameof(name));

    public Column? GetColumnOrNull(string name) => columns.FirstOrDefault(c => c.Name == name);

    /// <summary>A new schema with columns added (or replaced by name).</summary>
    public DataViewSchema With(params (string Name, DataViewType Type)[] added) =>
        new(columns.Select(c => (c.Name, c.Type)).Concat(added));

    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)columns).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(", ", columns.Select(c => c.ToString()));
}
