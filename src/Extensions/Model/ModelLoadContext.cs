using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Torch;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Extensions.Model;

/// <summary>What a transformer's loader reads: its parameters, tensors and children, each checked as it is read.</summary>
public sealed class ModelLoadContext
{
    /// <summary>Safetensors entries above this size are refused before reading.</summary>
    public const long MaxTensorEntryBytes = 8L << 30;

    private const int MaxDepth = 32;

    private readonly ZipArchive archive;
    private readonly JsonObject node;
    private readonly string file;
    private readonly int depth;

    internal ModelLoadContext(ZipArchive archive, JsonObject node, string file, int depth)
    {
        this.archive = archive;
        this.node = node;
        this.file = file;
        this.depth = depth;
        if (depth > MaxDepth) throw Invalid($"transformers are nested more than {MaxDepth} deep");
    }

    /// <summary>The transformer kind this node was saved as.</summary>
    public string Kind => node["kind"]?.GetValue<string>() ?? throw Invalid("a transformer has no kind");

    public JsonObject Parameters => node["parameters"] as JsonObject ?? throw Invalid($"'{Kind}' has no parameters");

    public JsonNode Get(string name) => Parameters[name] ?? throw Invalid($"'{Kind}' has no parameter '{name}'");

    public int GetInt(string name) => Read(name, n => n.GetValue<int>());
    public long GetLong(string name) => Read(name, n => n.GetValue<long>());
    public double GetDouble(string name) => Read(name, n => n.GetValue<double>());
    public bool GetBool(string name) => Read(name, n => n.GetValue<bool>());
    public string GetString(string name) => Read(name, n => n.GetValue<string>());
    public T GetObject<T>(string name) => Read(name, n => n.Deserialize<T>() ?? throw new JsonException("null"));

    private T Read<T>(string name, Func<JsonNode, T> read)
    {
        JsonNode n = Get(name);
        try
        {
            return read(n);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
        {
            throw Invalid($"'{Kind}' parameter '{name}' has an unexpected value ({e.Message})");
        }
    }

    /// <summary>The tensors saved by this transformer (new CPU tensors the caller owns).</summary>
    public Dictionary<string, Tensor> LoadTensors()
    {
        string entryName = node["tensors"]?.GetValue<string>() ?? throw Invalid($"'{Kind}' saved no tensors");
        ZipArchiveEntry entry = ModelFile.Entry(archive, entryName, file);
        if (entry.Length > MaxTensorEntryBytes) throw Invalid($"entry '{entryName}' is {entry.Length} bytes, over the {MaxTensorEntryBytes}-byte limit");
        using var buffer = new MemoryStream((int)Math.Min(entry.Length, int.MaxValue));
        using (Stream s = entry.Open()) s.CopyTo(buffer);
        if (buffer.Length != entry.Length) throw Invalid($"entry '{entryName}' is truncated");
        buffer.Position = 0;
        try
        {
            var tensors = SafeTensors.Read(buffer, $"{file}:{entryName}");
            foreach (Tensor t in tensors.Values) t.DetachFromDisposeScope();
            return tensors;
        }
        catch (InvalidDataException e)
        {
            throw Invalid(e.Message);
        }
    }

    /// <summary>Loads the child saved under <paramref name="name"/>.</summary>
    public ITransformer LoadChild(string name)
    {
        JsonObject child = (node["children"] as JsonObject)?[name] as JsonObject ?? throw Invalid($"'{Kind}' has no child '{name}'");
        return TransformerRegistry.Load(new ModelLoadContext(archive, child, file, depth + 1));
    }

    internal InvalidDataException Invalid(string reason) => new($"'{file}' is not a valid TorchZoo model: {reason}.");
}
