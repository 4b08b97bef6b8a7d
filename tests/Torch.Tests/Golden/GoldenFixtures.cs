using System.Text.Json;

namespace TorchZoo.Torch.Tests.Golden;

/// <summary>A tensor as the fixture script wrote it: dtype name, shape and row-major elements.</summary>
public sealed class GoldenTensor
{
    public GoldenTensor(string dtype, long[] shape, JsonElement data)
    {
        Dtype = dtype;
        Shape = shape;
        Data = data;
    }

    public string Dtype { get; }
    public long[] Shape { get; }
    public JsonElement Data { get; }

    public ScalarType ScalarType => DtypeOf(Dtype);

    /// <summary>The element type a fixture dtype name stands for.</summary>
    public static ScalarType DtypeOf(string dtype) => dtype switch
    {
        "float32" => ScalarType.Float32,
        "float64" => ScalarType.Float64,
        "int64" => ScalarType.Int64,
        "bool" => ScalarType.Bool,
        _ => throw new InvalidDataException($"Fixture dtype '{dtype}' is not one the loader knows."),
    };

    public int Count => Data.GetArrayLength();

    public float[] Floats() => Data.EnumerateArray().Select(ReadSingle).ToArray();
    public double[] Doubles() => Data.EnumerateArray().Select(ReadDouble).ToArray();
    public long[] Longs() => Data.EnumerateArray().Select(e => e.GetInt64()).ToArray();
    public bool[] Bools() => Data.EnumerateArray().Select(e => e.GetBoolean()).ToArray();

    /// <summary>The elements widened to double (for comparisons), whatever the dtype.</summary>
    public double[] AsDoubles() => ScalarType switch
    {
        ScalarType.Float32 => Floats().Select(f => (double)f).ToArray(),
        ScalarType.Float64 => Doubles(),
        ScalarType.Int64 => Longs().Select(v => (double)v).ToArray(),
        _ => Bools().Select(b => b ? 1.0 : 0.0).ToArray(),
    };

    /// <summary>A new tensor holding these elements (owned by the current dispose scope).</summary>
    public Tensor ToTensor() => ScalarType switch
    {
        ScalarType.Float32 => Tensor.FromArray<float>(Floats().AsSpan(), Shape),
        ScalarType.Float64 => Tensor.FromArray<double>(Doubles().AsSpan(), Shape),
        ScalarType.Int64 => Tensor.FromArray<long>(Longs().AsSpan(), Shape),
        _ => Tensor.FromArray<bool>(Bools().AsSpan(), Shape),
    };

    // Non-finite values are written as strings; float32 values as the shortest decimal that reads back
    // as the same float, so they are parsed as float directly (never through double).
    private static float ReadSingle(JsonElement e) => e.ValueKind == JsonValueKind.String ? (float)Special(e.GetString()!) : e.GetSingle();

    private static double ReadDouble(JsonElement e) => e.ValueKind == JsonValueKind.String ? Special(e.GetString()!) : e.GetDouble();

    internal static double Special(string s) => s switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => throw new InvalidDataException($"'{s}' is not a number the fixtures use."),
    };

    internal static GoldenTensor Parse(JsonElement e) =>
        new(e.GetProperty("dtype").GetString()!,
            e.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray(),
            e.GetProperty("data"));
}

/// <summary>Typed access to a case's parameters (a JSON object; absent or null entries are "not given").</summary>
public sealed class GoldenParams
{
    private readonly JsonElement obj;

    public GoldenParams(JsonElement obj) => this.obj = obj;

    public static GoldenParams Empty { get; } = new(JsonDocument.Parse("{}").RootElement);

    public bool Has(string name) => obj.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null;

    private JsonElement Get(string name) =>
        obj.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null
            ? v
            : throw new InvalidDataException($"The case has no parameter '{name}'.");

    /// <summary>A number, or one of the strings "inf", "-inf", "nan".</summary>
    public double Double(string name)
    {
        JsonElement v = Get(name);
        return v.ValueKind == JsonValueKind.String ? GoldenTensor.Special(v.GetString()!) : v.GetDouble();
    }

