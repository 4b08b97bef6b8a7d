using System.Text.RegularExpressions;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Builds the usual parameter groups so users do not hand-write them: weight decay on weights, none on biases,
/// norms and embeddings (timm's and Hugging Face's convention); and layer-wise learning-rate decay.
/// </summary>
public static class ParameterGroups
{
    /// <summary>Default names that get no weight decay besides every tensor of fewer than two dimensions.</summary>
    public static IReadOnlyList<string> DefaultNoDecayPatterns { get; } = new[]
    {
        @"(^|\.)[^.]*norm[^.]*\.", @"(^|\.)[^.]*embed[^.]*(\.|$)", @"(^|\.)(cls_token|class_token|pos_embed)$",
    };

    /// <summary>
    /// Two groups over the trainable parameters of <paramref name="model"/>: "decay" (matrices and kernels) with the
    /// options' weight decay, and "no_decay" (biases, norms, embeddings, tokens: anything 1-D or matching
    /// <paramref name="noDecayPatterns"/>) with weight decay 0. Empty groups are left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroupSpec> DecayAndNoDecay(Module model, OptimizerOptions options, IReadOnlyList<string>? noDecayPatterns = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var patterns = (noDecayPatterns ?? DefaultNoDecayPatterns).Select(p => new Regex(p, RegexOptions.CultureInvariant)).ToList();
        var decay = new List<NamedParameter>();
        var noDecay = new List<NamedParameter>();
        foreach (var (name, p) in model.NamedParameters())
        {
            if (!p.RequiresGrad) continue;
            bool exempt = p.Dim < 2 || patterns.Any(r => r.IsMatch(name));
            (exempt ? noDecay : decay).Add(new NamedParameter(name, p));
        }
        var groups = new List<ParameterGroupSpec>();
        if (decay.Count > 0) groups.Add(new ParameterGroupSpec(decay, options, "decay"));
        if (noDecay.Count > 0) groups.Add(new ParameterGroupSpec(noDecay, options with { WeightDecay = 0 }, "no_decay"));
        return groups;
    }

    /// <summary>
    /// Layer-wise learning-rate decay: the parameters of block i (named <c>{prefix}.i.…</c>) get the learning rate
    /// times <paramref name="decay"/>^(blocks − i); parameters before the blocks get the deepest factor, after them 1.
    /// </summary>
    public static IReadOnlyList<ParameterGroupSpec> LayerwiseDecay(Module model, OptimizerOptions options, double decay, string blockPrefix = "blocks")
    {
        if (decay is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(decay), decay, "The layer-wise decay must be in (0, 1].");
        var block = new Regex($@"^{Regex.Escape(blockPrefix)}\.(\d+)\.", RegexOptions.CultureInvariant);
        var named = model.NamedParameters().Where(p => p.Parameter.RequiresGrad).ToList();
        int blocks = named.Select(p => block.Match(p.Name)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value) + 1).DefaultIfEmpty(0).Max();
        bool seenBlock = false;
        var depth = new List<(NamedParameter Parameter, int Depth)>();
        foreach (var (name, p) in named)
        {
            Match m = block.Match(name);
            int d = m.Success ? int.Parse(m.Groups[1].Value) + 1 : seenBlock ? blocks + 1 : 0;
            seenBlock |= m.Success;
            depth.Add((new NamedParameter(name, p), d));
        }
        return depth.GroupBy(x => x.Depth).OrderBy(g => g.Key).Select(g =>
            new ParameterGroupSpec(g.Select(x => x.Parameter).ToList(),
                options with { LearningRate = options.LearningRate * Math.Pow(decay, Math.Max(0, blocks + 1 - g.Key)) }, $"layer_{g.Key}")).ToList();
    }
}
