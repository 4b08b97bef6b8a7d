using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// Cuts (B, C, H, W) images into p×p patches and projects each to D: (B, H/p · W/p, D), patches in row-major order.
/// Child <c>proj</c> holds a (D, C, p, p) weight and a (D) bias in both <see cref="PatchEmbeddingKind"/> modes.
/// </summary>
public sealed class PatchEmbedding : Module<Tensor, Tensor>
{
    public PatchEmbedding(int channels, int patchSize, int width, PatchEmbeddingKind kind = PatchEmbeddingKind.Convolution, Generator? generator = null)
    {
        Channels = channels;
        PatchSize = patchSize;
        Width = width;
        Kind = kind;
        Proj = RegisterModule("proj", new Conv2d(channels, width, patchSize, patchSize, 0, true, generator));
    }

    public int Channels { get; }
    public int PatchSize { get; }
    public int Width { get; }
    public PatchEmbeddingKind Kind { get; }
    public Conv2d Proj { get; }

    public override Tensor Forward(Tensor images)
    {
        long[] s = images.Shape;
        if (s.Length != 4 || s[1] != Channels || s[2] % PatchSize != 0 || s[3] % PatchSize != 0)
            throw new ArgumentException(
                $"Expected images shaped (batch, {Channels}, H, W) with H and W multiples of {PatchSize}, got {Tensor.FormatShape(s)}.", nameof(images));
        long b = s[0], rows = s[2] / PatchSize, cols = s[3] / PatchSize, p = PatchSize;
        if (Kind == PatchEmbeddingKind.Convolution)
            return Proj.Forward(images).Flatten(2).Transpose(1, 2);
        // (B, C, rows, p, cols, p) → (B, rows, cols, C, p, p): the same element order as the conv weight's (C, p, p).
        Tensor patches = images.View(b, Channels, rows, p, cols, p).Permute(0, 2, 4, 1, 3, 5).Reshape(b, rows * cols, Channels * p * p);
        return Functional.Linear(patches, Proj.Weight.View(Width, Channels * p * p), Proj.Bias);
    }
}
