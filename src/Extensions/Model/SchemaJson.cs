using System.Text.Json.Nodes;
using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Model;

/// <summary>Writes and reads a schema as JSON in the model file.</summary>
internal static class SchemaJson
{
    public static JsonArray Write(DataViewSchema schema)
    {
        var array = new JsonArray();
        foreach (var c in schema)
        {
            var o = new JsonObject { ["name"] = c.Name };
            switch (c.Type)
            {
                case VectorDataViewType v:
                    o["type"] = "vector";
                    o["dimensions"] = new JsonArray(v.Dimensions.Select(d => (JsonNode)d).ToArray());
                    break;
                case KeyDataViewType k:
                    o["type"] = "key";
                    o["labels"] = new JsonArray(k.Labels.Select(l => (JsonNode)l).ToArray());
                    break;
                case TextDataViewType:
                    o["type"] = "String";
                    break;
                case NumberDataViewType n:
                    o["type"] = n.Name;
                    break;
            }
            array.Add(o);
        }
        return array;
    }

    public static DataViewSchema Read(JsonArray array, string file)
    {
        var columns = new List<(string, DataViewType)>();
        foreach (JsonNode? node in array)
        {
            if (node is not JsonObject o) throw Invalid(file, "a schema column is not an object");
            string name = o["name"]?.GetValue<string>() ?? throw Invalid(file, "a schema column has no name");
            string type = o["type"]?.GetValue<string>() ?? throw Invalid(file, $"column '{name}' has no type");
            columns.Add((name, type switch
            {
                "vector" => new VectorDataViewType((o["dimensions"] as JsonArray ?? throw Invalid(file, $"column '{name}' has no dimensions")).Select(d => d!.GetValue<int>()).ToArray()),
                "key" => Key(o, name, file),
                "String" => TextDataViewType.Instance,
                "Single" => NumberDataViewType.Single,
                "Double" => NumberDataViewType.Double,
                "Int32" => NumberDataViewType.Int32,
                "Int64" => NumberDataViewType.Int64,
                "Boolean" => NumberDataViewType.Boolean,
                _ => throw Invalid(file, $"column '{name}' has unknown type '{type}'"),
            }));
        }
        return new DataViewSchema(columns);
    }

    private static KeyDataViewType Key(JsonObject o, string name, string file)
    {
        var labels = (o["labels"] as JsonArray ?? throw Invalid(file, $"key column '{name}' has no labels")).Select(l => l!.GetValue<string>()).ToList();
        return new KeyDataViewType(labels.Count, labels);
    }

    private static InvalidDataException Invalid(string file, string reason) => new($"'{file}' is not a valid TorchZoo model: {reason}.");
}
