using System.Text.Json;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>One committed reference run (tests/golden/optim/*.safetensors, written by make_optimizer_trajectories.py).</summary>
public sealed class GoldenTrajectory : IDisposable
{
    public static string Folder => Path.Combine(TestContext.CurrentContext.TestDirectory, "golden", "optim");

    public static IEnumerable<string> Names() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "golden", "optim"), "*.safetensors")
            .Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal)!;

    private readonly Dictionary<string, Tensor> tensors;

    public GoldenTrajectory(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "golden", "optim", name + ".safetensors");
        var (_, metadata) = SafeTensors.ReadHeader(path);
        tensors = SafeTensors.Load(path);
        foreach (Tensor t in tensors.Values) t.DetachFromDisposeScope();
        Optimizer = metadata["optimizer"];
        OptionsJson = metadata["options"];
        ParameterNames = JsonSerializer.Deserialize<string[]>(metadata["parameters"])!;
        Steps = int.Parse(metadata["steps"]);
        Reference = metadata["reference"];
        UsesClosure = metadata.GetValueOrDefault("closure") == "true";
        LiveProblem = metadata.GetValueOrDefault("live");
        if (metadata.TryGetValue("layers", out string? layers))
            Layers = JsonSerializer.Deserialize<Dictionary<string, string?[]>>(layers)!
                .ToDictionary(kv => kv.Key, kv => (kv.Value[0]!, kv.Value[1]));
    }

    /// <summary>
    /// For K-FAC optimizers (AdaFisher): the problem's Linear layers, name → (weight, bias or null); each step records
    /// every layer's input and output gradient.
    /// </summary>
    public IReadOnlyDictionary<string, (string Weight, string? Bias)>? Layers { get; }

    public Tensor LayerInput(int step, string layer) => tensors[$"step{step}.input.{layer}"];
    public Tensor LayerOutputGradient(int step, string layer) => tensors[$"step{step}.output_grad.{layer}"];

    /// <summary>The reference was driven through a loss closure; each call's parameters, loss and gradients are recorded.</summary>
    public bool UsesClosure { get; }

    /// <summary>Set ("quadratic") when the loss must be evaluated live (Hessian-vector products); the problem data is stored.</summary>
    public string? LiveProblem { get; }

    public bool HasCall(int step, int call) => tensors.ContainsKey($"step{step}.call{call}.loss");
    public Tensor CallParameter(int step, int call, string parameter) => tensors[$"step{step}.call{call}.param.{parameter}"];
    public Tensor CallGradient(int step, int call, string parameter) => tensors[$"step{step}.call{call}.grad.{parameter}"];
    public double CallLoss(int step, int call) => tensors[$"step{step}.call{call}.loss"].ToArray<float>()[0];
    public Tensor ProblemData(string name) => tensors[$"problem.{name}"];

    public string Optimizer { get; }
    public string OptionsJson { get; }
    public string[] ParameterNames { get; }
    public int Steps { get; }
    public string Reference { get; }

    public Tensor Initial(string parameter) => tensors[$"init.{parameter}"];
    public Tensor Gradient(int step, string parameter) => tensors[$"step{step}.grad.{parameter}"];
    public Tensor ParameterAfter(int step, string parameter) => tensors[$"step{step}.param.{parameter}"];

    /// <summary>The registry's options with the recorded overrides applied through the public init setters (so they are validated).</summary>
    public OptimizerOptions BuildOptions() => OptimizerRegistry.Create(Optimizer, OptionsJson);

    /// <summary>Fresh parameters holding the initial values, named as in the reference.</summary>
    public List<NamedParameter> CreateParameters() =>
        ParameterNames.Select(n => new NamedParameter(n, new Parameter(Initial(n).Clone()))).ToList();

    public void Dispose()
    {
        foreach (Tensor t in tensors.Values) t.Dispose();
    }
}
