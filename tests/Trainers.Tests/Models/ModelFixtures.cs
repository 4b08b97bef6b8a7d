using TorchZoo.Trainers.Models;

namespace TorchZoo.Trainers.Tests.Models;

internal static class ModelFixtures
{
    /// <summary>A small ViT (32×32 RGB, patch 8, width 48, depth 2, 3 heads, 4 regression outputs).</summary>
    public static VisionTransformerOptions SmallVit => new()
    {
        ImageHeight = 32, ImageWidth = 32, Channels = 3, PatchSize = 8, Width = 48, Depth = 2, Heads = 3, Outputs = 4,
    };
}
