using TorchZoo.Extensions.Evaluation;
using TorchZoo.Trainers.Models;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Extensions.Trainers;

/// <summary>
/// Vision Transformer trainers for image-like features ([C, H, W] float vectors): regression (one or more targets)
/// and multiclass classification. Image size, channels and outputs come from the data; the rest from
/// <see cref="VisionTransformerOptions"/> (default <see cref="VisionTransformerOptions.Micro"/>). Optional LoRA
/// fine-tuning and initial weights from safetensors (ours, or a Hugging Face google/vit-* checkpoint).
/// </summary>
public static class VisionTransformerTrainer
{
    /// <summary>Options of <c>ml.Regression.Trainers.VisionTransformer</c>.</summary>
    public sealed record RegressionOptions : RegressionTrainerOptions
    {
        public VisionTransformerOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = VisionTransformerOptions.Micro;

        /// <summary>LoRA adapters (base frozen, adapters trained, merged into the base when saved); null: train everything.</summary>
        public LoraOptions? Lora { get; init; }
    }

    /// <summary>Options of <c>ml.MulticlassClassification.Trainers.VisionTransformer</c>.</summary>
    public sealed record ClassificationOptions : MulticlassTrainerOptions
    {
        public VisionTransformerOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = VisionTransformerOptions.Micro;

        public LoraOptions? Lora { get; init; }
    }

    /// <summary>A ViT regressor.</summary>
    public static RegressionTrainer VisionTransformer(this RegressionCatalog.RegressionTrainers catalog, RegressionOptions options) =>
        new(catalog.Context, options, new VisionTransformerSpec(options.Model, options.Lora));

    /// <summary>A ViT regressor with ML.NET-style flat arguments.</summary>
    public static RegressionTrainer VisionTransformer(this RegressionCatalog.RegressionTrainers catalog, string labelColumnName = "Label",
        string featureColumnName = "Features", int maxEpochs = 10, int batchSize = 32, OptimizerOptions? optimizer = null, Extensions.Data.IDataView? validationSet = null) =>
        catalog.VisionTransformer(new RegressionOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, MaxEpochs = maxEpochs, BatchSize = batchSize,
            Optimizer = optimizer ?? new AdamWOptions(), ValidationSet = validationSet,
        });

    /// <summary>A ViT classifier (label: a key column).</summary>
    public static MulticlassTrainer VisionTransformer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, ClassificationOptions options) =>
        new(catalog.Context, options, new VisionTransformerSpec(options.Model with { Task = ModelTask.Classification }, options.Lora));

    public static MulticlassTrainer VisionTransformer(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, string labelColumnName = "Label",
        string featureColumnName = "Features", int maxEpochs = 10, int batchSize = 32, OptimizerOptions? optimizer = null, Extensions.Data.IDataView? validationSet = null) =>
        catalog.VisionTransformer(new ClassificationOptions
        {
            LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, MaxEpochs = maxEpochs, BatchSize = batchSize,
            Optimizer = optimizer ?? new AdamWOptions(), ValidationSet = validationSet,
        });
}

/// <summary>
/// Transformer-encoder trainers: over numeric feature vectors (FT-Transformer style, one token per feature) and over
/// token-id sequences; and an MLP baseline.
/// </summary>
public static class TransformerEncoderTrainer
{
    public sealed record TabularRegressionOptions : RegressionTrainerOptions
    {
        public TabularTransformerOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = new() { Width = 64, Depth = 3, Heads = 4 };
    }

    public sealed record TabularClassificationOptions : MulticlassTrainerOptions
    {
        public TabularTransformerOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = new() { Width = 64, Depth = 3, Heads = 4 };
    }

    public sealed record SequenceClassificationOptions : MulticlassTrainerOptions
    {
        public SequenceTransformerOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = new() { Width = 64, Depth = 2, Heads = 4 };
    }

    public sealed record SequenceRegressionOptions : RegressionTrainerOptions
    {
        public SequenceTransformerOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = new() { Width = 64, Depth = 2, Heads = 4 };
    }

    public sealed record MlpRegressionOptions : RegressionTrainerOptions
    {
        public MlpOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = new();
    }

    public sealed record MlpClassificationOptions : MulticlassTrainerOptions
    {
        public MlpOptions Model { get; init => field = value ?? throw new ArgumentNullException(nameof(Model)); } = new();
    }

    /// <summary>A transformer encoder over a vector of numeric features (one token per feature).</summary>
    public static RegressionTrainer TransformerEncoder(this RegressionCatalog.RegressionTrainers catalog, TabularRegressionOptions options) =>
        new(catalog.Context, options, new TabularTransformerSpec(options.Model));

    public static MulticlassTrainer TransformerEncoder(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, TabularClassificationOptions options) =>
        new(catalog.Context, options, new TabularTransformerSpec(options.Model with { Task = ModelTask.Classification }));

    /// <summary>A transformer encoder over token ids (a float vector column of ids, padded with the padding id).</summary>
    public static MulticlassTrainer TransformerEncoder(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, SequenceClassificationOptions options) =>
        new(catalog.Context, options, new SequenceTransformerSpec(options.Model with { Task = ModelTask.Classification }));

    public static RegressionTrainer TransformerEncoder(this RegressionCatalog.RegressionTrainers catalog, SequenceRegressionOptions options) =>
        new(catalog.Context, options, new SequenceTransformerSpec(options.Model));

    /// <summary>An MLP baseline.</summary>
    public static RegressionTrainer Mlp(this RegressionCatalog.RegressionTrainers catalog, MlpRegressionOptions options) =>
        new(catalog.Context, options, new MlpSpec(options.Model));

    public static MulticlassTrainer Mlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, MlpClassificationOptions options) =>
        new(catalog.Context, options, new MlpSpec(options.Model with { Task = ModelTask.Classification }));
}
