using TorchZoo.Torch.NN;

namespace TorchZoo.Torch.Tests;

public class ModuleTests
{
    private DisposeScope scope = null!;

    [SetUp]
    public void OpenScope() => scope = DisposeScope.Enter();

    [TearDown]
    public void CloseScope() => scope.Dispose();

    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block(long width, Generator g)
        {
            Fc = RegisterModule("fc", new Linear(width, width, generator: g));
            Norm = RegisterModule("norm", new LayerNorm(width));
            Drop = RegisterModule("drop", new Dropout(0.5));
        }

        public Linear Fc { get; }
        public LayerNorm Norm { get; }
        public Dropout Drop { get; }

        public override Tensor Forward(Tensor x) => x.Add(Drop.Forward(Fc.Forward(Norm.Forward(x))));
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net(ulong seed)
        {
            var g = new Generator(seed);
            Embed = RegisterParameter("embed", new Parameter(Tensor.Randn(new long[] { 3 }, g)));
            Blocks = RegisterModule("blocks", new ModuleList<Block>(new[] { new Block(3, g), new Block(3, g) }));
            Head = RegisterModule("head", new Sequential(new Linear(3, 4, generator: g), new Gelu(), new Linear(4, 2, bias: false, generator: g)));
        }

        public Parameter Embed { get; }
        public ModuleList<Block> Blocks { get; }
        public Sequential Head { get; }

