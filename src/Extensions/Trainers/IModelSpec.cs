using System.Text.Json.Nodes;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Trainers;

/// <summary>
/// A model architecture a trainer can build for given input dimensions and number of outputs, and describe as
/// JSON so a saved model can be rebuilt before its weights are loaded. Register custom specs in
/// <see cref="ModelSpecRegistry"/> so their models load.
/// </summary>
public interface IModelSpec
{
    /// <summary>The name under which <see cref="ModelSpecRegistry"/> knows how to read this spec back.</summary>
    string Kind { get; }

    JsonObject ToJson();

    /// <summary>Builds the model for one example of shape <paramref name="inputShape"/> and <paramref name="outputs"/> outputs.</summary>
    Module<Tensor, Tensor> Create(IReadOnlyList<int> inputShape, int outputs);

    /// <summary>Loads initial weights (e.g. a pretrained checkpoint, possibly with foreign names); strict by default.</summary>
    void LoadInitialWeights(Module<Tensor, Tensor> model, IReadOnlyDictionary<string, Tensor> weights, string source) => model.LoadStateDict(weights);

    /// <summary>Changes the model before training, after initial weights (e.g. adds LoRA adapters and freezes the base).</summary>
    void PrepareForTraining(Module<Tensor, Tensor> model) { }

    /// <summary>The weights a saved model holds, matching what <see cref="Create"/> builds (e.g. LoRA merged into the base).</summary>
    IReadOnlyDictionary<string, Tensor> ExportWeights(Module<Tensor, Tensor> model) => model.StateDict();
}

/// <summary>Readers of model specs by kind.</summary>
public static class ModelSpecRegistry
{
    private static readonly Dictionary<string, Func<JsonObject, IModelSpec>> readers = new(StringComparer.Ordinal);

    static ModelSpecRegistry() => BuiltInModelSpecs.RegisterAll();

    public static void Register(string kind, Func<JsonObject, IModelSpec> read)
    {
        lock (readers) readers[kind] = read;
    }

    public static IModelSpec Read(string kind, JsonObject json)
    {
        Func<JsonObject, IModelSpec>? read;
        lock (readers) readers.TryGetValue(kind, out read);
        return read?.Invoke(json) ?? throw new InvalidDataException($"The model architecture '{kind}' is not registered (ModelSpecRegistry.Register).");
    }
}
