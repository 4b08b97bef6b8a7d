using System.IO.Compression;
using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Torch;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Extensions.Model;

/// <summary>What a transformer writes when saved: JSON parameters, named tensors (safetensors) and child transformers.</summary>
public sealed class ModelSaveContext
{
    private readonly ZipArchive archive;
    private readonly string path;
    private readonly JsonObject node;

    internal ModelSaveContext(ZipArchive archive, string path, JsonObject node)
    {
        this.archive = archive;
        this.path = path;
        this.node = node;
    }

    /// <summary>JSON-serializable parameters (numbers, strings, booleans, arrays of them, nested objects).</summary>
    public JsonObject Parameters => (JsonObject)node["parameters"]!;

    /// <summary>Stores tensors for this transformer (one safetensors entry).</summary>
    public void SaveTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        string entry = $"tensors/{path}.safetensors";
        if (node["tensors"] is not null) throw new InvalidOperationException("A transformer can save one set of tensors.");
        ZipArchiveEntry e = archive.CreateEntry(entry, CompressionLevel.Fastest);
        using (Stream s = e.Open()) SafeTensors.Write(s, tensors);
        node["tensors"] = entry;
    }

    /// <summary>Saves a child transformer under <paramref name="name"/>.</summary>
    public void SaveChild(string name, ISavableTransformer child)
    {
        var children = (JsonObject)(node["children"] ??= new JsonObject());
        var childNode = NewNode(child.Kind);
        children[name] = childNode;
        child.Save(new ModelSaveContext(archive, path.Length == 0 ? name : $"{path}.{name}", childNode));
    }

    internal static JsonObject NewNode(string kind) => new() { ["kind"] = kind, ["parameters"] = new JsonObject() };
}