    public double? OptDouble(string name) => Has(name) ? Double(name) : null;

    public long Long(string name) => Get(name).GetInt64();

    public long? OptLong(string name) => Has(name) ? Long(name) : null;

    public bool Bool(string name, bool missing = false) => Has(name) ? Get(name).GetBoolean() : missing;

    public string String(string name) => Get(name).GetString()!;

    public long[] Longs(string name) => Get(name).EnumerateArray().Select(e => e.GetInt64()).ToArray();

    public long[]? OptLongs(string name) => Has(name) ? Longs(name) : null;

    public string[] Strings(string name) => Get(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    public (long H, long W) Pair(string name)
    {
        long[] v = Longs(name);
        if (v.Length != 2) throw new InvalidDataException($"Parameter '{name}' should hold two numbers.");
        return (v[0], v[1]);
    }

    public (long H, long W)? OptPair(string name) => Has(name) ? Pair(name) : null;

    public GoldenParams Object(string name) => Has(name) ? new GoldenParams(Get(name)) : Empty;

    public override string ToString() => obj.GetRawText();
}

/// <summary>One fixture case: an op applied to named inputs with parameters, and the outputs PyTorch gave.</summary>
public sealed class GoldenCase
{
    public GoldenCase(string name, string op, IReadOnlyList<KeyValuePair<string, GoldenTensor>> inputs, GoldenParams parameters,
        IReadOnlyList<KeyValuePair<string, GoldenTensor>> expected)
    {
        Name = name;
        Op = op;
        Inputs = inputs;
        Params = parameters;
        Expected = expected;
    }

    public string Name { get; }
    public string Op { get; }
    /// <summary>Inputs in the order the script wrote them (cat and stack use that order).</summary>
    public IReadOnlyList<KeyValuePair<string, GoldenTensor>> Inputs { get; }
    public GoldenParams Params { get; }
    public IReadOnlyList<KeyValuePair<string, GoldenTensor>> Expected { get; }

    public override string ToString() => Name;
}

/// <summary>Loads tests/golden/torch/ops.json (copied next to the test assembly under golden/).</summary>
public static class GoldenFixtures
{
    public static string OpsPath => Path.Combine(AppContext.BaseDirectory, "golden", "ops.json");

    private static readonly Lazy<(JsonDocument Doc, IReadOnlyList<GoldenCase> Cases)> Loaded = new(Load);

    public static IReadOnlyList<GoldenCase> Cases => Loaded.Value.Cases;

    public static string TorchVersion => Loaded.Value.Doc.RootElement.GetProperty("torch_version").GetString()!;

    private static readonly Lazy<Dictionary<string, GoldenCase>> ByName = new(() =>
    {
        var map = new Dictionary<string, GoldenCase>(StringComparer.Ordinal);
        foreach (GoldenCase c in Cases)
            if (!map.TryAdd(c.Name, c))
                throw new InvalidDataException($"The fixture has two cases named '{c.Name}'.");
        return map;
    });

    public static GoldenCase Get(string name) =>
        ByName.Value.TryGetValue(name, out GoldenCase? c) ? c : throw new KeyNotFoundException($"No golden case named '{name}'.");

    private static (JsonDocument, IReadOnlyList<GoldenCase>) Load()
    {
        string path = OpsPath;
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"Golden fixture {path} is missing: regenerate it with /usr/bin/python3 tests/golden/make_torch_fixtures.py and rebuild.", path);
        // The document stays alive for the whole run: every GoldenTensor reads its data from it lazily.
        JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var cases = new List<GoldenCase>();
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            cases.Add(new GoldenCase(
                c.GetProperty("name").GetString()!,
                c.GetProperty("op").GetString()!,
                c.GetProperty("inputs").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, GoldenTensor.Parse(p.Value))).ToList(),
                new GoldenParams(c.GetProperty("params")),
                c.GetProperty("expected").EnumerateObject().Select(p => KeyValuePair.Create(p.Name, GoldenTensor.Parse(p.Value))).ToList()));
        }
        return (doc, cases);
    }
}
