using TorchZoo.Extensions.Data;

namespace TorchZoo.Extensions.Core;

/// <summary>Estimators fitted one after the other, each on the previous one's output (ML.NET's EstimatorChain).</summary>
public sealed class EstimatorChain<TLastTransformer> : IEstimator<TransformerChain<TLastTransformer>>
    where TLastTransformer : class, ITransformer
{
    private readonly IReadOnlyList<IEstimator<ITransformer>> estimators;

    internal EstimatorChain(IReadOnlyList<IEstimator<ITransformer>> estimators) => this.estimators = estimators;

    public IReadOnlyList<IEstimator<ITransformer>> Estimators => estimators;

    public EstimatorChain<TNext> Append<TNext>(IEstimator<TNext> next) where TNext : class, ITransformer =>
        new(estimators.Append(next).ToList());

    public TransformerChain<TLastTransformer> Fit(IDataView input)
    {
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var fitted = new List<ITransformer>();
        IDataView current = input;
        foreach (var estimator in estimators)
        {
            ITransformer t = estimator.Fit(current);
            fitted.Add(t);
            current = t.Transform(current);
        }
        return new TransformerChain<TLastTransformer>(fitted);
    }

    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        SchemaShape s = inputSchema;
        foreach (var e in estimators) s = e.GetOutputSchema(s);
        return s;
    }
}

/// <summary>Shorthand <c>a.Append(b)</c> for estimators, as in ML.NET.</summary>
public static class EstimatorExtensions
{
    public static EstimatorChain<TNext> Append<TFirst, TNext>(this IEstimator<TFirst> first, IEstimator<TNext> next)
        where TFirst : class, ITransformer where TNext : class, ITransformer =>
        first is EstimatorChain<TFirst> chain
            ? chain.Append(next)
            : new EstimatorChain<TNext>(new IEstimator<ITransformer>[] { first, next });
}
