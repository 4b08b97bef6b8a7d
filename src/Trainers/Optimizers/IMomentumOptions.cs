namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// Options with a momentum (SGD's μ, Adam's and Lion's β1) that a schedule may cycle, as one-cycle does
/// (<see cref="Schedules.OneCycleSchedule.MomentumFactor"/>).
/// </summary>
public interface IMomentumOptions
{
    /// <summary>The current momentum.</summary>
    double MomentumValue { get; }

    /// <summary>A copy with another momentum.</summary>
    OptimizerOptions WithMomentum(double momentum);
}
