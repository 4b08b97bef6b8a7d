using System.Globalization;
using System.Reflection;
using CsvHelper;
using CsvHelper.Configuration;

namespace TorchZoo.Extensions.Data;

/// <summary>
/// One column of a delimited text file for <see cref="DataOperationsCatalog.LoadFromTextFile(string, TextLoaderColumn[], char, bool)"/>:
/// its name, its type and the fields (0-based, <paramref name="End"/> inclusive) it reads. A vector column
/// reads <c>Size</c> consecutive fields; without <paramref name="End"/> it reads them from <paramref name="Start"/> on.
/// </summary>
public sealed record TextLoaderColumn(string Name, DataViewType Type, int Start, int? End = null)
{
    /// <summary>The last field read (inclusive).</summary>
    public int Last => End ?? (Type is VectorDataViewType v ? Start + v.Size - 1 : Start);
}

/// <summary>
/// Reads and writes delimited text (RFC 4180: quoted fields may hold separators, quotes and line breaks) with
/// CsvHelper. Numbers use the invariant culture; an empty field reads as NaN in a Single or Double column and
/// is an error in the other number columns. Every error names the file, and where it applies the line (1-based,
/// the header included) and the column.
/// </summary>
internal static class TextLoader
{
    private sealed record Records(string[]? Header, List<(string[] Fields, int Line)> Rows, int FieldCount);

