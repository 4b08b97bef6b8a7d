using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Models;

namespace TorchZoo.Trainers.Tests.Optimizers;

public class ParameterGroupsTests
{
    [Test]
    public void BiasesNormsEmbeddingsAndTokensGetNoWeightDecay()
    {
        using var vit = new VisionTransformer(VisionTransformerOptions.Micro with { Width = 16, Depth = 2, Heads = 2 });
        var groups = ParameterGroups.DecayAndNoDecay(vit, new AdamWOptions { WeightDecay = 0.05 });
        groups.Select(g => g.Name).Should().Equal("decay", "no_decay");
        var decay = groups[0].Parameters.Select(p => p.Name).ToList();
        var noDecay = groups[1].Parameters.Select(p => p.Name).ToList();
        decay.Should().Contain("blocks.0.attn.qkv.weight").And.Contain("blocks.1.mlp.fc2.weight").And.Contain("head.weight");
        noDecay.Should().Contain("cls_token").And.Contain("pos_embed").And.Contain("blocks.0.norm1.weight").And.Contain("blocks.0.attn.qkv.bias")
            .And.Contain("patch_embed.proj.weight", "the patch embedding matches the embed pattern");
        decay.Should().NotContain(n => n.Contains("norm") || n.EndsWith(".bias"));
        groups[0].Options!.WeightDecay.Should().Be(0.05);
        groups[1].Options!.WeightDecay.Should().Be(0);
        (decay.Count + noDecay.Count).Should().Be(vit.NamedParameters().Count());

        using Optimizer adamw = new AdamWOptions { WeightDecay = 0.05 }.Create(groups);
        adamw.Groups.Select(g => g.WeightDecay).Should().Equal(0.05, 0.0);
    }

    [Test]
    public void LayerwiseDecayScalesDeeperBlocksLess()
    {
        using var vit = new VisionTransformer(VisionTransformerOptions.Micro with { Width = 16, Depth = 3, Heads = 2 });
        var groups = ParameterGroups.LayerwiseDecay(vit, new AdamWOptions { LearningRate = 1.0 }, decay: 0.5);
        double Lr(string name) => groups.Single(g => g.Parameters.Any(p => p.Name == name)).Options!.LearningRate;
        Lr("head.weight").Should().Be(1.0);
        Lr("blocks.2.attn.qkv.weight").Should().Be(0.5);
        Lr("blocks.0.attn.qkv.weight").Should().Be(0.125);
        Lr("cls_token").Should().Be(0.0625, "parameters before the blocks get the deepest factor");
    }
}
