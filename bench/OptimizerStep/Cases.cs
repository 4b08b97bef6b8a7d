using System.Text.Json;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Bench.OptimizerStep;

/// <summary>
/// One optimizer to time: our options (fused or not), its target ratio, the PyTorch side it is timed against and the
/// modes that side runs in, and for the hand-written cases the bytes per parameter a step must move at least (reads +
/// writes of float32 buffers by the fused loops; 0 = not known or not memory-bound).
/// </summary>
internal sealed record Case(string Key, string Label, Func<bool, OptimizerOptions> Options, double Target, int BytesPerParameter = 0, string Traffic = "")
{
    /// <summary>Steps dominated by matrix decompositions or Newton–Schulz GEMMs: seconds to a minute each on the CPU, so
    /// they run fewer rounds of one step, against one PyTorch mode.</summary>
    private static readonly HashSet<string> DecompositionBound = new(StringComparer.Ordinal) { "muon", "normuon", "adamuon", "root", "soap", "conda" };

    public bool HasFusedPath => Key is "adamw" or "lion" or "reg" or "adam" or "sgd";

    public bool Heavy => DecompositionBound.Contains(Key);

    /// <summary>Where the PyTorch side's rule comes from (torch.optim, the script, or a golden reference).</summary>
    public string Source { get; init; } = "";

    /// <summary>The PyTorch modes ("single", "foreach") that differ for this case.</summary>
    public IReadOnlyList<string> Modes { get; init; } = new[] { "single", "foreach" };

    /// <summary>The modes a round runs: a decomposition-bound case only the last one (foreach where it exists: the modes
    /// differ only in the AdamW fallback on the 0.14% of parameters that are biases and norms).</summary>
    public IReadOnlyList<string> TimedModes => Heavy ? new[] { Modes[^1] } : Modes;
}

/// <summary>The headline cases written out here, and one case per other registry name from the PyTorch side's golden configurations.</summary>
internal static class Cases
{
    public static readonly Case[] Headline =
    {
        new("adamw", "AdamW", f => new AdamWOptions { Fused = f }, 0.6, 28, "p, g, m, v read; p, m, v written"),
        new("lion", "Lion", f => new LionOptions { WeightDecay = 0.1, Fused = f }, 0.6, 20, "p, g, m read; p, m written"),
        new("reg", "REG", f => new RegOptions { Fused = f, Fallback = new AdamWOptions { Fused = f } }, 0.3, 28,
            "2 passes: g, m → m; g, m, p → p"),
        new("muon", "Muon", f => new MuonOptions { Fallback = new AdamWOptions { Fused = f } }, 1.0, 0, "GEMM-bound (NS5)"),
        new("sgd", "SGD momentum", f => new SgdOptions { LearningRate = 1e-2, Momentum = 0.9, Fused = f }, 1.0, 20,
            "p, g, buf read; p, buf written"),
        new("adam", "Adam", f => new AdamOptions { Fused = f }, 1.0, 28, "p, g, m, v read; p, m, v written"),
    };

    /// <summary>
    /// The cases for <paramref name="names"/> (registry names, in that order), from the PyTorch side's answer to
    /// "cases": a headline case where there is one, else the golden configuration the server picked, with the same
    /// option overrides on our side. A name without a PyTorch version, or whose step needs a loss closure on either
    /// side, goes to <paramref name="excluded"/> with the reason.
    /// </summary>
    public static List<Case> Select(IEnumerable<string> names, JsonElement server, List<(string Name, string Reason)> excluded)
    {
        var result = new List<Case>();
        foreach (string name in names)
        {
            JsonElement entry = default;
            bool known = server.ValueKind == JsonValueKind.Object && server.TryGetProperty(name, out entry);
            Case? headline = Headline.FirstOrDefault(c => c.Key == name);
            if (!known)
            {
                excluded.Add((name, "no PyTorch version: not in torch.optim 1.13 and no configuration in tests/golden/optim_configs_*.py"));
                continue;
            }
            string source = entry.GetProperty("source").GetString()!;
            string[] modes = entry.GetProperty("modes").EnumerateArray().Select(m => m.GetString()!).ToArray();
            if (headline is not null)
            {
                result.Add(headline with { Source = source, Modes = modes });
                continue;
            }
            string overrides = entry.GetProperty("options").GetRawText();
            Func<bool, OptimizerOptions> options = _ => OptimizerRegistry.Create(name, overrides);
            if (entry.GetProperty("closure").GetBoolean() || NeedsClosure(options(true)))
            {
                excluded.Add((name, "its step evaluates the loss through a closure (extra forward/backward passes or Hessian-vector " +
                                    "products), so it cannot be timed on fixed gradients"));
                continue;
            }
            string label = entry.GetProperty("label").GetString()!;
            result.Add(new Case(name, name, options, 1.0) { Source = $"{source} ({label}: {overrides})", Modes = modes });
        }
        return result;
    }

    /// <summary>Our side's word on whether a step needs a loss closure, from an optimizer over one tiny parameter.</summary>
    private static bool NeedsClosure(OptimizerOptions options)
    {
        using var p = new Parameter(Tensor.Zeros(new long[] { 2, 2 }));
        using Optimizer optimizer = options.Create(new[] { new NamedParameter("blocks.0.attn.qkv.weight", p) });
        return optimizer.RequiresClosure;
    }

    /// <summary>tests/golden in the first folder above <paramref name="start"/> that has it, or null.</summary>
    public static string? FindGoldenFolder(string start)
    {
        for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
        {
            string folder = Path.Combine(d.FullName, "tests", "golden");
            if (File.Exists(Path.Combine(folder, "make_optimizer_trajectories.py"))) return folder;
        }
        return null;
    }
}
