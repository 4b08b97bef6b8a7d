namespace TorchZoo.Trainers.Models;

/// <summary>How an encoder turns its tokens into the one vector its head sees.</summary>
public enum TokenPooling
{
    /// <summary>A learned class token is prepended and its final state feeds the head (ViT, BERT).</summary>
    ClassToken,

    /// <summary>The final states of the content tokens (patches, non-padding positions, features) are averaged; no class token.</summary>
    Mean,
}
