using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// AdaFisher beyond the golden trajectories (which feed recorded layer statistics through <see cref="AdaFisher.Observe"/>):
/// the forward hooks record exactly the input and output-gradient statistics of each Linear layer, the fallback for
/// parameters outside layers, state bytes and option validation.
/// </summary>
public class AdaFisherTests
{
    public static IEnumerable<TestCaseData> InvalidOptions()
    {
        TestCaseData Case(string label, Func<OptimizerOptions> create, string param) =>
            new TestCaseData(create, param).SetName($"Rejects {label}");

        yield return Case("AdaFisher Beta = 1", () => new AdaFisherOptions { Beta = 1 }, "Beta");
        yield return Case("AdaFisher FactorDecay = -0.5", () => new AdaFisherOptions { FactorDecay = -0.5 }, "FactorDecay");
        yield return Case("AdaFisher Damping = 0", () => new AdaFisherOptions { Damping = 0 }, "Damping");
        yield return Case("AdaFisher LearningRate = NaN", () => new AdaFisherOptions { LearningRate = double.NaN }, "LearningRate");
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public void InvalidValueNamesTheField(Func<OptimizerOptions> create, string param)
    {
        Action a = () => create();
        a.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(param);
    }

    [Test]
    public void RegisteredWithItsDefaults()
    {
        var o = OptimizerRegistry.Create("adafisher").Should().BeOfType<AdaFisherOptions>().Subject;
        (o.LearningRate, o.Beta, o.FactorDecay, o.Damping, o.WeightDecay).Should().Be((1e-3, 0.9, 0.8, 1e-3, 0.0));
    }

    [Test]
    public void HooksRecordEachLinearLayersInputAndOutputGradientStatistics()
    {
        using var problem = new TinyRegression();
        TinyRegression.Mlp model = problem.Model;
        using var optimizer = (AdaFisher)new AdaFisherOptions().Create(model);

        // The statistics by hand: a forward through Functional (no hooks), δ = ∂L/∂(layer output) by autograd.
        float[] hiddenInput, hiddenDelta, headInput, headDelta;
        using (var scope = DisposeScope.Enter())
        {
            Tensor z1 = Functional.Linear(problem.Inputs, model.Hidden.Weight, model.Hidden.Bias);
            Tensor h = z1.Tanh();
            Tensor z2 = Functional.Linear(h, model.Head.Weight, model.Head.Bias);
            Tensor loss = Functional.MseLoss(z2, problem.Targets);
            Tensor?[] deltas = Autograd.Grad(new[] { loss }, new[] { z1, z2 });
            hiddenInput = problem.Inputs.Square().Mean(0).ToArray<float>();
            hiddenDelta = deltas[0]!.Square().Mean(0).ToArray<float>();
            headInput = h.Detach().Square().Mean(0).ToArray<float>();
            headDelta = deltas[1]!.Square().Mean(0).ToArray<float>();
        }

        problem.LossAndBackward();
        optimizer.Step();

        // After one step from zero the averages are (1 − γ) times the observation; the bias adds an input of 1.
        const double keep = 1 - 0.8;
        ExpectClose(optimizer.StateOf(model.Hidden.Weight).Get("fisher.activations"), hiddenInput.Append(1f), keep);
        ExpectClose(optimizer.StateOf(model.Hidden.Weight).Get("fisher.output_grads"), hiddenDelta, keep);
        ExpectClose(optimizer.StateOf(model.Head.Weight).Get("fisher.activations"), headInput.Append(1f), keep);
        ExpectClose(optimizer.StateOf(model.Head.Weight).Get("fisher.output_grads"), headDelta, keep);
        optimizer.StateOf(model.Hidden.Bias!).Tensors.Keys.Should().Equal("exp_avg");
    }

    private static void ExpectClose(Tensor actual, IEnumerable<float> observation, double keep)
    {
        float[] expected = observation.Select(v => (float)(keep * v)).ToArray();
        float[] a = actual.ToArray<float>();
        a.Should().HaveCount(expected.Length);
        for (int i = 0; i < a.Length; i++) a[i].Should().BeApproximately(expected[i], 1e-6f + 1e-5f * Math.Abs(expected[i]));
    }

    [Test]
    public void EvaluationPassesWithoutGradRecordNothingAndStateBytesFollowTheLayers()
    {
        using var problem = new TinyRegression();
        using var optimizer = (AdaFisher)new AdaFisherOptions().Create(problem.Model);
        problem.Loss();
        problem.Loss();
        problem.LossAndBackward();
        optimizer.Step();
        // m for every parameter (6·16 + 16 + 16·2 + 2 = 146) + factors hidden (6 + 1 + 16) and head (16 + 1 + 2).
        optimizer.StateBytes.Should().Be(4 * (146 + 23 + 19));
    }

    [Test]
    public void WithoutLayersEveryParameterUsesTheSquaredGradientDiagonal()
    {
        using var problem = new TinyRegression();
        using var optimizer = (AdaFisher)new AdaFisherOptions().Create(problem.Model.Parameters());
        problem.LossAndBackward();
        optimizer.Step();
        optimizer.StateOf(problem.Model.Hidden.Weight).Tensors.Keys.Should().Equal("exp_avg", "fisher.diag");
    }

    [Test]
    public void DisposingRemovesTheHooks()
    {
        using var problem = new TinyRegression();
        new AdaFisherOptions().Create(problem.Model).Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = TorchRuntime.LiveTensorCount;
        problem.LossAndBackward();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TorchRuntime.LiveTensorCount.Should().Be(before, "no hook keeps outputs of a disposed optimizer");
    }

    [Test]
    public void LayersAreCheckedWhenDeclaredAndObserved()
    {
        using var w = new Parameter(Tensor.Zeros(3, 2));
        using var b = new Parameter(Tensor.Zeros(4));
        using var other = new Parameter(Tensor.Zeros(3, 2));
        using var optimizer = (AdaFisher)new AdaFisherOptions().Create(new[] { w, b });
        Action wrongBias = () => optimizer.AddLayer(w, b);
        wrongBias.Should().Throw<ArgumentException>().WithMessage("*does not match*");
        Action notOurs = () => optimizer.AddLayer(other, null);
        notOurs.Should().Throw<ArgumentException>().WithMessage("*not updated by this optimizer*");
        optimizer.AddLayer(w, null);
        using var input = Tensor.Zeros(5, 3);
        using var outputGradient = Tensor.Zeros(5, 3);
        Action wrongInput = () => optimizer.Observe(w, input, outputGradient);
        wrongInput.Should().Throw<ArgumentException>().WithMessage("*last dimension is 2*");
    }
}
