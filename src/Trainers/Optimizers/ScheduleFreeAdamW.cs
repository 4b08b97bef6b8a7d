using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// An optimizer whose parameters hold different points for training and for evaluation (schedule-free methods).
/// Call <see cref="Train"/> before training steps and <see cref="Eval"/> before evaluating or saving the model.
/// </summary>
public interface ITrainEvalOptimizer
{
    /// <summary>True when the parameters hold the training point (the only mode in which <see cref="Optimizer.Step()"/> is allowed).</summary>
    bool IsTraining { get; }

    /// <summary>Switches the parameters to the training point; does nothing when already training.</summary>
    void Train();

    /// <summary>Switches the parameters to the evaluation point; does nothing when already evaluating.</summary>
    void Eval();
}

/// <summary>
/// Schedule-free AdamW (Defazio et al., "The Road Less Scheduled", arXiv 2405.15682, Algorithm 1 with Adam
/// normalization): no learning-rate schedule; the iterate x is an online weighted average of the base sequence z,
/// and gradients are taken at the interpolation y:
/// <code>
/// y_t = (1−β1)·z_t + β1·x_t                                   the parameters hold y while training
/// v ← β2·v + (1−β2)·g²;  γ_t = η·min(1, t/warmup)·√(1−β2^t)
/// z_{t+1} = z_t − γ_t·g/(√v + ε) − γ_t·λ·y_t                   weight decay at y
/// c_{t+1} = γ_t^p / Σ_{i≤t} γ_i^p  (p = 2);  x_{t+1} = (1−c)·x_t + c·z_{t+1}
/// </code>
/// We keep y (in the parameters) and z, not x, and update y directly with the identity
/// y_{t+1} = lerp(y_t, z_t, c) + γ_t·(β1(1−c) − 1)·d_t (d_t = g/(√v+ε) + λy_t); x = (y − (1−β1)z)/β1 is recovered by
/// <see cref="ScheduleFreeAdamW.Eval"/>. Defaults η = 2.5e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0, no warmup, p = 2.
/// State: 8 bytes per parameter (z and v) plus the mode and one weight sum per parameter.
/// Uncertainty (differences from the official code, which we do not follow): it divides v by bc2 inside the square
/// root instead of putting √bc2 into γ_t (ε scales differently), and weights the average by the largest lr seen so far
/// (and optionally t^r) rather than by γ_t itself.
/// </summary>
public sealed record ScheduleFreeAdamWOptions : OptimizerOptions
{
    public ScheduleFreeAdamWOptions() => LearningRate = 2.5e-3;

    /// <summary>Interpolation β1 between z and x (the "momentum"); in (0, 1) since x is recovered by dividing by it.</summary>
    public double Beta1 { get; init => field = OptionChecks.OpenUnitInterval(value, nameof(Beta1)); } = 0.9;

    public double Beta2 { get; init => field = OptionChecks.Beta(value, nameof(Beta2)); } = 0.999;

    public double Eps { get; init => field = OptionChecks.Positive(value, nameof(Eps)); } = 1e-8;

    /// <summary>Linear warmup of γ over this many steps (0 = none).</summary>
    public int WarmupSteps { get; init => field = OptionChecks.AtLeast(value, 0, nameof(WarmupSteps)); }

    /// <summary>The power p of γ_t in the averaging weights (the paper uses 2).</summary>
    public double WeightLrPower { get; init => field = OptionChecks.NonNegative(value, nameof(WeightLrPower)); } = 2;

    public override string Name => "schedulefree_adamw";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new ScheduleFreeAdamW(this, groups);
}

/// <summary>Schedule-free AdamW; see <see cref="ScheduleFreeAdamWOptions"/>. Starts in training mode.</summary>
public sealed class ScheduleFreeAdamW : ParameterwiseOptimizer<ScheduleFreeAdamWOptions>, ITrainEvalOptimizer
{
    public ScheduleFreeAdamW(ScheduleFreeAdamWOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    public bool IsTraining { get; private set; } = true;

    public override void Step()
    {
        if (!IsTraining)
            throw new InvalidOperationException("ScheduleFreeAdamW.Step() was called in eval mode: call Train() before training steps (the parameters hold the evaluation point x).");
        base.Step();
    }

    protected override void Update(ParamGroup group, ScheduleFreeAdamWOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        long t = state.Step;
        Tensor z = state.GetOrCreate("z", () => p.Detach().Clone());
        Tensor v = state.GetOrCreate("exp_avg_sq", () => p.ZerosLike());
        AdamMoments.UpdateSecond(v, grad, o.Beta2);

        double warmup = o.WarmupSteps == 0 ? 1 : Math.Min(1.0, (double)t / o.WarmupSteps);
        double gamma = group.LearningRate * warmup * Math.Sqrt(AdamMoments.BiasCorrection(o.Beta2, t));
        double weight = Math.Pow(gamma, o.WeightLrPower);
        double weightSum = state.GetScalar("weight_sum") + weight;
        state.SetScalar("weight_sum", weightSum);
        double c = weightSum > 0 ? weight / weightSum : 0;

        Tensor d = grad.Div(v.Sqrt().Add_(o.Eps));
        if (o.WeightDecay != 0) d.Add_(p, o.WeightDecay);
        p.Lerp_(z, c).Add_(d, gamma * (o.Beta1 * (1 - c) - 1));
        z.Sub_(d, gamma);
    }

    /// <summary>Parameters ← y = (1−β1)·z + β1·x (the point where gradients are taken).</summary>
    public void Train() => Switch(training: true);

    /// <summary>Parameters ← x = (y − (1−β1)·z)/β1 (the averaged iterate, for evaluation and saving).</summary>
    public void Eval() => Switch(training: false);

    private void Switch(bool training)
    {
        if (IsTraining == training) return;
        using var noGrad = Autograd.NoGrad();
        foreach (var (group, p, state) in Entries())
        {
            if (!state.TryGet("z", out Tensor z)) continue; // never stepped: x = y = z already
            double beta1 = ((ScheduleFreeAdamWOptions)group.Options).Beta1;
            p.Lerp_(z, training ? 1 - beta1 : 1 - 1 / beta1);
        }
        IsTraining = training;
    }

    public override OptimizerState StateDict()
    {
        OptimizerState state = base.StateDict();
        state.Scalars["train_mode"] = IsTraining ? 1 : 0;
        return state;
    }

    /// <summary>Restores the state including the mode; the parameters must come from the same checkpoint (they hold y or x accordingly).</summary>
    public override void LoadStateDict(OptimizerState state)
    {
        base.LoadStateDict(state);
        IsTraining = state.Scalars.GetValueOrDefault("train_mode", 1) != 0;
    }
}
