using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Models;

/// <summary>What a model's head predicts; decides the default loss.</summary>
public enum ModelTask
{
    /// <summary>Logits over classes; loss: cross-entropy against class indices.</summary>
    Classification,

    /// <summary>One or more real targets; loss: mean squared error.</summary>
    Regression,
}

/// <summary>Default losses for <see cref="ModelTask"/>.</summary>
public static class ModelLosses
{
    /// <summary>Cross-entropy (classification, int64 targets) or mean squared error (regression, targets shaped as the output).</summary>
    public static Tensor Loss(ModelTask task, Tensor output, Tensor target) => task switch
    {
        ModelTask.Classification => Functional.CrossEntropy(output, target),
        ModelTask.Regression => Functional.MseLoss(output, target),
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown model task."),
    };
}
