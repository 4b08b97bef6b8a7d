namespace TorchZoo.Trainers.Training;

/// <summary>A progress report, sent after every optimizer step.</summary>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    long Step,
    long TotalSteps,
    double Loss,
    double LearningRate,
    double SamplesPerSecond,
    TimeSpan Elapsed,
    TimeSpan EstimatedRemaining)
{
    /// <summary>Fraction of the run done, in [0, 1].</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;
}
