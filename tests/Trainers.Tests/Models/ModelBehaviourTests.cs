using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Trainers.Tests.Models;

public class ModelBehaviourTests
{
    [Test]
    public void PresetsHaveTheStatedParameterCounts()
    {
        using (var b = new VisionTransformer(VisionTransformerOptions.Base)) b.ParameterCount.Should().Be(86_567_656);
        using (var s = new VisionTransformer(VisionTransformerOptions.Small)) s.ParameterCount.Should().Be(22_050_664);
        using (var t = new VisionTransformer(VisionTransformerOptions.Tiny)) t.ParameterCount.Should().Be(5_717_416);
        // Micro: patch 192·64+192, cls 192, pos 65·192, 6 blocks of 444,864, norm 384, head 192·3+3.
        using var m = new VisionTransformer(VisionTransformerOptions.Micro);
        m.ParameterCount.Should().Be(12_480 + 192 + 12_480 + 6 * 444_864 + 384 + 579);
    }

    [Test]
    public void NamesFollowTheTimmScheme()
    {
        using var m = new VisionTransformer(ModelFixtures.SmallVit);
        m.NamedParameters().Select(p => p.Name).Should().StartWith(new[]
        {
            // Own parameters before children's, as PyTorch's named_parameters (and timm's ViT) list them.
            "cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
            "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
            "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias", "blocks.0.norm2.weight", "blocks.0.norm2.bias",
            "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight", "blocks.0.mlp.fc2.bias",
        }).And.EndWith(new[] { "norm.weight", "norm.bias", "head.weight", "head.bias" });
    }

    [Test]
    public void InvalidShapesFailNamingTheOptions()
    {
        Action heads = () => new VisionTransformer(ModelFixtures.SmallVit with { Heads = 5 });
        heads.Should().Throw<ArgumentException>().WithMessage("*Heads (5)*Width (48)*");
        Action patch = () => new VisionTransformer(ModelFixtures.SmallVit with { ImageWidth = 36 });
        patch.Should().Throw<ArgumentException>().WithMessage("*PatchSize (8)*ImageWidth (36)*");
        Action rate = () => _ = ModelFixtures.SmallVit with { DropPath = 1 };
        rate.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*DropPath*");
        using var m = new VisionTransformer(ModelFixtures.SmallVit);
        using var scope = DisposeScope.Enter();
        Action input = () => m.Forward(Tensor.Zeros(2, 3, 32, 40));
        input.Should().Throw<ArgumentException>().WithMessage("*(batch, 3, 32, 32)*[2, 3, 32, 40]*");
    }

    [Test]
    public void AConvolutionalStemHalvesTheResolutionPerLayerUpToTheWidth()
    {
        PatchEmbedding.StemChannels(8, 128).Should().Equal(32, 64, 128);
        PatchEmbedding.StemChannels(16, 192).Should().Equal(24, 48, 96, 192);
        PatchEmbedding.StemChannels(16, 48).Should().Equal(16, 16, 24, 48); // at least 16 channels
        PatchEmbedding.StemChannels(2, 8).Should().Equal(8);
        using var m = new VisionTransformer(ModelFixtures.SmallVit with { PatchEmbedding = PatchEmbeddingKind.ConvolutionalStem, Pooling = TokenPooling.Mean });
        m.NamedParameters().Select(p => (p.Name, string.Join("x", p.Parameter.Shape))).Should().StartWith(new[]
        {
            ("pos_embed", "1x16x48"),
            ("patch_embed.stem.0.weight", "16x3x3x3"), ("patch_embed.stem.1.weight", "16"), ("patch_embed.stem.1.bias", "16"),
            ("patch_embed.stem.3.weight", "24x16x3x3"), ("patch_embed.stem.4.weight", "24"), ("patch_embed.stem.4.bias", "24"),
            ("patch_embed.stem.6.weight", "48x24x3x3"), ("patch_embed.stem.7.weight", "48"), ("patch_embed.stem.7.bias", "48"),
            ("patch_embed.proj.weight", "48x48x1x1"), ("patch_embed.proj.bias", "48"),
        });
        using var scope = DisposeScope.Enter();
        m.Forward(Tensor.Randn(new long[] { 2, 3, 32, 32 }, new Generator(3))).Shape.Should().Equal(2, 4);
        Action notPowerOfTwo = () => _ = new VisionTransformer(ModelFixtures.SmallVit with
        {
            PatchEmbedding = PatchEmbeddingKind.ConvolutionalStem, PatchSize = 6, ImageHeight = 36, ImageWidth = 36,
        });
        notPowerOfTwo.Should().Throw<ArgumentException>().WithMessage("*PatchSize (6)*power of two*ConvolutionalStem*");
    }

