using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>Save after N steps, load into a fresh optimizer over cloned weights, continue in lockstep: bitwise equal.</summary>
public class ResumeTests
{
    [TestCaseSource(typeof(OptimizerCatalog), nameof(OptimizerCatalog.Names))]
    public void ResumesBitwiseIdentically(string name)
    {
        TorchRuntime.NumThreads = 1;
        using var original = new TinyRegression();
        OptimizerOptions options = OptimizerRegistry.Create(name);
        using Optimizer first = options.Create(original.Model);
        for (int i = 0; i < 5; i++)
        {
            original.TrainStep(first);
        }

        string path = Path.Combine(Path.GetTempPath(), $"tz-resume-{name}-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (OptimizerState saved = first.StateDict()) saved.Save(path);

            using var copy = new TinyRegression();
            copy.Model.LoadStateDict(original.Model.StateDict());
            using Optimizer second = options.Create(copy.Model);
            using (OptimizerState loaded = OptimizerState.Load(path)) second.LoadStateDict(loaded);
            second.StepCount.Should().Be(5);
            second.StateBytes.Should().Be(first.StateBytes);

            for (int i = 0; i < 5; i++)
            {
                original.TrainStep(first);
                copy.TrainStep(second);
                foreach (var ((n, a), (_, b)) in original.Model.NamedParameters().Zip(copy.Model.NamedParameters()))
                    a.Equal(b).Should().BeTrue($"{name}: '{n}' must stay bitwise equal after resuming (step {6 + i})");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void LoadingAnotherOptimizersStateFails()
    {
        using var problem = new TinyRegression();
        using Optimizer adam = new AdamOptions().Create(problem.Model);
        using Optimizer lion = new LionOptions().Create(problem.Model);
        problem.LossAndBackward();
        adam.Step();
        using OptimizerState state = adam.StateDict();
        Action load = () => lion.LoadStateDict(state);
        load.Should().Throw<ArgumentException>().WithMessage("*saved by optimizer 'adam'*'lion'*");
    }
}
