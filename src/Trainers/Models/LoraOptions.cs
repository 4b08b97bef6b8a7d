using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Models;

/// <summary>
/// Low-rank adaptation (Hu et al., arXiv 2106.09685): each targeted Linear W gets ΔW = (α/r)·B·A with A (r × in),
/// B (out × r, zero at start), so the adapted model starts equal to the base one.
/// </summary>
public sealed record LoraOptions
{
    /// <summary>Rank r of the update.</summary>
    public int Rank { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Rank)); } = 8;

    /// <summary>α: the update is scaled by α / r.</summary>
    public double Alpha { get; init => field = OptionChecks.Positive(value, nameof(Alpha)); } = 16;

    /// <summary>Dropout on the adapter's input (training only).</summary>
    public double Dropout
    {
        get;
        init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Dropout), value, "Dropout must be in [0, 1).");
    }

    /// <summary>
    /// Regular expression searched in the dotted names of Linear modules (e.g. <c>blocks.3.attn.qkv</c>); every Linear
    /// it matches gets an adapter. Default: <c>attn\.qkv|attn\.proj</c>.
    /// </summary>
    public string TargetModules { get; init => field = OptionChecks.NotNull(value, nameof(TargetModules)); } = @"attn\.qkv|attn\.proj";

    /// <summary>
    /// Optional regular expression over parameter names that stay trainable besides the adapters (e.g. <c>^head\.</c>
    /// for a new classification head); null freezes every base parameter.
    /// </summary>
    public string? TrainableParameters { get; init; }

    /// <summary>The scale α / r applied to B·A.</summary>
    public double Scaling => Alpha / Rank;
}
