using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Models;

/// <summary>An FT-Transformer over numeric features: one token per feature (Gorishniy et al., arXiv 2106.11959).</summary>
public sealed record TabularTransformerOptions : TransformerEncoderOptions
{
    /// <summary>Number of numeric input features.</summary>
    public int Features { get; init => field = OptionChecks.AtLeast(value, 1, nameof(Features)); } = 8;
}
