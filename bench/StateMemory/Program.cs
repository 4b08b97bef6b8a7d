// Optimizer state memory: bytes of optimizer state per parameter for every registered optimizer (reference defaults,
// after two steps with random gradients), on a ViT-B-sized parameter set and on the chirp ViT, next to AdamW's 8.
// Run: dotnet run -c Release --project bench/StateMemory [-- --only vit-b|chirp] [--optimizers name,name,...]
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers;

string? only = null;
HashSet<string>? chosen = null;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--only") only = args[i + 1];
    else if (args[i] == "--optimizers") chosen = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
    else
    {
        Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --only vit-b|chirp, --optimizers name,name,...");
        return 2;
    }
}
if (args.Length % 2 != 0)
{
    Console.Error.WriteLine($"'{args[^1]}' needs a value.");
    return 2;
}
var sets = new List<(string Name, string Description, List<(string Name, long[] Shape)> Shapes, int Heads)>
{
    ("vit-b", "ViT-B encoder blocks: 12 × {qkv 2304×768, proj 768×768, fc1 3072×768, fc2 768×3072} + biases and norms", VitB(), 12),
    ("chirp", "chirp ViT: 64×64×1 input, patch 8, width 192, depth 6, 3 heads, MLP 768, head 192→256→3", Chirp(), 3),
};
TorchRuntime.NumThreads = Environment.ProcessorCount;
foreach (var set in sets.Where(s => only is null || s.Name == only))
{
    long count = set.Shapes.Sum(s => s.Shape.Aggregate(1L, (a, b) => a * b));
    Console.WriteLine($"## {set.Description}");
    Console.WriteLine();
    Console.WriteLine($"{set.Shapes.Count} tensors, {count:N0} parameters.");
    Console.WriteLine();
    Console.WriteLine("| Optimizer | State bytes | Bytes / parameter | vs AdamW (8) |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var (label, options) in Candidates(set.Heads, chosen))
    {
        long bytes = Measure(options, set.Shapes);
        double perParameter = (double)bytes / count;
        Console.WriteLine($"| {label} | {bytes:N0} | {perParameter:F3} | {perParameter / 8:P1} |");
    }
    Console.WriteLine();
}
return 0;

static IEnumerable<(string Label, OptimizerOptions Options)> Candidates(int heads, HashSet<string>? chosen)
{
    foreach (string name in OptimizerRegistry.Names.Where(n => chosen is null || chosen.Contains(n)))
    {
        OptimizerOptions o = OptimizerRegistry.Create(name);
        if (o is AdamMiniOptions mini)
        {
            yield return ("adam_mini (HeadCount " + heads + ")", mini with { HeadCount = heads });
            continue;
        }
        yield return (name, o);
        if (o is AdamWOptions adamw)
            yield return ("adamw, StateDtype = Int8Blockwise", adamw with { StateDtype = OptimizerStateDtype.Int8Blockwise });
        if (o is LionOptions lion)
            yield return ("lion, StateDtype = Int8Blockwise", lion with { StateDtype = OptimizerStateDtype.Int8Blockwise });
        if (o is MuonOptions muon)
            yield return ("muon, StateDtype = Int8Blockwise", muon with { StateDtype = OptimizerStateDtype.Int8Blockwise });
    }
}

static long Measure(OptimizerOptions options, List<(string Name, long[] Shape)> shapes)
{
    using var generator = new Generator(1);
    List<NamedParameter> parameters;
    using (DisposeScope.Enter())
        parameters = shapes.Select(s => new NamedParameter(s.Name, new Parameter(Tensor.Randn(s.Shape, generator).Mul_(0.02)))).ToList();
    try
    {
        using Optimizer optimizer = options.Create(parameters);
        for (int step = 0; step < 2; step++)
        {
            foreach (var (_, p) in parameters)
            {
                using var scope = DisposeScope.Enter();
                p.Grad = Tensor.Randn(p.Shape, generator).Mul_(1e-3);   // the parameter keeps its own reference
            }
            optimizer.Step();
        }
        return optimizer.StateBytes;
    }
    finally
    {
        foreach (var (_, p) in parameters)
        {
            p.Grad = null;
            p.Dispose();
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}

static List<(string, long[])> VitB()
{
    var shapes = new List<(string, long[])>();
    for (int i = 0; i < 12; i++)
    {
        string b = $"blocks.{i}.";
        shapes.Add((b + "norm1.weight", new long[] { 768 }));
        shapes.Add((b + "norm1.bias", new long[] { 768 }));
        shapes.Add((b + "attn.qkv.weight", new long[] { 2304, 768 }));
        shapes.Add((b + "attn.qkv.bias", new long[] { 2304 }));
        shapes.Add((b + "attn.proj.weight", new long[] { 768, 768 }));
        shapes.Add((b + "attn.proj.bias", new long[] { 768 }));
        shapes.Add((b + "norm2.weight", new long[] { 768 }));
        shapes.Add((b + "norm2.bias", new long[] { 768 }));
        shapes.Add((b + "mlp.fc1.weight", new long[] { 3072, 768 }));
        shapes.Add((b + "mlp.fc1.bias", new long[] { 3072 }));
        shapes.Add((b + "mlp.fc2.weight", new long[] { 768, 3072 }));
        shapes.Add((b + "mlp.fc2.bias", new long[] { 768 }));
    }
    return shapes;
}

static List<(string, long[])> Chirp()
{
    const long width = 192, mlp = 4 * width, tokens = (64 / 8) * (64 / 8) + 1;
    var shapes = new List<(string, long[])>
    {
        ("patch_embed.proj.weight", new long[] { width, 1, 8, 8 }),
        ("patch_embed.proj.bias", new long[] { width }),
        ("cls_token", new long[] { 1, 1, width }),
        ("pos_embed", new long[] { 1, tokens, width }),
    };
    for (int i = 0; i < 6; i++)
    {
        string b = $"blocks.{i}.";
        shapes.Add((b + "norm1.weight", new[] { width }));
        shapes.Add((b + "norm1.bias", new[] { width }));
        shapes.Add((b + "attn.qkv.weight", new[] { 3 * width, width }));
        shapes.Add((b + "attn.qkv.bias", new[] { 3 * width }));
        shapes.Add((b + "attn.proj.weight", new[] { width, width }));
        shapes.Add((b + "attn.proj.bias", new[] { width }));
        shapes.Add((b + "norm2.weight", new[] { width }));
        shapes.Add((b + "norm2.bias", new[] { width }));
        shapes.Add((b + "mlp.fc1.weight", new[] { mlp, width }));
        shapes.Add((b + "mlp.fc1.bias", new[] { mlp }));
        shapes.Add((b + "mlp.fc2.weight", new[] { width, mlp }));
        shapes.Add((b + "mlp.fc2.bias", new[] { width }));
    }
    shapes.Add(("norm.weight", new[] { width }));
    shapes.Add(("norm.bias", new[] { width }));
    shapes.Add(("head.0.weight", new[] { 256L, width }));
    shapes.Add(("head.0.bias", new[] { 256L }));
    shapes.Add(("head.2.weight", new[] { 3L, 256 }));
    shapes.Add(("head.2.bias", new[] { 3L }));
    return shapes;
}
