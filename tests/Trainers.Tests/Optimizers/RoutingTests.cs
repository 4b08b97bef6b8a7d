using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Routing;

namespace TorchZoo.Trainers.Tests.Optimizers;

public class RoutingTests
{
    private sealed class Block : Module
    {
        public Block()
        {
            RegisterModule("norm", new LayerNorm(8));
            RegisterModule("qkv", new Linear(8, 24));
            RegisterModule("proj", new Linear(8, 8, bias: false));
        }
    }

    private sealed class TinyVit : Module
    {
        public TinyVit()
        {
            RegisterModule("patch_embed", new Conv2d(1, 8, 4, stride: 4));
            RegisterParameter("cls_token", new Parameter(Tensor.Zeros(1, 1, 8)));
            RegisterParameter("pos_embed", new Parameter(Tensor.Zeros(1, 5, 8)));
            RegisterModule("stem", new Conv2d(8, 8, 3, padding: 1));
            RegisterModule("blocks", new ModuleList<Block>(new[] { new Block(), new Block() }));
            RegisterModule("token_embedding", new Embedding(10, 8));
            RegisterModule("head", new Linear(8, 3));
        }
    }

    [TestCase("muon")]
    [TestCase("reg")]
    public void HiddenMatricesGoToTheMatrixOptimizerAndTheRestToAdamW(string name)
    {
        using var model = new TinyVit();
        using Optimizer optimizer = OptimizerRegistry.Create(name).Create(model);
        var routes = optimizer.Describe().ToDictionary(a => a.Parameter, a => a.Optimizer);

        string[] matrix = { "stem.weight", "blocks.0.qkv.weight", "blocks.0.proj.weight", "blocks.1.qkv.weight", "blocks.1.proj.weight" };
        string[] fallback =
        {
            "patch_embed.weight", "patch_embed.bias", "cls_token", "pos_embed", "stem.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
            "blocks.0.qkv.bias", "blocks.1.norm.weight", "blocks.1.norm.bias", "blocks.1.qkv.bias", "token_embedding.weight", "head.weight", "head.bias",
        };
        routes.Keys.Should().BeEquivalentTo(matrix.Concat(fallback));
        foreach (string p in matrix) routes[p].Should().Be(name, p);
        foreach (string p in fallback) routes[p].Should().Be("adamw", p);

        var routed = (RoutedOptimizer)optimizer;
        routed.Matrix!.Parameters.Should().HaveCount(matrix.Length);
        routed.Fallback!.Parameters.Should().HaveCount(fallback.Length);
        optimizer.Describe().Single(a => a.Parameter == "stem.weight").Reason.Should().Contain("4-D kernel");
        optimizer.Describe().Single(a => a.Parameter == "blocks.0.norm.weight").Reason.Should().Contain("1-D");
    }

    [Test]
    public void ConvKernelsAreUpdatedAsFlattenedMatrices()
    {
        using var conv = new Conv2d(4, 6, 3);
        using Optimizer optimizer = new MuonOptions { LearningRate = 0.1, WeightDecay = 0 }
            .Create(new[] { new NamedParameter("conv.weight", conv.Weight) });
        using var before = conv.Weight.Clone();
        conv.Weight.Grad = Tensor.Randn(6, 4, 3, 3);
        optimizer.Step();
        // One Muon step from zero momentum moves by lr·s·O with O ≈ orthogonal: its singular values are near 1.
        using var delta = before.Sub(conv.Weight).Reshape(6, -1).Div(0.1 * 0.2 * Math.Sqrt(36));
        var (_, s, _) = Linalg.Svd(delta);
        s.ToArray<float>().Should().OnlyContain(v => v > 0.5f && v < 1.3f);
    }

    [Test]
    public void CustomPatternsRouteNamedParametersToTheFallback()
    {
        using var model = new TinyVit();
        var rules = new RoutingRules { FallbackPatterns = RoutingRules.DefaultFallbackPatterns.Append(@"\.proj\.").ToList() };
        using Optimizer optimizer = new RegOptions { Routing = rules }.Create(model);
        optimizer.Describe().Single(a => a.Parameter == "blocks.1.proj.weight").Optimizer.Should().Be("adamw");
        optimizer.Describe().Single(a => a.Parameter == "blocks.1.qkv.weight").Optimizer.Should().Be("reg");
    }

    [Test]
    public void FallbackOptionsAreTheOnesGiven()
    {
        using var model = new TinyVit();
        var options = new MuonOptions { Fallback = new LionOptions { LearningRate = 3e-5 } };
        using var optimizer = (RoutedOptimizer)options.Create(model);
        optimizer.Fallback!.Name.Should().Be("lion");
        optimizer.Fallback.Groups.Should().OnlyContain(g => g.LearningRate == 3e-5);
    }
}
