using System.Text.Json;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Trainers.Tests.Models;

/// <summary>One committed PyTorch reference (tests/golden/models/*.safetensors, written by make_model_fixtures.py).</summary>
public sealed class ModelGolden : IDisposable
{
    public const double OutputTolerance = 1e-5;
    public const double GradientRtol = 1e-4;
    // Gradients that are ~0 in PyTorch compare on an absolute floor: float32 sums of O(1) terms leave ~1e-7 residues.
    public const double GradientAtol = 1e-6;

    private ModelGolden(string name, Dictionary<string, Tensor> tensors, JsonElement config)
    {
        Name = name;
        Tensors = tensors;
        Config = config;
    }

    public string Name { get; }
    public Dictionary<string, Tensor> Tensors { get; }
    public JsonElement Config { get; }

    public static string PathOf(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "golden", "models", name + ".safetensors");

    public static ModelGolden Load(string name)
    {
        string path = PathOf(name);
        var (_, metadata) = SafeTensors.ReadHeader(path);
        var config = JsonDocument.Parse(metadata["config"]).RootElement.Clone();
        return new ModelGolden(name, SafeTensors.Load(path), config);
    }

    public int Int(string key) => Config.GetProperty(key).GetInt32();
    public double Double(string key) => Config.GetProperty(key).GetDouble();
    public string String(string key) => Config.GetProperty(key).GetString()!;

    /// <summary>The reference weights, under the model's names (the "param." prefix removed).</summary>
    public Dictionary<string, Tensor> Parameters() =>
        Tensors.Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["param.".Length..], kv => kv.Value);

    /// <summary>
    /// Loads the weights into <paramref name="model"/> (eval mode), runs the input, compares output and loss to 1e-5,
    /// backpropagates and compares every gradient (rtol 1e-4). Returns the largest absolute differences.
    /// </summary>
    public (double Output, double Gradient) CheckParity(Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss)
    {
        model.LoadStateDict(Parameters());
        model.Eval();
        using var scope = DisposeScope.Enter();
        Tensor y = model.Forward(Tensors["input"]);
        double outDiff = MaxAbsDiff(y, Tensors["output"]);
        outDiff.Should().BeLessThan(OutputTolerance, $"{Name}: outputs must match PyTorch");
        Tensor l = loss(y, Tensors["target"]);
        Math.Abs(l.Item() - Tensors["loss"].Item()).Should().BeLessThan(OutputTolerance, $"{Name}: the loss must match PyTorch");
        model.ZeroGrad();
        l.Backward();
        double gradDiff = 0;
        foreach (var (name, p) in model.NamedParameters())
        {
            Tensor expected = Tensors["grad." + name];
            Tensor got = p.Grad ?? throw new AssertionException($"{Name}: {name} has no gradient");
            gradDiff = Math.Max(gradDiff, MaxAbsDiff(got, expected));
            Tensor excess = got.Sub(expected).Abs().Sub(expected.Abs().Mul(GradientRtol).Add(GradientAtol));
            excess.Max().Item().Should().BeLessThanOrEqualTo(0, $"{Name}: the gradient of {name} must match PyTorch (rtol {GradientRtol})");
        }
        TestContext.Out.WriteLine($"{Name}: max |Δoutput| = {outDiff:e2}, max |Δgrad| = {gradDiff:e2}");
        return (outDiff, gradDiff);
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = DisposeScope.Enter();
        a.Shape.Should().Equal(b.Shape);
        return a.Sub(b).Abs().Max().Item();
    }

    public void Dispose()
    {
        foreach (Tensor t in Tensors.Values) t.Dispose();
    }
}
