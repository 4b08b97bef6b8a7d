using System.Text.RegularExpressions;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Trainers.Models;

/// <summary>What <see cref="HuggingFaceVit.Load(VisionTransformer, string, Generator?)"/> did besides copying tensors.</summary>
/// <param name="HeadReinitialized">True when the checkpoint's classifier did not fit the model's head, which kept fresh weights.</param>
/// <param name="Notes">One sentence per notable event (re-initialized head, ignored tensors, epsilon advice).</param>
public sealed record HuggingFaceLoadReport(bool HeadReinitialized, IReadOnlyList<string> Notes);

/// <summary>
/// Loads a Hugging Face <c>ViTForImageClassification</c> / <c>ViTModel</c> safetensors checkpoint (google/vit-*) into a
/// <see cref="VisionTransformer"/>: <c>vit.embeddings.*</c> → <c>patch_embed.proj</c>, <c>cls_token</c>, <c>pos_embed</c>;
/// per layer N, query/key/value concatenated into <c>blocks.N.attn.qkv</c>, <c>attention.output.dense</c> → <c>attn.proj</c>,
/// <c>layernorm_before/after</c> → <c>norm1/norm2</c>, <c>intermediate.dense</c> → <c>mlp.fc1</c>, <c>output.dense</c> → <c>mlp.fc2</c>;
/// <c>vit.layernorm</c> → <c>norm</c>; <c>classifier</c> → <c>head</c>. The model must use class-token pooling; Hugging Face
/// ViTs use LayerNorm ε = 1e-12, so build the model with <c>LayerNormEps = 1e-12</c> for identical outputs.
/// </summary>
public static partial class HuggingFaceVit
{
    /// <summary>
    /// Copies the checkpoint at <paramref name="path"/> into <paramref name="model"/>. Every tensor is checked before any is
    /// copied: a missing tensor or a shape that differs (other patch size, width, image size, depth) fails naming the
    /// checkpoint tensor and both shapes. A classifier whose class count differs from the head (or a checkpoint without one)
    /// leaves the head freshly initialized (from <paramref name="generator"/>) and says so in the report.
    /// </summary>
    public static HuggingFaceLoadReport Load(VisionTransformer model, string path, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        Dictionary<string, Tensor> checkpoint = SafeTensors.Load(path);
        try
        {
            return Load(model, checkpoint, path, generator);
        }
        finally
        {
            foreach (Tensor t in checkpoint.Values) t.Dispose();
        }
    }

    /// <summary>As <see cref="Load(VisionTransformer, string, Generator?)"/>, from tensors already in memory (not disposed here).</summary>
    public static HuggingFaceLoadReport Load(VisionTransformer model, IReadOnlyDictionary<string, Tensor> checkpoint, string source = "the checkpoint",
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (model.ClassToken is null)
            throw new ArgumentException("Hugging Face ViT checkpoints need a model with class-token pooling.", nameof(model));
        var notes = new List<string>();
        string prefix = checkpoint.ContainsKey("vit.embeddings.cls_token") ? "vit." : "";
        if (!checkpoint.ContainsKey(prefix + "embeddings.cls_token"))
            throw new ArgumentException($"{source} is not a Hugging Face ViT checkpoint: it has no 'vit.embeddings.cls_token'.");

        var own = model.StateDict();
        var plan = new List<(string Ours, string[] Theirs)>();
        void Map(string ours, params string[] theirs) => plan.Add((ours, theirs.Select(t => prefix + t).ToArray()));
        Map("patch_embed.proj.weight", "embeddings.patch_embeddings.projection.weight");
        Map("patch_embed.proj.bias", "embeddings.patch_embeddings.projection.bias");
        Map("cls_token", "embeddings.cls_token");
        Map("pos_embed", "embeddings.position_embeddings");
        for (int n = 0; n < model.Blocks.Count; n++)
        {
            string hf = $"encoder.layer.{n}.", b = $"blocks.{n}.";
            foreach (string kind in new[] { "weight", "bias" })
            {
                if (own.ContainsKey($"{b}attn.qkv.{kind}"))
                    Map($"{b}attn.qkv.{kind}", $"{hf}attention.attention.query.{kind}", $"{hf}attention.attention.key.{kind}", $"{hf}attention.attention.value.{kind}");
                Map($"{b}attn.proj.{kind}", $"{hf}attention.output.dense.{kind}");
                Map($"{b}norm1.{kind}", $"{hf}layernorm_before.{kind}");
                Map($"{b}norm2.{kind}", $"{hf}layernorm_after.{kind}");
                Map($"{b}mlp.fc1.{kind}", $"{hf}intermediate.dense.{kind}");
                Map($"{b}mlp.fc2.{kind}", $"{hf}output.dense.{kind}");
            }
        }
        Map("norm.weight", "layernorm.weight");
        Map("norm.bias", "layernorm.bias");

        int layers = checkpoint.Keys.Select(k => LayerIndex().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value) + 1).DefaultIfEmpty(0).Max();
        if (layers != model.Blocks.Count)
            throw new ArgumentException($"{source} has {layers} encoder layers but the model has {model.Blocks.Count} blocks (Depth).");

