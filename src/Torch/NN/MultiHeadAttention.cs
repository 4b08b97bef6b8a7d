namespace TorchZoo.Torch.NN;

/// <summary>
/// Multi-head self-attention over (B, N, D) tokens with one fused projection: <c>qkv</c> (D → 3D, rows ordered
/// q, k, v, each head-major as timm's), scaled dot-product attention per head, and the output projection
/// <c>proj</c> (D → D). Without a mask or attention dropout, <see cref="Functional.PackedSelfAttention"/> works on the
/// qkv product directly; otherwise queries, keys and values are views of it (no split copies).
/// </summary>
public sealed class MultiHeadAttention : Module<Tensor, Tensor>
{
    public MultiHeadAttention(long dim, long heads, bool qkvBias = true, double attentionDropout = 0, Generator? generator = null)
    {
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), dim, "Attention width must be positive.");
        if (heads <= 0 || dim % heads != 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"The head count must divide the width {dim}.");
        if (attentionDropout is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(attentionDropout), attentionDropout, "Attention dropout must be in [0, 1).");
        Dim = dim;
        Heads = heads;
        AttentionDropout = attentionDropout;
        try
        {
            Qkv = RegisterModule("qkv", new Linear(dim, 3 * dim, qkvBias, generator));
            Proj = RegisterModule("proj", new Linear(dim, dim, true, generator));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public long Dim { get; }
    public long Heads { get; }
    public long HeadDim => Dim / Heads;
    public double AttentionDropout { get; }

    /// <summary>The fused query/key/value projection (weight 3D × D).</summary>
    public Linear Qkv { get; }

    /// <summary>The output projection (weight D × D).</summary>
    public Linear Proj { get; }

    public override Tensor Forward(Tensor input) => Forward(input, null);

    /// <summary>
    /// Self-attention of (B, N, D) <paramref name="input"/>. <paramref name="keyMask"/>, if given, is a boolean (B, N)
    /// tensor that is true for tokens that may be attended to (false for padding).
    /// </summary>
    public Tensor Forward(Tensor input, Tensor? keyMask)
    {
        long[] shape = input.Shape;
        if (shape.Length != 3 || shape[2] != Dim)
            throw new ArgumentException($"MultiHeadAttention expects (batch, tokens, {Dim}) input, got {Tensor.FormatShape(shape)}.", nameof(input));
        long b = shape[0], n = shape[1];
        Tensor qkv = Qkv.Forward(input);
        double dropout = IsTraining ? AttentionDropout : 0;
        if (keyMask is null && dropout == 0)
            return Proj.Forward(Functional.PackedSelfAttention(qkv, Heads)); // heads in parallel, no split or merge copies
        // (B, N, 3, H, hd) → (3, B, H, N, hd): views only.
        Tensor heads = qkv.View(b, n, 3, Heads, HeadDim).Permute(2, 0, 3, 1, 4);
        Tensor q = heads.Select(0, 0), k = heads.Select(0, 1), v = heads.Select(0, 2);
        Tensor? mask = null;
        if (keyMask is not null)
        {
            long[] m = keyMask.Shape;
            if (m.Length != 2 || m[0] != b || m[1] != n || keyMask.Dtype != ScalarType.Bool)
                throw new ArgumentException($"The key mask must be a boolean (batch, tokens) = [{b}, {n}] tensor, got {keyMask.Dtype} {Tensor.FormatShape(m)}.", nameof(keyMask));
            mask = keyMask.View(b, 1, 1, n);
        }
        Tensor attended = Functional.ScaledDotProductAttention(q, k, v, mask, dropout);
        // (B, H, N, hd) → (B, N, D): one copy, then the output projection.
        Tensor merged = attended.Transpose(1, 2).Reshape(b, n, Dim);
        return Proj.Forward(merged);
    }
}