    public static IDataView Load(string path, IReadOnlyList<TextLoaderColumn> columns, char separator, bool hasHeader)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0) throw new ArgumentException("Loading a text file needs at least one column.", nameof(columns));
        foreach (var c in columns) CheckColumn(c);
        Records records = Read(path, separator, hasHeader);
        return Build(path, records, columns);
    }

    public static IDataView Load<T>(string path, char separator, bool hasHeader) where T : class
    {
        var members = ObjectMapping.MembersOf(typeof(T));
        if (members.Count == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties or fields to load.");
        // Types and attributes are checked before the file is read, so a wrong class fails the same way on any file.
        var planned = members.Select(m =>
        {
            DataViewType type = ObjectMapping.TypeOf(m, typeof(T));
            MemberInfo info = typeof(T).GetMember(m.MemberName, BindingFlags.Public | BindingFlags.Instance)[0];
            LoadColumnAttribute? at = info.GetCustomAttribute<LoadColumnAttribute>();
            string owner = $"{typeof(T).Name}.{m.MemberName}";
            if (at is not null)
            {
                if (at.Start < 0 || at.End < at.Start)
                    throw new ArgumentException($"{owner} has [LoadColumn({at.Start}, {at.End})]; fields are 0-based and the range must not be empty.");
                int width = at.End - at.Start + 1;
                int size = type is VectorDataViewType v ? v.Size : 1;
                if (width != size)
                    throw new ArgumentException($"{owner} has [LoadColumn({at.Start}, {at.End})] ({width} fields) but holds {size} value{(size == 1 ? "" : "s")}.");
            }
            else if (type is VectorDataViewType)
            {
                throw new ArgumentException($"{owner} is a float[]: name the fields it reads with [LoadColumn(start, end)].");
            }
            else if (!hasHeader)
            {
                throw new ArgumentException($"{owner} has no [LoadColumn(index)]; without a header a column can only be found by its field index.");
            }
            return (Member: m, Type: type, At: at, Owner: owner);
        }).ToList();

        Records records = Read(path, separator, hasHeader);
        var columns = planned.Select(p =>
        {
            if (p.At is not null) return new TextLoaderColumn(p.Member.Column, p.Type, p.At.Start, p.At.End);
            int field = FindHeaderField(path, records.Header!, p.Member.Column, p.Owner);
            return new TextLoaderColumn(p.Member.Column, p.Type, field);
        }).ToList();
        return Build(path, records, columns);
    }

    private static int FindHeaderField(string path, string[] header, string name, string owner)
    {
        int exact = Array.IndexOf(header, name);
        if (exact >= 0) return exact;
        var loose = header.Select((h, i) => (h, i)).Where(x => string.Equals(x.h.Trim(), name, StringComparison.OrdinalIgnoreCase)).ToList();
        if (loose.Count == 1) return loose[0].i;
        throw new InvalidDataException($"The header of '{path}' has no column '{name}' (for {owner}); it has: {string.Join(", ", header)}.");
    }

    private static void CheckColumn(TextLoaderColumn c)
    {
        if (string.IsNullOrWhiteSpace(c.Name)) throw new ArgumentException("A text column needs a name.", "columns");
        if (c.Type is KeyDataViewType) throw new ArgumentException($"Column '{c.Name}' is a key type; load the values and map them with MapValueToKey.", "columns");
        if (c.Start < 0 || c.Last < c.Start)
            throw new ArgumentException($"Column '{c.Name}' reads fields {c.Start}..{c.Last}; fields are 0-based and the range must not be empty.", "columns");
        int width = c.Last - c.Start + 1;
        int size = c.Type is VectorDataViewType v ? v.Size : 1;
        if (width != size)
            throw new ArgumentException($"Column '{c.Name}' reads {width} fields ({c.Start}..{c.Last}) but its type {c.Type} holds {size} value{(size == 1 ? "" : "s")}.", "columns");
    }

    private static CsvConfiguration Configuration(char separator) => new(CultureInfo.InvariantCulture)
    {
        Delimiter = separator.ToString(),
        Mode = CsvMode.RFC4180,
        IgnoreBlankLines = true,
        DetectDelimiter = false,
    };

    private static Records Read(string path, char separator, bool hasHeader)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (separator is '"' or '\r' or '\n') throw new ArgumentException($"'{separator}' cannot separate fields.", nameof(separator));
        if (!File.Exists(path)) throw new FileNotFoundException($"The file '{path}' does not exist.", path);
        var config = Configuration(separator);
        config.BadDataFound = args =>
            throw new InvalidDataException($"Line {args.Context.Parser?.RawRow} of '{path}' has a misplaced quote in the field {args.Field}.");
        string[]? header = null;
        var rows = new List<(string[], int)>();
        int fieldCount = -1;
        using (var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true))
        using (var parser = new CsvParser(reader, config))
        {
            while (parser.Read())
            {
                string[] fields = parser.Record ?? Array.Empty<string>();
                int line = parser.RawRow;
                if (fieldCount < 0)
                {
                    fieldCount = fields.Length;
                    if (hasHeader)
                    {
                        header = fields;
                        continue;
                    }
                }
                else if (fields.Length != fieldCount)
                {
                    string reference = hasHeader ? "the header has" : "the first line has";
                    throw new InvalidDataException($"Line {line} of '{path}' has {fields.Length} field{(fields.Length == 1 ? "" : "s")} but {reference} {fieldCount}.");
                }
                rows.Add((fields, line));
            }
        }
        if (fieldCount < 0) throw new InvalidDataException($"The file '{path}' is empty.");
        return new Records(header, rows, fieldCount);
    }

    private static IDataView Build(string path, Records records, IReadOnlyList<TextLoaderColumn> columns)
    {
        var built = new List<(string, DataColumn)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            if (!names.Add(c.Name)) throw new ArgumentException($"Two columns are called '{c.Name}'.", nameof(columns));
            if (c.Last >= records.FieldCount)
                throw new InvalidDataException($"Column '{c.Name}' reads field{(c.Last > c.Start ? $"s {c.Start}..{c.Last}" : $" {c.Start}")} but the lines of '{path}' have {records.FieldCount} field{(records.FieldCount == 1 ? "" : "s")} (fields are 0-based).");
            built.Add((c.Name, Parse(path, records, c)));
        }
        return new InMemoryDataView(built);
    }

    private static DataColumn Parse(string path, Records records, TextLoaderColumn c)
    {
        var rows = records.Rows;
        if (c.Type is VectorDataViewType v)
        {
            var values = new float[checked(rows.Count * v.Size)];
            for (int r = 0; r < rows.Count; r++)
                for (int k = 0; k < v.Size; k++)
                    values[r * v.Size + k] = ParseFloat(path, rows[r], c.Start + k, $"{c.Name}[{k}]");
            return new VectorColumn(v, values);
        }
        if (c.Type == NumberDataViewType.Single) return Scalars(c, rows, (row, _) => ParseFloat(path, row, c.Start, c.Name));
        if (c.Type == NumberDataViewType.Double) return Scalars(c, rows, (row, text) =>
            text.Length == 0 ? double.NaN
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d
            : throw NotA(path, text, row.Line, c.Name, "Double"));
        if (c.Type == NumberDataViewType.Int32) return Scalars(c, rows, (row, text) =>
            int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : throw NotA(path, text, row.Line, c.Name, "Int32"));
        if (c.Type == NumberDataViewType.Int64) return Scalars(c, rows, (row, text) =>
            long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : throw NotA(path, text, row.Line, c.Name, "Int64"));
        if (c.Type == NumberDataViewType.Boolean) return Scalars(c, rows, (row, text) => text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw NotA(path, text, row.Line, c.Name, "Boolean (true/false/1/0)"),
        });
        if (c.Type is TextDataViewType) return Scalars(c, rows, (_, text) => text);
        throw new ArgumentException($"Column '{c.Name}' has type {c.Type}, which text files cannot hold.");
    }

    private static ScalarColumn<T> Scalars<T>(TextLoaderColumn c, List<(string[] Fields, int Line)> rows, Func<(string[] Fields, int Line), string, T> parse)
    {
        var values = new T[rows.Count];
        for (int r = 0; r < rows.Count; r++) values[r] = parse(rows[r], rows[r].Fields[c.Start]);
        return new ScalarColumn<T>(c.Type, values);
    }

    private static float ParseFloat(string path, (string[] Fields, int Line) row, int field, string column)
    {
        string text = row.Fields[field];
        if (text.Length == 0) return float.NaN;
        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f : throw NotA(path, text, row.Line, column, "Single");
    }

    private static InvalidDataException NotA(string path, string text, int line, string column, string type) =>
        new($"'{text}' in line {line}, column '{column}' of '{path}' is not a valid {type}.");

    /// <summary>
    /// Writes every column (vectors as one field per value, headed Name.0, Name.1, …; keys as their index) and
    /// replaces <paramref name="path"/> only once the whole file is written.
    /// </summary>
    public static void Save(IDataView data, string path, char separator, bool hasHeader)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (separator is '"' or '\r' or '\n') throw new ArgumentException($"'{separator}' cannot separate fields.", nameof(separator));
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The folder of '{path}' does not exist.");
        var columns = data.Schema.Select(c => (c.Name, Column: data.GetColumn(c.Name))).ToList();
        int rows = checked((int)data.RowCount);
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
            using (var csv = new CsvWriter(writer, Configuration(separator)))
            {
                if (hasHeader)
                {
                    foreach (var (name, column) in columns)
                        if (column is VectorColumn v)
                            for (int k = 0; k < v.VectorType.Size; k++) csv.WriteField($"{name}.{k}");
                        else csv.WriteField(name);
                    csv.NextRecord();
                }
                for (int r = 0; r < rows; r++)
                {
                    foreach (var (_, column) in columns)
                        if (column is VectorColumn v)
                            foreach (float x in v.Row(r)) csv.WriteField(x.ToString("R", CultureInfo.InvariantCulture));
                        else csv.WriteField(Format(column.GetValue(r)));
                    csv.NextRecord();
                }
                csv.Flush();
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
