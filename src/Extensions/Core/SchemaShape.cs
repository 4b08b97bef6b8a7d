using System.Collections;
using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Core;

/// <summary>
/// The shape of a schema before any data exists (ML.NET's SchemaShape): column names with their kinds and
/// types, so a pipeline can be checked end to end without computing anything.
/// </summary>
public sealed class SchemaShape : IReadOnlyList<SchemaShape.Column>
{
    private readonly Column[] columns;

    public SchemaShape(IEnumerable<Column> columns)
    {
        var list = new List<Column>();
        foreach (var c in columns)
        {
            int i = list.FindIndex(x => x.Name == c.Name);
            if (i >= 0) list[i] = c;
            else list.Add(c);
        }
        this.columns = list.ToArray();
    }

    /// <summary>One expected column; for vectors, <see cref="Type"/> carries the dimensions.</summary>
    public sealed record Column(string Name, DataViewType Type);

    public static SchemaShape Create(DataViewSchema schema) => new(schema.Select(c => new Column(c.Name, c.Type)));

    public Column? Find(string name) => columns.FirstOrDefault(c => c.Name == name);

    public Column this[string name] =>
        Find(name) ?? throw new ArgumentException($"There is no column '{name}'; the columns are: {string.Join(", ", columns.Select(c => c.Name))}.", nameof(name));

    public SchemaShape With(params Column[] added) => new(columns.Concat(added));

    public int Count => columns.Length;
    public Column this[int index] => columns[index];
    public IEnumerator<Column> GetEnumerator() => ((IEnumerable<Column>)columns).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
