using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Trainers.Tests.Models;

public class LoraTests
{
    private static VisionTransformer AdaptedVit(out IReadOnlyDictionary<string, LoraAdapter> adapters, LoraOptions? options = null)
    {
        var model = new VisionTransformer(ModelFixtures.SmallVit, new Generator(1));
        adapters = Lora.Apply(model, options ?? new LoraOptions { Rank = 4, Alpha = 8 }, new Generator(2));
        return model;
    }

    /// <summary>B starts at zero, so the adapters change nothing until trained: give them values.</summary>
    private static void Perturb(Module model, ulong seed)
    {
        using var g = new Generator(seed);
        foreach (var (name, p) in model.NamedParameters().Where(p => p.Name.Contains("lora_B")))
            Init.Normal_(p, 0, 0.05, g);
    }

    [Test]
    public void OnlyTheAdaptersAreTrainableAndTheyTargetTheMatchedLayers()
    {
        using var model = AdaptedVit(out var adapters);
        adapters.Keys.Should().BeEquivalentTo("blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.1.attn.qkv", "blocks.1.attn.proj");
        var trainable = model.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => p.Name).ToList();
        trainable.Should().BeEquivalentTo(adapters.Keys.SelectMany(k => new[] { k + ".lora_A.weight", k + ".lora_B.weight" }));
        model.NamedParameters().Single(p => p.Name == "blocks.0.attn.qkv.lora_A.weight").Parameter.Shape.Should().Equal(4, 48);
        model.NamedParameters().Single(p => p.Name == "blocks.0.attn.qkv.lora_B.weight").Parameter.Shape.Should().Equal(144, 4);

        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Randn(new long[] { 2, 3, 32, 32 }, new Generator(5));
        model.Forward(x).Square().Sum().Backward();
        foreach (var (name, p) in model.NamedParameters())
            (p.Grad is not null).Should().Be(p.RequiresGrad, $"{name} gets a gradient exactly when it is trainable");
    }

    [Test]
    public void TrainableParametersPatternKeepsTheHeadTrainable()
    {
        using var model = AdaptedVit(out _, new LoraOptions { TargetModules = @"mlp\.fc1$", TrainableParameters = @"^head\." });
        model.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => p.Name).Should().BeEquivalentTo(
            "blocks.0.mlp.fc1.lora_A.weight", "blocks.0.mlp.fc1.lora_B.weight", "blocks.1.mlp.fc1.lora_A.weight", "blocks.1.mlp.fc1.lora_B.weight",
            "head.weight", "head.bias");
    }

    [Test]
    public void ANewAdapterChangesNothingAndATrainedOneDoes()
    {
        using var plain = new VisionTransformer(ModelFixtures.SmallVit, new Generator(1));
        using var model = AdaptedVit(out _);
        plain.Eval();
        model.Eval();
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Randn(new long[] { 2, 3, 32, 32 }, new Generator(5));
        ModelGolden.MaxAbsDiff(model.Forward(x), plain.Forward(x)).Should().Be(0);
        Perturb(model, 9);
        ModelGolden.MaxAbsDiff(model.Forward(x), plain.Forward(x)).Should().BeGreaterThan(1e-3);
    }

    [Test]
    public void MergeGivesTheSameOutputsAndUnmergeRestoresTheBaseWeights()
    {
        using var model = AdaptedVit(out var adapters);
        Perturb(model, 9);
        model.Eval();
        using var scope = DisposeScope.Enter();
        Tensor x = Tensor.Randn(new long[] { 3, 3, 32, 32 }, new Generator(5));
        Tensor unmerged = model.Forward(x);
        Tensor baseQkv = model.Blocks[0].Attn.Qkv.Weight.Clone();
        Lora.Merge(model);
        adapters.Values.Should().OnlyContain(a => a.IsMerged);
        ModelGolden.MaxAbsDiff(model.Blocks[0].Attn.Qkv.Weight, baseQkv).Should().BeGreaterThan(1e-4, "merging folds B·A into W");
        ModelGolden.MaxAbsDiff(model.Forward(x), unmerged).Should().BeLessThan(1e-5);
        Lora.Unmerge(model);
        ModelGolden.MaxAbsDiff(model.Blocks[0].Attn.Qkv.Weight, baseQkv).Should().BeLessThan(1e-6);
        ModelGolden.MaxAbsDiff(model.Forward(x), unmerged).Should().BeLessThan(1e-5);
    }

    [Test]
    public void AdaptersSaveAloneAndLoadBack()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lora-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var trained = AdaptedVit(out _);
            Perturb(trained, 9);
            Lora.SaveAdapters(trained, path);
            var (infos, metadata) = TorchZoo.Torch.Serialization.SafeTensors.ReadHeader(path);
            infos.Should().HaveCount(8).And.OnlyContain(i => i.Name.Contains(".lora_A.") || i.Name.Contains(".lora_B."));
            metadata["rank"].Should().Be("4");

            using var fresh = AdaptedVit(out _); // same base weights (same seed), fresh adapters
            trained.Eval();
            fresh.Eval();
            using var scope = DisposeScope.Enter();
            Tensor x = Tensor.Randn(new long[] { 2, 3, 32, 32 }, new Generator(5));
            ModelGolden.MaxAbsDiff(fresh.Forward(x), trained.Forward(x)).Should().BeGreaterThan(1e-3);
            Lora.LoadAdapters(fresh, path);
            ModelGolden.MaxAbsDiff(fresh.Forward(x), trained.Forward(x)).Should().Be(0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void LoadingIntoOtherAdaptersFailsNamingTheMismatch()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lora-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var trained = AdaptedVit(out _);
            Lora.SaveAdapters(trained, path);
            using var other = AdaptedVit(out _, new LoraOptions { TargetModules = @"attn\.qkv" });
            Action load = () => Lora.LoadAdapters(other, path);
            load.Should().Throw<ArgumentException>().WithMessage("*unexpected blocks.0.attn.proj.lora_A.weight*");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void APatternThatMatchesNothingFailsListingTheLayers()
    {
        using var model = new VisionTransformer(ModelFixtures.SmallVit);
        Action apply = () => Lora.Apply(model, new LoraOptions { TargetModules = "nothing" });
        apply.Should().Throw<ArgumentException>().WithMessage("*matches no Linear*blocks.0.attn.qkv*");
        model.Parameters().Should().OnlyContain(p => p.RequiresGrad, "a failed apply freezes nothing");
    }
}
