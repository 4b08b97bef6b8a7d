using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// Turns (B, C, H, W) images into (B, H/p · W/p, D) patch tokens in row-major order. In the
/// <see cref="PatchEmbeddingKind.Convolution"/> and <see cref="PatchEmbeddingKind.UnfoldLinear"/> modes the child
/// <c>proj</c> holds a (D, C, p, p) weight and a (D) bias; with <see cref="PatchEmbeddingKind.ConvolutionalStem"/> the
/// child <c>stem</c> (3×3 stride-2 convolutions, BatchNorms and GELUs) feeds a 1×1 <c>proj</c> of weight (D, D, 1, 1).
/// </summary>
public sealed class PatchEmbedding : Module<Tensor, Tensor>
{
    public PatchEmbedding(int channels, int patchSize, int width, PatchEmbeddingKind kind = PatchEmbeddingKind.Convolution, Generator? generator = null)
    {
        if (kind == PatchEmbeddingKind.ConvolutionalStem && !IsStemPatch(patchSize))
            throw new ArgumentOutOfRangeException(nameof(patchSize), patchSize,
                "A convolutional stem halves the resolution per layer, so the patch size must be a power of two ≥ 2.");
        Channels = channels;
        PatchSize = patchSize;
        Width = width;
        Kind = kind;
        try
        {
            if (kind == PatchEmbeddingKind.ConvolutionalStem)
            {
                Stem = RegisterModule("stem", StemLayers(channels, patchSize, width, generator));
                Proj = RegisterModule("proj", new Conv2d(width, width, 1, 1, 0, true, generator));
            }
            else
            {
                Proj = RegisterModule("proj", new Conv2d(channels, width, patchSize, patchSize, 0, true, generator));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Channels { get; }
    public int PatchSize { get; }
    public int Width { get; }
    public PatchEmbeddingKind Kind { get; }

    /// <summary>The stem's convolutions, normalizations and activations; null unless <see cref="PatchEmbeddingKind.ConvolutionalStem"/>.</summary>
    public Sequential? Stem { get; }

    /// <summary>The projection to the model width: p×p with stride p, or 1×1 after a stem.</summary>
    public Conv2d Proj { get; }

    /// <summary>True when a convolutional stem can produce patches of this size.</summary>
    public static bool IsStemPatch(int patchSize) => patchSize >= 2 && (patchSize & (patchSize - 1)) == 0;

    /// <summary>The output channels of the stem's convolutions, first to last (the last is the model width).</summary>
    public static int[] StemChannels(int patchSize, int width)
    {
        int layers = System.Numerics.BitOperations.Log2((uint)patchSize);
        var channels = new int[layers];
        for (int i = 0; i < layers; i++) channels[i] = Math.Max(Math.Min(16, width), width >> (layers - 1 - i));
        return channels;
    }

    private static Sequential StemLayers(int channels, int patchSize, int width, Generator? generator)
    {
        var layers = new List<Module<Tensor, Tensor>>();
        int inputs = channels;
        foreach (int outputs in StemChannels(patchSize, width))
        {
            // No convolution bias: the BatchNorm's shift replaces it (as in the paper).
            layers.Add(new Conv2d(inputs, outputs, 3, 2, 1, false, generator));
            layers.Add(new BatchNorm2d(outputs));
            layers.Add(new Gelu());
            inputs = outputs;
        }
        return new Sequential(layers.ToArray());
    }

    public override Tensor Forward(Tensor images)
    {
        long[] s = images.Shape;
        if (s.Length != 4 || s[1] != Channels || s[2] % PatchSize != 0 || s[3] % PatchSize != 0)
            throw new ArgumentException(
                $"Expected images shaped (batch, {Channels}, H, W) with H and W multiples of {PatchSize}, got {Tensor.FormatShape(s)}.", nameof(images));
        long b = s[0], rows = s[2] / PatchSize, cols = s[3] / PatchSize, p = PatchSize;
        switch (Kind)
        {
            case PatchEmbeddingKind.Convolution:
                return Proj.Forward(images).Flatten(2).Transpose(1, 2);
            case PatchEmbeddingKind.ConvolutionalStem:
                return Proj.Forward(Stem!.Forward(images)).Flatten(2).Transpose(1, 2);
            default:
                // (B, C, rows, p, cols, p) → (B, rows, cols, C, p, p): the same element order as the conv weight's (C, p, p).
                Tensor patches = images.View(b, Channels, rows, p, cols, p).Permute(0, 2, 4, 1, 3, 5).Reshape(b, rows * cols, Channels * p * p);
                return Functional.Linear(patches, Proj.Weight.View(Width, Channels * p * p), Proj.Bias);
        }
    }
}
