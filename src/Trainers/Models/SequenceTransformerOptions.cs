using TorchZoo.Trainers.Optimizers;

namespace TorchZoo.Trainers.Models;

/// <summary>A transformer encoder over token ids: vocabulary, longest sequence, and the padding id (masked out of attention and pooling).</summary>
public sealed record SequenceTransformerOptions : TransformerEncoderOptions
{
    /// <summary>Number of distinct token ids (ids are 0 … VocabularySize − 1).</summary>
    public int VocabularySize { get; init => field = OptionChecks.AtLeast(value, 1, nameof(VocabularySize)); } = 1000;

    /// <summary>Longest sequence (learned positions exist for this many tokens, plus the class token).</summary>
    public int MaxLength { get; init => field = OptionChecks.AtLeast(value, 1, nameof(MaxLength)); } = 128;

    /// <summary>The id of padding tokens, or null when sequences are never padded.</summary>
    public int? PaddingId { get; init; } = 0;

    public override void Validate()
    {
        base.Validate();
        if (PaddingId is { } pad && (pad < 0 || pad >= VocabularySize))
            throw new ArgumentException($"PaddingId ({pad}) must be a token id in 0..{VocabularySize - 1}.", nameof(PaddingId));
    }
}
