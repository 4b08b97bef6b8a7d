namespace TorchZoo.Extensions.Data;

/// <summary>Conversions between rows of a class and data views.</summary>
public static class EnumerableConversion
{
    /// <summary>Loads rows of a class: its public properties and fields become columns (see <see cref="ColumnNameAttribute"/>, <see cref="VectorTypeAttribute"/>).</summary>
    public static IDataView ToDataView<T>(IEnumerable<T> rows) where T : class
    {
        ArgumentNullException.ThrowIfNull(rows);
        var members = ObjectMapping.MembersOf(typeof(T));
        if (members.Count == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties or fields to load.");
        var types = members.Select(m => ObjectMapping.TypeOf(m, typeof(T))).ToList();
        var items = rows.ToList();
        var columns = new List<(string, DataColumn)>();
        for (int c = 0; c < members.Count; c++)
        {
            var m = members[c];
            DataViewType type = types[c];
            columns.Add((m.Column, type switch
            {
                VectorDataViewType v => VectorFrom(items, m, v, typeof(T)),
                _ when type == NumberDataViewType.Single => Scalars<T, float>(items, m, type),
                _ when type == NumberDataViewType.Double => Scalars<T, double>(items, m, type),
                _ when type == NumberDataViewType.Int32 => Scalars<T, int>(items, m, type),
                _ when type == NumberDataViewType.Int64 => Scalars<T, long>(items, m, type),
                _ when type == NumberDataViewType.Boolean => Scalars<T, bool>(items, m, type),
                _ => Scalars<T, string>(items, m, type),
            }));
        }
        return new InMemoryDataView(columns);
    }

    private static ScalarColumn<TValue> Scalars<T, TValue>(List<T> items, ObjectMapping.Member m, DataViewType type) where T : class =>
        new(type, items.Select(i => (TValue)m.Get(i!)!).ToArray());

    private static VectorColumn VectorFrom<T>(List<T> items, ObjectMapping.Member m, VectorDataViewType type, Type owner) where T : class
    {
        var values = new float[checked(items.Count * type.Size)];
        for (int i = 0; i < items.Count; i++)
        {
            var row = (float[]?)m.Get(items[i]!)
                ?? throw new ArgumentException($"Row {i}: {owner.Name}.{m.MemberName} is null.");
            if (row.Length != type.Size)
                throw new ArgumentException($"Row {i}: {owner.Name}.{m.MemberName} has {row.Length} values but its [VectorType] declares {type.Size}.");
            Array.Copy(row, 0, values, i * type.Size, type.Size);
        }
        return new VectorColumn(type, values);
    }

    /// <summary>Reads the rows back as objects: each settable public member gets the column of its name (if present).</summary>
    public static IEnumerable<T> ToEnumerable<T>(IDataView data) where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(data);
        var members = ObjectMapping.MembersOf(typeof(T)).Where(m => m.Set is not null && data.Schema.GetColumnOrNull(m.Column) is not null).ToList();
        var columns = members.Select(m =>
        {
            DataColumn column = data.GetColumn(m.Column);
            Type raw = column.Type.RawType;
            bool fits = m.Type == raw || (column.Type is KeyDataViewType && m.Type == typeof(uint));
            if (!fits)
                throw new ArgumentException($"Column '{m.Column}' holds {column.Type} values but {typeof(T).Name}.{m.MemberName} is {m.Type.Name}.");
            return column;
        }).ToList();
        for (int row = 0; row < data.RowCount; row++)
        {
            var item = new T();
            for (int c = 0; c < members.Count; c++) members[c].Set!(item, columns[c].GetValue(row));
            yield return item;
        }
    }
}