    [Test]
    public void DropPathIsIdentityInEvalAndPerSampleWhenTraining()
    {
        using var scope = DisposeScope.Enter();
        using var dp = new DropPath(0.5);
        Tensor x = Tensor.Ones(64, 3, 4);
        dp.Eval();
        dp.Forward(x).Equal(x).Should().BeTrue();
        dp.Train();
        TorchRuntime.ManualSeed(11);
        float[] y = dp.Forward(x).ToArray<float>();
        var perSample = Enumerable.Range(0, 64).Select(i => y.Skip(i * 12).Take(12).Distinct().ToArray()).ToList();
        perSample.Should().OnlyContain(v => v.Length == 1 && (v[0] == 0f || v[0] == 2f), "each sample is dropped or kept (scaled by 1/(1−p)) as a whole");
        perSample.Count(v => v[0] == 0f).Should().BeInRange(16, 48);
        TorchRuntime.ManualSeed(11);
        dp.Forward(x).ToArray<float>().Should().Equal(y, "the mask comes from the seeded default generator");
    }

    [Test]
    public void AViTWithDropPathIsDeterministicInEval()
    {
        using var m = new VisionTransformer(ModelFixtures.SmallVit with { DropPath = 0.3, Dropout = 0.1, AttentionDropout = 0.1 }, new Generator(1));
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Randn(new long[] { 4, 3, 32, 32 }, new Generator(2));
        m.Eval();
        Tensor a = m.Forward(x), b = m.Forward(x);
        a.Equal(b).Should().BeTrue();
        m.Train();
        m.Forward(x).Equal(a).Should().BeFalse("training mode drops paths and units");
    }

    [Test]
    public void AFewAdamWStepsReduceTheLoss()
    {
        TorchRuntime.ManualSeed(3);
        using var m = new VisionTransformer(ModelFixtures.SmallVit with { DropPath = 0.1 }, new Generator(1));
        using var g = new Generator(4);
        using Tensor x = Tensor.Randn(new long[] { 16, 3, 32, 32 }, g);
        using Tensor y = Tensor.Randn(new long[] { 16, 4 }, g);
        using Optimizer opt = new AdamWOptions { LearningRate = 1e-3 }.Create(m);
        double first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            using var scope = DisposeScope.Enter();
            opt.ZeroGrad();
            Tensor loss = m.Loss(m.Forward(x), y);
            loss.Backward();
            opt.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        last.Should().BeLessThan(first * 0.5);
    }

    [Test]
    public void TwoHundredTrainingStepsKeepTheLiveTensorCountConstant()
    {
        using var m = new VisionTransformer(ModelFixtures.SmallVit with { DropPath = 0.1, Dropout = 0.1 }, new Generator(1));
        using var g = new Generator(4);
        using Tensor x = Tensor.Randn(new long[] { 4, 3, 32, 32 }, g);
        using Tensor y = Tensor.Randn(new long[] { 4, 4 }, g);
        using Optimizer opt = new AdamWOptions().Create(m);
        long after2 = 0;
        for (int step = 1; step <= 200; step++)
        {
            using (var scope = DisposeScope.Enter())
            {
                opt.ZeroGrad();
                m.Loss(m.Forward(x), y).Backward();
                opt.Step();
            }
            if (step == 2)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                after2 = TorchRuntime.LiveTensorCount;
            }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TorchRuntime.LiveTensorCount.Should().Be(after2);
    }

    [Test]
    public void MultiHeadAttentionRejectsABadMask()
    {
        using var mha = new MultiHeadAttention(12, 3);
        using var scope = DisposeScope.Enter();
        Action bad = () => mha.Forward(Tensor.Zeros(2, 5, 12), Tensor.Ones(2, 4));
        bad.Should().Throw<ArgumentException>().WithMessage("*boolean (batch, tokens) = [2, 5]*");
    }
}
