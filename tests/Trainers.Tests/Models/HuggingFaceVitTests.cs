using TorchZoo.Torch.Serialization;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Trainers.Tests.Models;

/// <summary>A checkpoint with Hugging Face ViT names (written by make_model_fixtures.py) loads onto our ViT.</summary>
public class HuggingFaceVitTests
{
    private static VisionTransformerOptions Options(int outputs = 5, int patch = 8) => new()
    {
        ImageHeight = 32, ImageWidth = 32, Channels = 3, PatchSize = patch, Width = 48, Depth = 2, Heads = 3,
        LayerNormEps = 1e-12, Outputs = outputs, Task = ModelTask.Classification,
    };

    [Test]
    public void LoadsAndMatchesTheHuggingFaceLayoutOutputsAndGradients()
    {
        using var model = new VisionTransformer(Options());
        HuggingFaceLoadReport report = HuggingFaceVit.Load(model, ModelGolden.PathOf("hf_vit"));
        report.HeadReinitialized.Should().BeFalse();
        report.Notes.Should().BeEmpty();
        using var io = SafeTensors.Load(ModelGolden.PathOf("hf_vit_io")).AsDisposable();
        model.Eval();
        using var scope = DisposeScope.Enter();
        Tensor y = model.Forward(io.Value["input"]);
        double diff = ModelGolden.MaxAbsDiff(y, io.Value["output"]);
        TestContext.Out.WriteLine($"hf_vit: max |Δoutput| = {diff:e2}");
        diff.Should().BeLessThan(ModelGolden.OutputTolerance);
        model.Loss(y, io.Value["target"]).Backward();
        // qkv's gradient is the concatenation of query, key and value gradients.
        Tensor qkvGrad = Tensor.Cat(new[] { "query", "key", "value" }.Select(n => io.Value[$"grad.vit.encoder.layer.1.attention.attention.{n}.weight"]).ToArray(), 0);
        ModelGolden.MaxAbsDiff(model.Blocks[1].Attn.Qkv.Weight.Grad!, qkvGrad).Should().BeLessThan(1e-5);
        ModelGolden.MaxAbsDiff(model.Blocks[0].Mlp.Fc2.Weight.Grad!, io.Value["grad.vit.encoder.layer.0.output.dense.weight"]).Should().BeLessThan(1e-5);
    }

    [Test]
    public void AnotherClassCountReinitializesTheHeadAndSaysSo()
    {
        using var model = new VisionTransformer(Options(outputs: 3));
        HuggingFaceLoadReport report = HuggingFaceVit.Load(model, ModelGolden.PathOf("hf_vit"), new Generator(3));
        report.HeadReinitialized.Should().BeTrue();
        report.Notes.Should().ContainSingle(n => n.Contains("5 classes") && n.Contains("3 outputs") && n.Contains("re-initialized"));
        using var checkpoint = SafeTensors.Load(ModelGolden.PathOf("hf_vit")).AsDisposable();
        // The body was loaded all the same.
        ModelGolden.MaxAbsDiff(model.Norm.Weight!, checkpoint.Value["vit.layernorm.weight"]).Should().Be(0);
        ModelGolden.MaxAbsDiff(model.PositionEmbedding, checkpoint.Value["vit.embeddings.position_embeddings"]).Should().Be(0);
    }

    [Test]
    public void AnotherPatchSizeFailsNamingTheTensorAndBothShapes()
    {
        using var model = new VisionTransformer(Options(patch: 4));
        Tensor before = model.Norm.Weight!.Clone().DetachFromDisposeScope();
        Action load = () => HuggingFaceVit.Load(model, ModelGolden.PathOf("hf_vit"));
        load.Should().Throw<ArgumentException>().Which.Message.Should()
            .Contain("vit.embeddings.patch_embeddings.projection.weight").And.Contain("[48, 3, 8, 8]").And.Contain("[48, 3, 4, 4]");
        ModelGolden.MaxAbsDiff(model.Norm.Weight!, before).Should().Be(0, "a failed load changes nothing");
        before.Dispose();
    }

    [Test]
    public void AnotherWidthFailsNamingTheTensor()
    {
        using var model = new VisionTransformer(Options() with { Width = 24 });
        Action load = () => HuggingFaceVit.Load(model, ModelGolden.PathOf("hf_vit"));
        load.Should().Throw<ArgumentException>().WithMessage("*patch_embeddings.projection.weight*[48, 3, 8, 8]*[24, 3, 8, 8]*");
    }

    [Test]
    public void AnotherDepthFails()
    {
        using var model = new VisionTransformer(Options() with { Depth = 3 });
        Action load = () => HuggingFaceVit.Load(model, ModelGolden.PathOf("hf_vit"));
        load.Should().Throw<ArgumentException>().WithMessage("*2 encoder layers*3 blocks*");
    }
}

internal static class DisposableDictionary
{
    public sealed class Holder(Dictionary<string, Tensor> value) : IDisposable
    {
        public Dictionary<string, Tensor> Value { get; } = value;

        public void Dispose()
        {
            foreach (Tensor t in Value.Values) t.Dispose();
        }
    }

    public static Holder AsDisposable(this Dictionary<string, Tensor> tensors) => new(tensors);
}
