using System.Text.RegularExpressions;

namespace TorchZoo.Trainers.Optimizers.Routing;

/// <summary>
/// Which parameters a matrix optimizer (Muon, REG, …) takes: hidden weights with two or more dimensions
/// (conv kernels are treated as (out, in·kh·kw) matrices). Everything with fewer dimensions (biases, norms)
/// and every parameter whose dotted name matches a fallback pattern (embeddings, positional tables, the
/// class token, the output head) goes to the fallback optimizer.
/// </summary>
public sealed record RoutingRules
{
    /// <summary>Default patterns: any name segment containing "embed", and segments named head/heads/lm_head/classifier/cls_token/class_token.</summary>
    public static IReadOnlyList<string> DefaultFallbackPatterns { get; } = new[]
    {
        @"(^|\.)[^.]*embed[^.]*(\.|$)",
        @"(^|\.)(head|heads|lm_head|classifier|cls_token|class_token)(\.|$)",
    };

    /// <summary>Regular expressions matched against the dotted parameter name; a match sends the parameter to the fallback.</summary>
    public IReadOnlyList<string> FallbackPatterns
    {
        get;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(FallbackPatterns));
            foreach (string pattern in value)
            {
                try { _ = new Regex(pattern); }
                catch (ArgumentException e) { throw new ArgumentException($"RoutingRules.FallbackPatterns has an invalid pattern '{pattern}': {e.Message}", nameof(FallbackPatterns)); }
            }
            field = value.ToArray();
        }
    } = DefaultFallbackPatterns;

    /// <summary>Decides where one parameter goes, with the reason shown by <c>Describe()</c>.</summary>
    public (bool ToMatrix, string Reason) Route(string name, long[] shape)
    {
        if (shape.Length < 2) return (false, shape.Length == 0 ? "scalar" : "1-D (bias or norm)");
        foreach (string pattern in FallbackPatterns)
            if (Regex.IsMatch(name, pattern)) return (false, $"name matches '{pattern}'");
        return (true, shape.Length == 2 ? "hidden 2-D weight" : $"{shape.Length}-D kernel as (out, -1) matrix");
    }
}