        // Check everything before copying anything.
        foreach (var (ours, theirs) in plan)
        {
            long[] want = own[ours].Shape;
            var parts = new List<long[]>();
            foreach (string t in theirs)
            {
                if (!checkpoint.TryGetValue(t, out Tensor? tensor))
                    throw new ArgumentException($"{source} has no tensor '{t}' (needed for {ours}).");
                parts.Add(tensor.Shape);
            }
            long[] have = parts.Count == 1 ? parts[0] : parts[0].Select((d, i) => i == 0 ? parts.Sum(p => p[0]) : d).ToArray();
            bool partsAgree = parts.All(p => p.Length == parts[0].Length && p.Skip(1).SequenceEqual(parts[0].Skip(1)));
            if (!partsAgree || !have.SequenceEqual(want))
                throw new ArgumentException(
                    $"Tensor '{theirs[0]}' has shape {Tensor.FormatShape(parts[0])} in {source}" +
                    (parts.Count > 1 ? $" (concatenated with key and value: {Tensor.FormatShape(have)})" : "") +
                    $", but the model's {ours} has shape {Tensor.FormatShape(want)}.");
        }

        bool reinitHead = false;
        bool hasHead = checkpoint.TryGetValue("classifier.weight", out Tensor? headWeight) & checkpoint.TryGetValue("classifier.bias", out Tensor? headBias);
        if (!hasHead)
        {
            reinitHead = true;
            notes.Add($"{source} has no classifier: the head ({model.Options.Outputs} outputs) keeps fresh weights.");
        }
        else if (!headWeight!.Shape.SequenceEqual(model.Head.Weight.Shape) || !headBias!.Shape.SequenceEqual(model.Head.Bias!.Shape))
        {
            long[] s = headWeight.Shape;
            if (s.Length != 2 || s[1] != model.Options.Width)
                throw new ArgumentException(
                    $"Tensor 'classifier.weight' has shape {Tensor.FormatShape(s)} in {source}, but the model's head.weight has shape {Tensor.FormatShape(model.Head.Weight.Shape)}.");
            reinitHead = true;
            notes.Add($"The checkpoint's classifier has {s[0]} classes but the model has {model.Options.Outputs} outputs: the head was re-initialized.");
        }
        else
        {
            plan.Add(("head.weight", new[] { "classifier.weight" }));
            plan.Add(("head.bias", new[] { "classifier.bias" }));
        }

        using (Autograd.NoGrad())
        {
            foreach (var (ours, theirs) in plan)
            {
                using var scope = DisposeScope.Enter();
                Tensor source1 = theirs.Length == 1 ? checkpoint[theirs[0]] : Tensor.Cat(theirs.Select(t => checkpoint[t]).ToArray(), 0);
                own[ours].Copy_(source1);
            }
            if (reinitHead)
            {
                Init.TruncatedNormal_(model.Head.Weight, 0.02, -2, 2, generator);
                Init.Zeros_(model.Head.Bias!);
            }
        }

        var used = new HashSet<string>(plan.SelectMany(p => p.Theirs));
        if (hasHead) { used.Add("classifier.weight"); used.Add("classifier.bias"); }
        var ignored = checkpoint.Keys.Where(k => !used.Contains(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (ignored.Count > 0) notes.Add($"Ignored {ignored.Count} tensor(s) the model has no place for: {string.Join(", ", ignored)}.");
        if (Math.Abs(model.Options.LayerNormEps - 1e-12) > 1e-15)
            notes.Add($"Hugging Face ViTs use LayerNorm eps 1e-12; the model uses {model.Options.LayerNormEps:g}, so outputs differ slightly.");
        return new HuggingFaceLoadReport(reinitHead, notes);
    }

    [GeneratedRegex(@"encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerIndex();
}
