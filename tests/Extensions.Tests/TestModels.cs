using System.Text.Json.Nodes;
using TorchZoo.Extensions.Trainers;
using TorchZoo.Torch.NN;

namespace TorchZoo.Extensions.Tests;

/// <summary>A small flatten → Linear → GELU → Linear network as a model spec, for pipeline tests.</summary>
public sealed record TinyMlpSpec(int Hidden = 32) : IModelSpec
{
    public const string KindName = "test.tiny-mlp";

    static TinyMlpSpec() => ModelSpecRegistry.Register(KindName, j => new TinyMlpSpec(j["hidden"]!.GetValue<int>()));

    public static void EnsureRegistered() { }

    public string Kind => KindName;

    public JsonObject ToJson() => new() { ["hidden"] = Hidden };

    public Module<Tensor, Tensor> Create(IReadOnlyList<int> inputShape, int outputs) =>
        new Net(inputShape.Aggregate(1, (a, b) => a * b), Hidden, outputs);

    private sealed class Net : Module<Tensor, Tensor>
    {
        private readonly Linear fc1, fc2;

        public Net(int inputs, int hidden, int outputs)
        {
            fc1 = RegisterModule("fc1", new Linear(inputs, hidden));
            fc2 = RegisterModule("fc2", new Linear(hidden, outputs));
        }

        public override Tensor Forward(Tensor x) => fc2.Forward(fc1.Forward(x.Flatten(1)).Gelu());
    }
}

/// <summary>Rows of a synthetic problem: y = 2·x0 − x1 + 0.5 (plus a second target), and a class by quadrant.</summary>
public sealed class Example
{
    [VectorType(2)] public float[] Features { get; set; } = Array.Empty<float>();
    public float Label { get; set; }
    [VectorType(2)] public float[] Targets { get; set; } = Array.Empty<float>();
    public string Quadrant { get; set; } = "";
    public bool Positive { get; set; }

    public static List<Example> Make(int n, int seed)
    {
        var r = new Random(seed);
        var rows = new List<Example>();
        for (int i = 0; i < n; i++)
        {
            float a = (float)(r.NextDouble() * 2 - 1), b = (float)(r.NextDouble() * 2 - 1);
            rows.Add(new Example
            {
                Features = new[] { a, b },
                Label = 2 * a - b + 0.5f,
                Targets = new[] { 2 * a - b + 0.5f, 10 * a * b },
                Quadrant = (a >= 0 ? "E" : "W") + (b >= 0 ? "N" : "S"),
                Positive = a + b > 0,
            });
        }
        return rows;
    }
}

public sealed class Prediction
{
    public float Score { get; set; }
}

public sealed class VectorPrediction
{
    [VectorType(2)] public float[] Score { get; set; } = Array.Empty<float>();
}
