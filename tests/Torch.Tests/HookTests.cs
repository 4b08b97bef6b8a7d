using TorchZoo.Torch.NN;

namespace TorchZoo.Torch.Tests;

/// <summary>Forward hooks on modules and gradients kept on intermediate tensors (what K-FAC-style optimizers read).</summary>
public class HookTests
{
    [Test]
    public void RetainGradKeepsTheGradientOfAnIntermediateTensor()
    {
        using var scope = DisposeScope.Enter();
        var x = new Parameter(Tensor.FromArray(new float[] { 1f, 2f, 3f }));
        Tensor y = x.Mul(2).RetainGrad();
        Tensor other = x.Mul(3);
        y.Square().Sum().Backward();
        // d(Σy²)/dy = 2y = (4, 8, 12).
        y.Grad!.ToArray<float>().Should().Equal(4f, 8f, 12f);
        other.Grad.Should().BeNull("only tensors that asked keep their gradient");
        x.Grad!.ToArray<float>().Should().Equal(8f, 16f, 24f);
    }

    [Test]
    public void RetainGradOnATensorWithoutGradIsAClearError()
    {
        using var scope = DisposeScope.Enter();
        Tensor t = Tensor.Ones(2);
        Action retain = () => t.RetainGrad();
        retain.Should().Throw<TorchException>().WithMessage("*requires_grad*");
    }

    [Test]
    public void LinearForwardHooksSeeInputAndOutputUntilRemoved()
    {
        using var scope = DisposeScope.Enter();
        using var layer = new Linear(3, 2, generator: new Generator(1));
        Tensor input = Tensor.Randn(new long[] { 4, 3 }, new Generator(2));
        var seen = new List<(Tensor Input, Tensor Output)>();
        IDisposable handle = layer.RegisterForwardHook((i, o) => seen.Add((i, o)));
        Tensor output = layer.Forward(input);
        seen.Should().ContainSingle();
        ReferenceEquals(seen[0].Input, input).Should().BeTrue();
        ReferenceEquals(seen[0].Output, output).Should().BeTrue();
        handle.Dispose();
        handle.Dispose();
        layer.Forward(input);
        seen.Should().ContainSingle("a removed hook is not called");
    }

    [Test]
    public void AHookCanCaptureTheOutputGradientOfALayer()
    {
        using var scope = DisposeScope.Enter();
        using var layer = new Linear(3, 2, generator: new Generator(1));
        Tensor input = Tensor.Randn(new long[] { 4, 3 }, new Generator(2));
        Tensor? kept = null;
        using (layer.RegisterForwardHook((_, o) => kept = o.Alias().RetainGrad().DetachFromDisposeScope()))
        using (var inner = DisposeScope.Enter())
            layer.Forward(input).Square().Sum().Backward();
        // The forward's scope is gone; the hook's own handle still reaches ∂L/∂output = 2·output.
        using Tensor expected = Functional.Linear(input, layer.Weight, layer.Bias).Detach().Mul(2);
        kept!.Grad!.AllClose(expected).Should().BeTrue();
        kept.Dispose();
    }

    [Test]
    public void ModulesThatDoNotCallHooksRefuseThem()
    {
        using var norm = new LayerNorm(3);
        Action register = () => norm.RegisterForwardHook((_, _) => { });
        register.Should().Throw<NotSupportedException>().WithMessage("*LayerNorm*");
    }
}
