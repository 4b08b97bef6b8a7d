using TorchZoo.Extensions.Trainers;
using TorchZoo.Extensions.Transforms;

namespace TorchZoo.Extensions.Model;

/// <summary>The loaders of the transformers this library ships.</summary>
internal static class BuiltInTransformers
{
    public static void RegisterAll()
    {
        TransformerRegistry.Register("Normalizer", NormalizingTransformer.Load);
        TransformerRegistry.Register("ValueToKey", ValueToKeyMappingTransformer.Load);
        TransformerRegistry.Register("KeyToValue", KeyToValueMappingTransformer.Load);
        TransformerRegistry.Register("Concatenate", ColumnConcatenatingTransformer.Load);
        TransformerRegistry.Register("ImageResize", ImageResizingTransformer.Load);
        TransformerRegistry.Register("ImageNormalize", ImageNormalizingTransformer.Load);
        TransformerRegistry.Register("Spectrogram", SpectrogramTransformer.Load);
        TransformerRegistry.Register("RegressionPrediction", RegressionPredictionTransformer.Load);
        TransformerRegistry.Register("MulticlassPrediction", MulticlassPredictionTransformer.Load);
        TransformerRegistry.Register("BinaryPrediction", BinaryPredictionTransformer.Load);
    }
}
