using System.Text.Json.Nodes;
using TorchZoo.Extensions.Core;
using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;

namespace TorchZoo.Extensions.Transforms;

/// <summary>Joins numeric columns (scalars and vectors) into one flat float vector column.</summary>
public sealed class ColumnConcatenatingEstimator(string outputColumnName, string[] inputColumnNames) : IEstimator<ColumnConcatenatingTransformer>
{
    public ColumnConcatenatingTransformer Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        return new ColumnConcatenatingTransformer(outputColumnName, inputColumnNames);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        if (inputColumnNames.Length == 0) throw new ArgumentException("Concatenate needs at least one input column.");
        int size = 0;
        foreach (string name in inputColumnNames)
        {
            var c = inputSchema.Find(name) ?? throw new ArgumentException($"Concatenate's input column '{name}' is missing; the columns are: {string.Join(", ", inputSchema.Select(x => x.Name))}.");
            size += c.Type switch
            {
                VectorDataViewType v => v.Size,
                NumberDataViewType => 1,
                _ => throw new ArgumentException($"Column '{name}' holds {c.Type} values; only numbers can be concatenated."),
            };
        }
        return inputSchema.With(new SchemaShape.Column(outputColumnName, new VectorDataViewType(size)));
    }
}

public sealed class ColumnConcatenatingTransformer(string outputColumnName, string[] inputColumnNames) : ISavableTransformer
{
    public string Kind => "Concatenate";

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) =>
        inputSchema.With((outputColumnName, new VectorDataViewType(Size(inputSchema))));

    private int Size(DataViewSchema schema) => inputColumnNames.Sum(n => schema[n].Type is VectorDataViewType v ? v.Size : 1);

    public IDataView Transform(IDataView input)
    {
        var type = new VectorDataViewType(Size(input.Schema));
        return new DerivedDataView(input, new[] { (outputColumnName, (DataViewType)type, (Func<DataColumn>)(() =>
        {
            var parts = inputColumnNames.Select(n => input.GetFloatRows(n)).ToList();
            int rows = (int)input.RowCount;
            var values = new float[rows * type.Size];
            for (int r = 0; r < rows; r++)
            {
                int at = r * type.Size;
                foreach (var (v, k) in parts)
                {
                    Array.Copy(v, r * k, values, at, k);
                    at += k;
                }
            }
            return new VectorColumn(type, values);
        })) });
    }

    public void Save(ModelSaveContext context)
    {
        context.Parameters["output"] = outputColumnName;
        context.Parameters["inputs"] = new JsonArray(inputColumnNames.Select(n => (JsonNode)n).ToArray());
    }

    internal static ColumnConcatenatingTransformer Load(ModelLoadContext context) =>
        new(context.GetString("output"), context.GetObject<string[]>("inputs"));
}
