using ChirpRegression;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Extensions.Tests.Examples;

/// <summary>The chirp example's command line: the model it builds and the messages for bad combinations.</summary>
public class ChirpRunOptionsTests
{
    [Test]
    public void TheDefaultModelHasTheConvolutionalStemAndNoStemTakesItOut()
    {
        RunOptions.Parse(Array.Empty<string>()).Model().PatchEmbedding.Should().Be(PatchEmbeddingKind.ConvolutionalStem);
        RunOptions.Parse(new[] { "--no-stem" }).Model().PatchEmbedding.Should().Be(PatchEmbeddingKind.Convolution);
        VisionTransformerOptions study = RunOptions.Parse(new[] { "--grid", "128", "--patch", "16" }).Model();
        (study.PatchSize, study.PatchEmbedding, study.Width, study.Depth, study.Heads).Should().Be((16, PatchEmbeddingKind.ConvolutionalStem, 128, 4, 4));
    }

    [Test]
    public void APatchTheStemCannotMakeIsNamedWithTheWayOut()
    {
        Action stem = () => RunOptions.Parse(new[] { "--grid", "36", "--patch", "6" });
        stem.Should().Throw<ArgumentException>().WithMessage("--patch 6 is not a power of two, which the convolutional stem needs; add --no-stem*");
        RunOptions.Parse(new[] { "--grid", "36", "--patch", "6", "--no-stem" }).Model().PatchSize.Should().Be(6);
    }
}