        public override Tensor Forward(Tensor x)
        {
            Tensor h = x.Add(Embed);
            foreach (Block b in Blocks) h = b.Forward(h);
            return Head.Forward(h);
        }
    }

    private static readonly string[] NetNames =
    {
        "embed",
        "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
        "blocks.1.fc.weight", "blocks.1.fc.bias", "blocks.1.norm.weight", "blocks.1.norm.bias",
        "head.0.weight", "head.0.bias", "head.2.weight",
    };

    private static Dictionary<string, float[]> Snapshot(Module m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToArray<float>());

    private static void ShouldBeUnchanged(Module m, Dictionary<string, float[]> before)
    {
        foreach (var (name, values) in m.StateDict())
            values.ToArray<float>().Should().Equal(before[name], $"'{name}' must not change");
    }

    [Test]
    public void NamedParametersUseStableDottedNames()
    {
        using var net = new Net(1);
        net.NamedParameters().Select(p => p.Name).Should().Equal(NetNames);
        net.StateDict().Keys.Should().BeEquivalentTo(NetNames);
        net.NamedModules().Select(m => m.Name).Should().Equal(
            "", "blocks", "blocks.0", "blocks.0.fc", "blocks.0.norm", "blocks.0.drop",
            "blocks.1", "blocks.1.fc", "blocks.1.norm", "blocks.1.drop", "head", "head.0", "head.1", "head.2");
        // A name resolves to the very tensor the module computes with.
        ReferenceEquals(net.NamedParameters().Single(p => p.Name == "blocks.1.fc.weight").Parameter, net.Blocks[1].Fc.Weight).Should().BeTrue();
        net.ParameterCount.Should().Be(3 + 2 * (9 + 3 + 3 + 3) + 12 + 4 + 8);
    }

    [Test]
    public void StateDictRoundTripGivesIdenticalOutputs()
    {
        using var a = new Net(1);
        using var b = new Net(2);
        a.Eval();
        b.Eval();
        Tensor x = Tensor.Randn(new long[] { 5, 3 }, new Generator(9));
        a.Forward(x).Equal(b.Forward(x)).Should().BeFalse("different seeds must give different models");

        var copies = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
        Parameter weightBefore = b.Blocks[0].Fc.Weight;
        b.LoadStateDict(copies);

        ReferenceEquals(b.Blocks[0].Fc.Weight, weightBefore).Should().BeTrue("loading copies values into the existing parameters");
        b.Blocks[0].Fc.Weight.RequiresGrad.Should().BeTrue();
        b.Forward(x).Equal(a.Forward(x)).Should().BeTrue();
        foreach (var (name, t) in b.StateDict()) t.Equal(a.StateDict()[name]).Should().BeTrue(name);
        // Copies, not aliases: changing the source afterwards leaves b alone.
        copies["embed"].Fill_(7);
        b.Embed.ToArray<float>().Should().NotContain(7f);
    }

    [Test]
    public void LoadStateDictWithAWrongShapeThrowsAndChangesNothing()
    {
        using var a = new Net(1);
        using var b = new Net(2);
        var before = Snapshot(b);
        // Every entry differs from b's values; only the last one (in b's order) has the wrong shape, so a
        // loader that copied as it went would have changed everything before it.
        var state = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
        state["head.2.weight"] = Tensor.Zeros(2, 5);

        Action load = () => b.LoadStateDict(state);
        load.Should().Throw<ArgumentException>()
            .Where(e => e.Message.Contains("head.2.weight") && e.Message.Contains("[2, 5]") && e.Message.Contains("[2, 4]"));
        ShouldBeUnchanged(b, before);
    }

    [Test]
    public void StrictLoadReportsMissingAndUnexpectedKeys()
    {
        using var a = new Net(1);
        using var b = new Net(2);
        var before = Snapshot(b);
        var state = a.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
        state.Remove("blocks.1.norm.bias");
        state["blocks.2.fc.weight"] = Tensor.Zeros(3, 3);

        Action strict = () => b.LoadStateDict(state);
        strict.Should().Throw<ArgumentException>()
            .Where(e => e.Message.Contains("missing blocks.1.norm.bias") && e.Message.Contains("unexpected blocks.2.fc.weight"));
        ShouldBeUnchanged(b, before);

        state.Remove("blocks.2.fc.weight");
        Action onlyMissing = () => b.LoadStateDict(state);
        onlyMissing.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("missing blocks.1.norm.bias") && !e.Message.Contains("unexpected"));
        ShouldBeUnchanged(b, before);

        // Non-strict: what is present loads, what is missing keeps its value.
        state["blocks.2.fc.weight"] = Tensor.Zeros(3, 3);
        b.LoadStateDict(state, strict: false);
        b.Blocks[1].Fc.Weight.Equal(a.Blocks[1].Fc.Weight).Should().BeTrue();
        b.Blocks[1].Norm.Bias!.ToArray<float>().Should().Equal(before["blocks.1.norm.bias"]);
    }

    [Test]
    public void TrainAndEvalSwitchDropout()
    {
        const double p = 0.3;
        const int n = 200_000;
        var drop = new Dropout(p);
        using var seq = new Sequential(new Linear(2, 2), drop);
        Tensor ones = Tensor.Ones(n);

        seq.IsTraining.Should().BeTrue();
        seq.Eval();
        drop.IsTraining.Should().BeFalse("Eval reaches every descendant");
        drop.Forward(ones).Equal(ones).Should().BeTrue("evaluation-mode dropout is the identity");

        seq.Train();
        drop.IsTraining.Should().BeTrue();
        TorchRuntime.ManualSeed(5);
        float[] y = drop.Forward(ones).ToArray<float>();
        float kept = (float)(1 / (1 - p));
        y.Should().OnlyContain(v => v == 0 || Math.Abs(v - kept) < 1e-6);
        double zeroFraction = y.Count(v => v == 0) / (double)n;
        zeroFraction.Should().BeApproximately(p, 0.01);
        // Scaling keeps the expectation: the mean stays near 1.
        y.Average(v => (double)v).Should().BeApproximately(1, 0.02);
    }

    [Test]
    public void ToFloat64ConvertsParametersInPlace()
    {
        using var net = new Net(3);
        net.Eval();
        var before = net.NamedParameters().ToList();
        var values = Snapshot(net);
        Tensor x = Tensor.Randn(new long[] { 4, 3 }, new Generator(4));
        float[] y32 = net.Forward(x).ToArray<float>();

        net.To(ScalarType.Float64).Should().BeSameAs(net);

        var after = net.NamedParameters().ToList();
        for (int i = 0; i < before.Count; i++)
        {
            ReferenceEquals(after[i].Parameter, before[i].Parameter).Should().BeTrue("conversion keeps parameter identity");
            Parameter p = after[i].Parameter;
            p.Dtype.Should().Be(ScalarType.Float64);
            p.RequiresGrad.Should().BeTrue();
            p.IsLeaf.Should().BeTrue();
            p.ToArray<double>().Should().Equal(values[after[i].Name].Select(v => (double)v));
        }
        net.Blocks[0].Fc.Weight.Dtype.Should().Be(ScalarType.Float64, "module properties see the converted tensors");

        Tensor y = net.Forward(x.Double());
        y.Dtype.Should().Be(ScalarType.Float64);
        y.ToArray<double>().Should().Equal(y32.Select(v => (double)v), (a, b) => Math.Abs(a - b) < 1e-5);
        y.Sum().Backward();
        using Tensor g = net.Blocks[0].Fc.Weight.Grad!;
        g.Dtype.Should().Be(ScalarType.Float64);
    }

    [Test]
    public void ToFloat64ConvertsExistingGradients()
    {
        using var linear = new Linear(3, 2, generator: new Generator(5));
        Tensor x = Tensor.FromArray(new float[] { 1, 2, 3 }, 1, 3);
        linear.Forward(x).Sum().Backward();
        float[] grad32 = linear.Weight.Grad!.ToArray<float>();

        linear.To(ScalarType.Float64);
        Tensor grad = linear.Weight.Grad!;
        grad.Dtype.Should().Be(ScalarType.Float64, "a gradient must keep its parameter's dtype");
        grad.ToArray<double>().Should().Equal(grad32.Select(v => (double)v));

        // Accumulation continues in float64.
        linear.Forward(x.Double()).Sum().Backward();
        linear.Weight.Grad!.ToArray<double>().Should().Equal(grad32.Select(v => 2.0 * v));
        linear.Bias!.Grad!.Dtype.Should().Be(ScalarType.Float64);
    }

    [Test]
    public void ZeroGradClearsEveryGradient()
    {
        using var net = new Net(4);
        Tensor x = Tensor.Randn(new long[] { 2, 3 }, new Generator(5));
        net.Eval();
        net.Forward(x).Sum().Backward();
        net.Parameters().Should().OnlyContain(p => p.HasGrad);
        float[] first = net.Head[0].Parameters().First().Grad!.ToArray<float>();

        net.ZeroGrad();
        net.Parameters().Should().OnlyContain(p => !p.HasGrad);

        // The next backward starts from zero rather than accumulating.
        net.Forward(x).Sum().Backward();
        net.Head[0].Parameters().First().Grad!.ToArray<float>().Should().Equal(first);
    }

    [Test]
    public void DefaultInitStaysWithinPyTorchBounds()
    {
        using var linear = new Linear(50, 40, generator: new Generator(6));
        double bound = 1 / Math.Sqrt(50);
        float[] w = linear.Weight.ToArray<float>();
        w.Should().OnlyContain(v => Math.Abs(v) <= bound);
        w.Max(v => Math.Abs(v)).Should().BeGreaterThan((float)(0.95 * bound), "the samples must fill the range, not a smaller one");
        linear.Bias!.ToArray<float>().Should().OnlyContain(v => Math.Abs(v) <= bound);
        // Uniform on ±bound has std bound/√3.
        Std(w).Should().BeApproximately(bound / Math.Sqrt(3), 0.1 * bound);

        using var conv = new Conv2d(3, 8, 5, generator: new Generator(7));
        double convBound = 1 / Math.Sqrt(3 * 5 * 5);
        float[] k = conv.Weight.ToArray<float>();
        k.Should().OnlyContain(v => Math.Abs(v) <= convBound);
        k.Max(v => Math.Abs(v)).Should().BeGreaterThan((float)(0.95 * convBound));
        conv.Bias!.ToArray<float>().Should().OnlyContain(v => Math.Abs(v) <= convBound);

        using var norm = new LayerNorm(4);
        norm.Weight!.ToArray<float>().Should().Equal(1, 1, 1, 1);
        norm.Bias!.ToArray<float>().Should().Equal(0, 0, 0, 0);
    }

    [TestCase(0.5, -1.0, 1.0, 0.5 * 0.87962566)]        // ±2σ: std of the truncated normal is 0.8796σ
    [TestCase(0.02, -2.0, 2.0, 0.02)]                   // default: bounds 100σ away, effectively untruncated
    [TestCase(1.0, -0.5, 0.5, 0.283882)]                // ±0.5σ: nearly uniform on the interval
    public void TruncatedNormalStaysWithinBoundsWithTheRightStd(double std, double a, double b, double expectedStd)
    {
        Tensor t = Tensor.Empty(new long[] { 400, 500 });
        Init.TruncatedNormal_(t, std, a, b, new Generator(8));
        float[] v = t.ToArray<float>();
        v.Should().OnlyContain(x => x >= a && x <= b && float.IsFinite(x));
        Std(v).Should().BeApproximately(expectedStd, 0.01 * expectedStd);
        v.Average(x => (double)x).Should().BeApproximately(0, 0.01 * expectedStd);
    }

    private static double Std(float[] v)
    {
        double mean = v.Average(x => (double)x);
        return Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length);
    }
}
