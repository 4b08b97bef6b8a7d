namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Options of an optimizer that keeps exponential moving averages at the rates β1 (the first moment, its momentum)
/// and β2 (a second moment or a second momentum), each validated in [0, 1). The defaults are the common
/// (0.9, 0.999); an optimizer whose reference differs sets its own in its constructor and says so in its docs.
/// β1 is the momentum a schedule may cycle (<see cref="IMomentumOptions"/>, as one-cycle does).
/// Optimizers that also divide by a root of a second moment take <see cref="AdaptiveMomentOptions"/>.
/// </summary>
public abstract record MomentOptions : OptimizerOptions, IMomentumOptions
{
    /// <summary>β1, the rate of the first-moment (momentum) average. Default 0.9 unless the optimizer's docs say otherwise.</summary>
    public double Beta1 { get; init => field = OptionChecks.Beta(value, nameof(Beta1)); } = 0.9;

    /// <summary>β2, the rate of the second average. Default 0.999 unless the optimizer's docs say otherwise.</summary>
    public double Beta2 { get; init => field = OptionChecks.Beta(value, nameof(Beta2)); } = 0.999;

    double IMomentumOptions.MomentumValue => Beta1;

    OptimizerOptions IMomentumOptions.WithMomentum(double momentum) => this with { Beta1 = momentum };
}

/// <summary>
/// <see cref="MomentOptions"/> of an Adam-style optimizer, which adds ε (&gt; 0) to the denominator of its update
/// (or uses it as a floor there; see the optimizer's docs). Default ε = 1e-8 unless the optimizer's docs say otherwise.
/// </summary>
public abstract record AdaptiveMomentOptions : MomentOptions
{
    /// <summary>ε, the denominator's stabilizer. Default 1e-8 unless the optimizer's docs say otherwise.</summary>
    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;
}
