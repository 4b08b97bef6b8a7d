using System.Text.RegularExpressions;
using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Coupled Adam (Stollenwerk &amp; Stollenwerk, "Better Embeddings with Coupled Adam", ACL 2025, arXiv 2502.08441):
/// AdamW everywhere, except that the token embedding matrix (vocab × d, matched by <see cref="EmbeddingPattern"/>) uses
/// for every token the second moment averaged over the vocabulary, v̄_j = mean_i v_ij, so all token rows share one
/// adaptive step size per coordinate and the embeddings are not pushed along a common direction (anisotropy).
/// Since the mean commutes with the EMA, only v̄ (a d-vector) is stored: v̄ ← β2v̄ + (1−β2)·mean_i g_i².
/// θ_i ← θ_i(1 − ηλ) − η(m_i/bc1)/(√(v̄/bc2) + ε). Defaults as AdamW: η = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.01.
/// State: 8 bytes/parameter; 4 + 4/vocab for the embedding.
/// </summary>
public sealed record CoupledAdamOptions : AdaptiveMomentOptions
{
    public CoupledAdamOptions()
    {
        LearningRate = 1e-3;
        WeightDecay = 0.01;
    }

    /// <summary>Regular expression on the dotted name of the (tied) token embedding, whose rows are tokens.</summary>
    public string EmbeddingPattern { get; init => field = AdamMiniOptions.CheckedPattern(value, nameof(EmbeddingPattern)); } =
        @"(^|\.)(embed|embedding|embeddings|embed_tokens|tok_embeddings|token_embedding|wte|word_embeddings)\.weight$";

    public override string Name => "coupled_adam";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new CoupledAdam(this, groups);
}

/// <summary>Coupled Adam; see <see cref="CoupledAdamOptions"/>.</summary>
public sealed class CoupledAdam : ParameterwiseOptimizer<CoupledAdamOptions>
{
    private readonly HashSet<Parameter> embeddings = new(ReferenceEqualityComparer.Instance);

    public CoupledAdam(CoupledAdamOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups)
    {
        foreach (ParamGroup g in Groups)
            foreach (NamedParameter p in g.Parameters)
                if (p.Parameter.Dim == 2 && Regex.IsMatch(p.Name, ((CoupledAdamOptions)g.Options).EmbeddingPattern)) embeddings.Add(p.Parameter);
    }

    /// <summary>Whether a parameter is treated as the token embedding.</summary>
    public bool IsCoupled(Parameter parameter) => embeddings.Contains(parameter);

    protected override void Update(ParamGroup group, CoupledAdamOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        double lr = group.LearningRate;
        bool coupled = embeddings.Contains(p);
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta1);
        Tensor v;
        if (coupled)
        {
            v = state.GetOrCreate("exp_avg_sq_coupled", () => Tensor.Zeros(new[] { 1L, p.Size(1) }));
            v.Mul_(o.Beta2).Add_(grad.Square().Mean(0, keepDim: true), 1 - o.Beta2);   // averaged over the vocabulary
        }
        else
        {
            v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
            AdamMoments.UpdateSecond(v, grad, o.Beta2);
        }
        double bc1 = AdamMoments.BiasCorrection(o.Beta1, state.Step);
        double bc2 = AdamMoments.BiasCorrection(o.Beta2, state.Step);
        p.Addcdiv_(m, AdamMoments.Denominator(v, bc2, o.Eps), -lr / bc1);
    }
}
