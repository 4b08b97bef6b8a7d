using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Model;

/// <summary>
/// The model file: a zip holding <c>model.json</c> (format, version, input schema and the transformer tree)
/// and one safetensors entry per transformer with weights. Loading runs no code from the file: kinds are looked
/// up in <see cref="TransformerRegistry"/>, entries are read by exact name (never extracted to disk), and sizes
/// and shapes are checked before data is used.
/// </summary>
public static class ModelFile
{
    public const string Format = "torchzoo.model";
    public const int Version = 1;
    private const long MaxDescriptionBytes = 16 << 20;

    public static void Save(ISavableTransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
                {
                    JsonObject root = ModelSaveContext.NewNode(model.Kind);
                    model.Save(new ModelSaveContext(archive, "", root));
                    var description = new JsonObject
                    {
                        ["format"] = Format,
                        ["version"] = Version,
                        ["schema"] = SchemaJson.Write(inputSchema),
                        ["model"] = root,
                    };
                    ZipArchiveEntry entry = archive.CreateEntry("model.json", CompressionLevel.Optimal);
                    using Stream s = entry.Open();
                    s.Write(Encoding.UTF8.GetBytes(description.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(File.OpenRead(path), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid TorchZoo model: it is not a readable zip file ({e.Message}).", e);
        }
        using (archive)
        {
            foreach (ZipArchiveEntry e in archive.Entries) CheckEntryName(e.FullName, path);
            ZipArchiveEntry descriptionEntry = Entry(archive, "model.json", path);
            if (descriptionEntry.Length > MaxDescriptionBytes)
                throw new InvalidDataException($"'{path}' is not a valid TorchZoo model: model.json is {descriptionEntry.Length} bytes, over the {MaxDescriptionBytes}-byte limit.");
            JsonObject description;
            try
            {
                using Stream s = descriptionEntry.Open();
                description = JsonNode.Parse(s) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (Exception e) when (e is JsonException or InvalidDataException)
            {
                throw new InvalidDataException($"'{path}' is not a valid TorchZoo model: model.json is damaged ({e.Message}).", e);
            }
            if (description["format"]?.GetValue<string>() != Format)
                throw new InvalidDataException($"'{path}' is not a TorchZoo model file (format '{description["format"]}').");
            int version = description["version"]?.GetValue<int>() ?? 0;
            if (version != Version)
                throw new InvalidDataException($"'{path}' is a TorchZoo model of format version {version}; this library reads version {Version}.");
            inputSchema = SchemaJson.Read(description["schema"] as JsonArray ?? throw new InvalidDataException($"'{path}' has no input schema."), path);
            JsonObject root = description["model"] as JsonObject ?? throw new InvalidDataException($"'{path}' describes no model.");
            return TransformerRegistry.Load(new ModelLoadContext(archive, root, path, 0));
        }
    }

    internal static ZipArchiveEntry Entry(ZipArchive archive, string name, string file)
    {
        CheckEntryName(name, file);
        return archive.GetEntry(name) ?? throw new InvalidDataException($"'{file}' is not a valid TorchZoo model: entry '{name}' is missing (truncated file?).");
    }

    private static void CheckEntryName(string name, string file)
    {
        // Entries are only ever read by name, but a hostile archive should still be refused outright.
        if (name.Length == 0 || name.StartsWith('/') || name.StartsWith('\\') || name.Contains("..") || name.Contains(':'))
            throw new InvalidDataException($"'{file}' is not a valid TorchZoo model: it contains the unsafe entry name '{name}'.");
    }
}
