using TorchZoo.Extensions.Data;
using TorchZoo.Extensions.Model;

namespace TorchZoo.Extensions.Core;

/// <summary>Fitted transformers applied in order (ML.NET's TransformerChain); <see cref="LastTransformer"/> is usually the model.</summary>
public sealed class TransformerChain<TLastTransformer> : ISavableTransformer, IDisposable where TLastTransformer : class, ITransformer
{
    public TransformerChain(IReadOnlyList<ITransformer> transformers)
    {
        if (transformers.Count == 0) throw new ArgumentException("A chain needs at least one transformer.", nameof(transformers));
        Transformers = transformers.ToList();
        LastTransformer = transformers[^1] as TLastTransformer
            ?? throw new ArgumentException($"The last transformer is {transformers[^1].GetType().Name}, not {typeof(TLastTransformer).Name}.", nameof(transformers));
    }

    public IReadOnlyList<ITransformer> Transformers { get; }

    public TLastTransformer LastTransformer { get; }

    public string Kind => "TransformerChain";

    public IDataView Transform(IDataView input)
    {
        IDataView current = input;
        foreach (var t in Transformers) current = t.Transform(current);
        return current;
    }

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        DataViewSchema s = inputSchema;
        foreach (var t in Transformers) s = t.GetOutputSchema(s);
        return s;
    }

    public void Save(ModelSaveContext context)
    {
        for (int i = 0; i < Transformers.Count; i++)
        {
            if (Transformers[i] is not ISavableTransformer savable)
                throw new InvalidOperationException($"Transformer {i} ({Transformers[i].GetType().Name}) cannot be saved: it does not implement ISavableTransformer.");
            context.SaveChild($"{i}", savable);
        }
        context.Parameters["count"] = Transformers.Count;
    }

    internal static TransformerChain<ITransformer> Load(ModelLoadContext context)
    {
        int count = context.GetInt("count");
        var items = new List<ITransformer>();
        for (int i = 0; i < count; i++) items.Add(context.LoadChild($"{i}"));
        return new TransformerChain<ITransformer>(items);
    }

    public void Dispose()
    {
        foreach (var t in Transformers)
            if (t is IDisposable d) d.Dispose();
    }
}
