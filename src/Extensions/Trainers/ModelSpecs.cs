using System.Text.Json;
using System.Text.Json.Nodes;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Extensions.Trainers;

/// <summary>Serializes option records of the model zoo to and from the JSON stored in model files.</summary>
internal static class SpecJson
{
    private static readonly JsonSerializerOptions Options = new() { IncludeFields = false };

    public static JsonObject Write<T>(T value) => (JsonObject)JsonSerializer.SerializeToNode(value, Options)!;

    public static T Read<T>(JsonNode? node, string what)
    {
        try
        {
            return node.Deserialize<T>(Options) ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"the {what} options are invalid ({e.Message})");
        }
    }
}

/// <summary>A Vision Transformer over [C, H, W] (or [H, W]) features; image size, channels and outputs come from the data.</summary>
public sealed record VisionTransformerSpec(VisionTransformerOptions Model, LoraOptions? Lora = null) : IModelSpec
{
    public const string KindName = "vision_transformer";

    public string Kind => KindName;

    public JsonObject ToJson() => new() { ["model"] = SpecJson.Write(Model), ["lora"] = Lora is null ? null : SpecJson.Write(Lora) };

    public static VisionTransformerSpec FromJson(JsonObject json) =>
        new(SpecJson.Read<VisionTransformerOptions>(json["model"], "Vision Transformer"), json["lora"] is null ? null : SpecJson.Read<LoraOptions>(json["lora"], "LoRA"));

    /// <summary>The model options for an input of the given shape and number of outputs.</summary>
    public VisionTransformerOptions For(IReadOnlyList<int> inputShape, int outputs)
    {
        var (c, h, w) = inputShape.Count switch
        {
            3 => (inputShape[0], inputShape[1], inputShape[2]),
            2 => (1, inputShape[0], inputShape[1]),
            _ => throw new ArgumentException($"A Vision Transformer needs image features of shape [C, H, W] or [H, W], got [{string.Join(", ", inputShape)}]."),
        };
        if (h % Model.PatchSize != 0 || w % Model.PatchSize != 0)
            throw new ArgumentException($"The images are {h}×{w} but the patch size {Model.PatchSize} does not divide both sides (VisionTransformerOptions.PatchSize).");
        return Model with { Channels = c, ImageHeight = h, ImageWidth = w, Outputs = outputs };
    }

    public Module<Tensor, Tensor> Create(IReadOnlyList<int> inputShape, int outputs) => new VisionTransformer(For(inputShape, outputs));

    public void LoadInitialWeights(Module<Tensor, Tensor> model, IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        // Hugging Face checkpoints (google/vit-*) are recognized by their names and mapped onto ours.
        if (weights.Keys.Any(k => k.StartsWith("vit.", StringComparison.Ordinal)))
            HuggingFaceVit.Load((VisionTransformer)model, weights, source);
        else
            model.LoadStateDict(weights);
    }

    public void PrepareForTraining(Module<Tensor, Tensor> model)
    {
        if (Lora is not null) TorchZoo.Trainers.Models.Lora.Apply(model, Lora);
    }

    public IReadOnlyDictionary<string, Tensor> ExportWeights(Module<Tensor, Tensor> model)
    {
        if (TorchZoo.Trainers.Models.Lora.Adapters(model).Count == 0) return model.StateDict();
        // A saved model is a plain ViT: adapters are folded into the base weights and left out.
        TorchZoo.Trainers.Models.Lora.Merge(model);
        return model.StateDict().Where(kv => !kv.Key.Contains("lora_", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);
    }
}

/// <summary>A multilayer perceptron over flattened features.</summary>
public sealed record MlpSpec(MlpOptions Model) : IModelSpec
{
    public const string KindName = "mlp";

    public string Kind => KindName;

    public JsonObject ToJson() => new() { ["model"] = SpecJson.Write(Model) };

    public static MlpSpec FromJson(JsonObject json) => new(SpecJson.Read<MlpOptions>(json["model"], "MLP"));

    public Module<Tensor, Tensor> Create(IReadOnlyList<int> inputShape, int outputs) =>
        new FlattenedInput(new MultilayerPerceptron(Model with { Inputs = inputShape.Aggregate(1, (a, b) => checked(a * b)), Outputs = outputs }));
}

/// <summary>An FT-Transformer over a vector of numeric features (one token per feature).</summary>
public sealed record TabularTransformerSpec(TabularTransformerOptions Model) : IModelSpec
{
    public const string KindName = "tabular_transformer";

    public string Kind => KindName;

    public JsonObject ToJson() => new() { ["model"] = SpecJson.Write(Model) };

    public static TabularTransformerSpec FromJson(JsonObject json) => new(SpecJson.Read<TabularTransformerOptions>(json["model"], "tabular transformer"));

    public Module<Tensor, Tensor> Create(IReadOnlyList<int> inputShape, int outputs) =>
        new FlattenedInput(new TabularTransformer(Model with { Features = inputShape.Aggregate(1, (a, b) => checked(a * b)), Outputs = outputs }));
}

/// <summary>A transformer encoder over token ids given as a float vector of fixed length (ids are rounded to integers).</summary>
public sealed record SequenceTransformerSpec(SequenceTransformerOptions Model) : IModelSpec
{
    public const string KindName = "sequence_transformer";

    public string Kind => KindName;

    public JsonObject ToJson() => new() { ["model"] = SpecJson.Write(Model) };

    public static SequenceTransformerSpec FromJson(JsonObject json) => new(SpecJson.Read<SequenceTransformerOptions>(json["model"], "sequence transformer"));

    public Module<Tensor, Tensor> Create(IReadOnlyList<int> inputShape, int outputs)
    {
        if (inputShape.Count != 1) throw new ArgumentException($"A sequence transformer needs token ids as a vector [L], got [{string.Join(", ", inputShape)}].");
        if (inputShape[0] > Model.MaxLength)
            throw new ArgumentException($"The sequences have {inputShape[0]} tokens but SequenceTransformerOptions.MaxLength is {Model.MaxLength}.");
        return new TokenIdInput(new SequenceTransformer(Model with { Outputs = outputs }));
    }
}

/// <summary>Flattens (N, …) features to (N, F) before the inner model.</summary>
internal sealed class FlattenedInput : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> inner;

    public FlattenedInput(Module<Tensor, Tensor> inner) => this.inner = RegisterModule("model", inner);

    public override Tensor Forward(Tensor input) => inner.Forward(input.Dim == 2 ? input : input.Flatten(1));
}

/// <summary>Turns float token ids from a data view into int64 ids.</summary>
internal sealed class TokenIdInput : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> inner;

    public TokenIdInput(Module<Tensor, Tensor> inner) => this.inner = RegisterModule("model", inner);

    public override Tensor Forward(Tensor input) => inner.Forward(input.Round().To(ScalarType.Int64));
}

/// <summary>The model architectures this library ships, registered for loading.</summary>
internal static class BuiltInModelSpecs
{
    public static void RegisterAll()
    {
        ModelSpecRegistry.Register(VisionTransformerSpec.KindName, VisionTransformerSpec.FromJson);
        ModelSpecRegistry.Register(MlpSpec.KindName, MlpSpec.FromJson);
        ModelSpecRegistry.Register(TabularTransformerSpec.KindName, TabularTransformerSpec.FromJson);
        ModelSpecRegistry.Register(SequenceTransformerSpec.KindName, SequenceTransformerSpec.FromJson);
    }
}
