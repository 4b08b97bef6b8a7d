using System.Globalization;
using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;

namespace TorchZoo.Extensions.Transforms;

/// <summary>Learns the distinct values of a column (as text, sorted) and maps them to keys 1..K.</summary>
public sealed class ValueToKeyMappingEstimator(string outputColumnName, string inputColumnName) : IEstimator<ValueToKeyMappingTransformer>
{
    public ValueToKeyMappingTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        DataColumn column = input.GetColumn(inputColumnName);
        var labels = Enumerable.Range(0, column.Length).Select(i => KeyText.Of(column.GetValue(i)))
            .Distinct().OrderBy(s => s, KeyText.Order).ToList();
        if (labels.Count == 0) throw new ArgumentException($"Column '{inputColumnName}' has no values to map to keys.");
        return new ValueToKeyMappingTransformer(outputColumnName, inputColumnName, labels);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var c = inputSchema.Find(inputColumnName) ?? throw new ArgumentException($"The key mapping's input column '{inputColumnName}' is missing.");
        if (c.Type is VectorDataViewType) throw new ArgumentException($"Column '{inputColumnName}' is a vector; only scalar columns map to keys.");
        return inputSchema.With(new SchemaShape.Column(outputColumnName, new KeyDataViewType(1, new[] { "?" })));
    }
}

/// <summary>Maps values to their keys (1..K); a value not seen while fitting fails with a message naming it.</summary>
public sealed class ValueToKeyMappingTransformer : ISavableTransformer
{
    private readonly Dictionary<string, uint> keys;

    internal ValueToKeyMappingTransformer(string output, string input, IReadOnlyList<string> labels)
    {
        OutputColumnName = output;
        InputColumnName = input;
        KeyType = new KeyDataViewType(labels.Count, labels.ToList());
        keys = labels.Select((l, i) => (l, (uint)(i + 1))).ToDictionary(x => x.l, x => x.Item2);
    }

    public string OutputColumnName { get; }
    public string InputColumnName { get; }
    public KeyDataViewType KeyType { get; }
    public string Kind => "ValueToKey";

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        _ = inputSchema[InputColumnName];
        return inputSchema.With((OutputColumnName, KeyType));
    }

    public IDataView Transform(IDataView input) =>
        new DerivedDataView(input, new[] { (OutputColumnName, (DataViewType)KeyType, (Func<DataColumn>)(() =>
        {
            DataColumn c = input.GetColumn(InputColumnName);
            var values = new uint[c.Length];
            for (int i = 0; i < values.Length; i++)
            {
                string text = KeyText.Of(c.GetValue(i));
                values[i] = keys.TryGetValue(text, out uint k) ? k
                    : throw new ArgumentException($"Column '{InputColumnName}' has the value '{text}' in row {i}, which was not seen when the key mapping was fitted.");
            }
            return new ScalarColumn<uint>(KeyType, values);
        })) });

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = OutputColumnName;
        context.Parameters["input"] = InputColumnName;
        context.Parameters["labels"] = new JsonArray(KeyType.Labels.Select(l => (JsonNode)l).ToArray());
    }

    internal static ValueToKeyMappingTransformer Load(ModelLoadContext context) =>
        new(context.GetString("output"), context.GetString("input"), context.GetObject<string[]>("labels"));
}

/// <summary>Maps a key column back to the text of its values.</summary>
public sealed class KeyToValueMappingEstimator(string outputColumnName, string inputColumnName) : IEstimator<KeyToValueMappingTransformer>
{
    public KeyToValueMappingTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new KeyToValueMappingTransformer(outputColumnName, inputColumnName);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var c = inputSchema.Find(inputColumnName) ?? throw new ArgumentException($"The key-to-value input column '{inputColumnName}' is missing.");
        if (c.Type is not KeyDataViewType) throw new ArgumentException($"Column '{inputColumnName}' holds {c.Type} values, not keys.");
        return inputSchema.With(new SchemaShape.Column(outputColumnName, TextDataViewType.Instance));
    }
}

/// <summary>Key → original value (text); key 0 (missing) maps to the empty string.</summary>
public sealed class KeyToValueMappingTransformer(string outputColumnName, string inputColumnName) : ISavableTransformer
{
    public string Kind => "KeyToValue";

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema.With((outputColumnName, TextDataViewType.Instance));

    public IDataView Transform(IDataView input) =>
        new DerivedDataView(input, new[] { (outputColumnName, (DataViewType)TextDataViewType.Instance, (Func<DataColumn>)(() =>
        {
            DataColumn c = input.GetColumn(inputColumnName);
            if (c.Type is not KeyDataViewType key) throw new ArgumentException($"Column '{inputColumnName}' holds {c.Type} values, not keys.");
            uint[] k = ((ScalarColumn<uint>)c).Values;
            return new ScalarColumn<string>(TextDataViewType.Instance, k.Select(v => v == 0 || v > key.Count ? "" : key.Labels[(int)v - 1]).ToArray());
        })) });

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = outputColumnName;
        context.Parameters["input"] = inputColumnName;
    }

    internal static KeyToValueMappingTransformer Load(ModelLoadContext context) => new(context.GetString("output"), context.GetString("input"));
}

/// <summary>The text form of a value used for keys, and the order of key labels (numbers numerically, then text).</summary>
internal static class KeyText
{
    public static string Of(object? value) => value switch
    {
        null => "",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    public static IComparer<string> Order { get; } = Comparer<string>.Create((a, b) =>
    {
        bool na = double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out double x);
        bool nb = double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out double y);
        if (na && nb) return x.CompareTo(y);
        if (na != nb) return na ? -1 : 1;
        return string.CompareOrdinal(a, b);
    });
}
