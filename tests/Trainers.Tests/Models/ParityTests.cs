using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Trainers.Tests.Models;

/// <summary>Our models with PyTorch's weights give PyTorch's outputs (1e-5) and gradients (rtol 1e-4), in eval mode.</summary>
public class ParityTests
{
    private static VisionTransformerOptions VitOptions(ModelGolden g, PatchEmbeddingKind kind) => new()
    {
        ImageHeight = g.Int("height"), ImageWidth = g.Int("width_px"), Channels = g.Int("channels"), PatchSize = g.Int("patch"),
        Width = g.Int("width"), Depth = g.Int("depth"), Heads = g.Int("heads"), MlpRatio = g.Double("mlp_ratio"),
        LayerNormEps = g.Double("eps"), Outputs = g.Int("outputs"),
        Pooling = g.String("pooling") == "cls" ? TokenPooling.ClassToken : TokenPooling.Mean,
        Task = g.String("pooling") == "cls" ? ModelTask.Classification : ModelTask.Regression,
        PatchEmbedding = kind,
    };

    [TestCase("vit_square_cls", PatchEmbeddingKind.Convolution)]
    [TestCase("vit_square_cls", PatchEmbeddingKind.UnfoldLinear)]
    [TestCase("vit_rect_mean", PatchEmbeddingKind.Convolution)]
    [TestCase("vit_rect_mean", PatchEmbeddingKind.UnfoldLinear)]
    [TestCase("vit_stem_mean", PatchEmbeddingKind.ConvolutionalStem)]
    public void VisionTransformerMatchesPyTorch(string name, PatchEmbeddingKind kind)
    {
        using var g = ModelGolden.Load(name);
        using var model = new VisionTransformer(VitOptions(g, kind));
        model.StateDict().Keys.Should().BeEquivalentTo(g.Parameters().Keys, "the names must be the timm-like scheme");
        g.CheckParity(model, model.Loss);
    }

    [TestCase("seq_cls")]
    [TestCase("seq_mean")]
    public void SequenceTransformerMatchesPyTorch(string name)
    {
        using var g = ModelGolden.Load(name);
        bool cls = g.String("pooling") == "cls";
        using var model = new SequenceTransformer(new SequenceTransformerOptions
        {
            VocabularySize = g.Int("vocab"), MaxLength = g.Int("max_length"), PaddingId = g.Int("padding_id"),
            Width = g.Int("width"), Depth = g.Int("depth"), Heads = g.Int("heads"), MlpRatio = g.Double("mlp_ratio"),
            LayerNormEps = g.Double("eps"), Outputs = g.Int("outputs"),
            Pooling = cls ? TokenPooling.ClassToken : TokenPooling.Mean,
            Task = cls ? ModelTask.Classification : ModelTask.Regression,
        });
        g.CheckParity(model, model.Loss);
    }

    [Test]
    public void PaddingChangesNothingButIsNotAttended()
    {
        // Changing the embedding of the padding id must not change any output: padding is masked everywhere.
        using var g = ModelGolden.Load("seq_mean");
        using var model = new SequenceTransformer(new SequenceTransformerOptions
        {
            VocabularySize = g.Int("vocab"), MaxLength = g.Int("max_length"), PaddingId = 0, Width = g.Int("width"),
            Depth = g.Int("depth"), Heads = g.Int("heads"), LayerNormEps = g.Double("eps"), Outputs = g.Int("outputs"), Pooling = TokenPooling.Mean,
        });
        model.LoadStateDict(g.Parameters());
        model.Eval();
        using var scope = DisposeScope.Enter();
        Tensor before = model.Forward(g.Tensors["input"]);
        using (Autograd.NoGrad()) model.TokenEmbedding.Weight[0].Fill_(5);
        Tensor after = model.Forward(g.Tensors["input"]);
        ModelGolden.MaxAbsDiff(before, after).Should().BeLessThan(1e-6);
    }

    [Test]
    public void TabularTransformerMatchesPyTorch()
    {
        using var g = ModelGolden.Load("tabular_cls");
        using var model = new TabularTransformer(new TabularTransformerOptions
        {
            Features = g.Int("features"), Width = g.Int("width"), Depth = g.Int("depth"), Heads = g.Int("heads"),
            MlpRatio = g.Double("mlp_ratio"), LayerNormEps = g.Double("eps"), Outputs = g.Int("outputs"), Task = ModelTask.Regression,
        });
        g.CheckParity(model, model.Loss);
    }

    [Test]
    public void MlpMatchesPyTorch()
    {
        using var g = ModelGolden.Load("mlp_gelu");
        using var model = new MultilayerPerceptron(new MlpOptions
        {
            Inputs = g.Int("inputs"),
            HiddenSizes = g.Config.GetProperty("hidden").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            Activation = Activation.Gelu, Outputs = g.Int("outputs"),
        });
        g.CheckParity(model, model.Loss);
    }
}
