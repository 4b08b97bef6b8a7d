using TorchZoo.Torch.NN;
using F = TorchZoo.Torch.NN.Functional;

namespace TorchZoo.Torch.Tests;

/// <summary>Tensor lifetimes: scopes, moving tensors out, disposed-tensor errors, and native handle counts over long loops.</summary>
public class DisposeScopeTests
{
    /// <summary>The live native handle count once every unreachable tensor has been finalized.</summary>
    private static long Live()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return TorchRuntime.LiveTensorCount;
    }

    [Test]
    public void NestedScopesDisposeTheirOwnTensors()
    {
        long baseline = Live();
        DisposeScope.Current.Should().BeNull();
        Tensor a, b, c;
        using (var outer = DisposeScope.Enter())
        {
            a = Tensor.Ones(3);
            using (var inner = DisposeScope.Enter())
            {
                DisposeScope.Current.Should().BeSameAs(inner);
                inner.Outer.Should().BeSameAs(outer);
                b = Tensor.Zeros(2);
                c = a.Add(b.Sum());
                inner.Count.Should().Be(3);
                TorchRuntime.LiveTensorCount.Should().Be(baseline + 4);
            }
            DisposeScope.Current.Should().BeSameAs(outer);
            b.IsDisposed.Should().BeTrue();
            c.IsDisposed.Should().BeTrue();
            a.IsDisposed.Should().BeFalse();
            a.ToArray<float>().Should().Equal(1, 1, 1);
            TorchRuntime.LiveTensorCount.Should().Be(baseline + 1);
        }
        a.IsDisposed.Should().BeTrue();
        DisposeScope.Current.Should().BeNull();
        TorchRuntime.LiveTensorCount.Should().Be(baseline);
    }

    [Test]
    public void MoveToOuterScopeHandsTheTensorToTheEnclosingScope()
    {
        long baseline = Live();
        Tensor kept, survivor;
        using (var outer = DisposeScope.Enter())
        {
            using (var inner = DisposeScope.Enter())
            {
                kept = Tensor.Full(new long[] { 2 }, 4).MoveToOuterScope();
                Tensor viaScope = inner.MoveToOuter(Tensor.Full(new long[] { 1 }, 5));
                viaScope.MoveToOuterScope(); // now owned by nobody
                survivor = viaScope;
                Tensor.Zeros(7); // a temporary
            }
            kept.IsDisposed.Should().BeFalse();
            kept.ToArray<float>().Should().Equal(4, 4);
            survivor.IsDisposed.Should().BeFalse();
        }
        kept.IsDisposed.Should().BeTrue("the outer scope owned it");
        survivor.IsDisposed.Should().BeFalse("moved out of the outermost scope, it belongs to the caller");
        survivor.ToArray<float>().Should().Equal(5);
        TorchRuntime.LiveTensorCount.Should().Be(baseline + 1);
        survivor.Dispose();
        TorchRuntime.LiveTensorCount.Should().Be(baseline);
    }

    [Test]
    public void DetachFromDisposeScopeLeavesTheTensorToTheCaller()
    {
        long baseline = Live();
        Tensor detached;
        using (DisposeScope.Enter())
        using (DisposeScope.Enter())
        {
            detached = Tensor.Arange(4).DetachFromDisposeScope();
            Tensor.Arange(9);
        }
        detached.IsDisposed.Should().BeFalse();
        detached.ToArray<long>().Should().Equal(0, 1, 2, 3);
        TorchRuntime.LiveTensorCount.Should().Be(baseline + 1);
        detached.Dispose();
        detached.Dispose(); // twice is harmless
        TorchRuntime.LiveTensorCount.Should().Be(baseline);
    }

    [Test]
    public void TensorsDisposedEarlyAreNotFreedTwice()
    {
        long baseline = Live();
        using (DisposeScope.Enter())
        {
            Tensor t = Tensor.Ones(2);
            Tensor u = t.Mul(2);
            t.Dispose();
            TorchRuntime.LiveTensorCount.Should().Be(baseline + 1);
            u.ToArray<float>().Should().Equal(2, 2);
        }
        TorchRuntime.LiveTensorCount.Should().Be(baseline);
    }

    [Test]
    public void UsingADisposedTensorThrowsObjectDisposedException()
    {
        Tensor t;
        using (DisposeScope.Enter()) t = Tensor.Ones(2, 2);
        using Tensor live = Tensor.Ones(2, 2);

        t.IsDisposed.Should().BeTrue();
        t.ToString().Should().Be("Tensor(disposed)");
        ((Action)(() => _ = t.Shape)).Should().Throw<ObjectDisposedException>();
        ((Action)(() => t.ToArray<float>())).Should().Throw<ObjectDisposedException>();
        ((Action)(() => t.Sum())).Should().Throw<ObjectDisposedException>();
        ((Action)(() => live.Add(t))).Should().Throw<ObjectDisposedException>("a disposed argument is caught too");
        ((Action)(() => Tensor.Cat(new[] { live, t }))).Should().Throw<ObjectDisposedException>();
        ((Action)(() => t.Backward())).Should().Throw<ObjectDisposedException>();
        ((Action)(() => t.Add_(1))).Should().Throw<ObjectDisposedException>();
    }

    [Test]
    public void ScopesMustEndInReverseOrder()
    {
        long baseline = Live();
        var outer = DisposeScope.Enter();
        var inner = DisposeScope.Enter();
        Tensor.Ones(1);
        ((Action)outer.Dispose).Should().Throw<InvalidOperationException>();
        DisposeScope.Current.Should().BeSameAs(inner, "a refused Dispose changes nothing");
        inner.Dispose();
        outer.Dispose();
        DisposeScope.Current.Should().BeNull();
        TorchRuntime.LiveTensorCount.Should().Be(baseline);
    }

    [Test]
    public void AbandonedTensorsOutsideScopesAreFreedByTheFinalizer()
    {
        long baseline = Live();
        MakeGarbage();
        Live().Should().Be(baseline);

        static void MakeGarbage()
        {
            for (int i = 0; i < 100; i++) _ = Tensor.Ones(3).Add(1);
            TorchRuntime.LiveTensorCount.Should().BeGreaterThan(0);
        }
    }

    [Test]
    public void ModuleDisposeFreesItsParameters()
    {
        long baseline = Live();
        var m = new Sequential(new Linear(3, 4), new LayerNorm(4), new Linear(4, 2, bias: false));
        TorchRuntime.LiveTensorCount.Should().Be(baseline + 5);
        m.Dispose();
        TorchRuntime.LiveTensorCount.Should().Be(baseline);
    }

    [Test]
    public void ATrainingLoopKeepsTheLiveTensorCountConstant()
    {
        var g = new Generator(11);
        using var model = new Sequential(new Linear(8, 32, generator: g), new Gelu(), new Linear(32, 1, generator: g));
        var parameters = model.Parameters().ToList();
        using Tensor x = Tensor.Randn(new long[] { 64, 8 }, g);
        using Tensor y = x.Sum(1, keepDim: true).Sin();

        long atStep10 = -1;
        double firstLoss = 0, lastLoss = 0;
        var drift = new List<string>();
        for (int step = 1; step <= 1000; step++)
        {
            using (DisposeScope.Enter())
            {
                Tensor loss = F.MseLoss(model.Forward(x), y);
                loss.Backward();
                using (Autograd.NoGrad())
                    foreach (Parameter p in parameters) p.Sub_(p.Grad!, 0.05);
                model.ZeroGrad();
                if (step == 1) firstLoss = loss.Item();
                lastLoss = loss.Item();
            }
            long now = TorchRuntime.LiveTensorCount;
            if (step == 10)
                atStep10 = Live(); // also clears garbage left by earlier tests
            else if (step > 10 && now != atStep10)
            {
                drift.Add($"step {step}: {now}");
            }
        }
        long atStep1000 = Live();

        drift.Should().BeEmpty("the scope alone must free every step's tensors, without help from finalizers");
        atStep1000.Should().Be(atStep10);
        lastLoss.Should().BeLessThan(firstLoss / 2, "the loop must really train");
    }

    [Test]
    public void ForwardPassesOfEveryModuleTypeDoNotLeak()
    {
        var g = new Generator(12);
        var cases = new (string Name, Module<Tensor, Tensor> Module, Tensor Input)[]
        {
            ("Linear", new Linear(6, 4, generator: g), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("LayerNorm", new LayerNorm(6), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("Embedding", new Embedding(10, 4, g), Tensor.FromArray(new long[] { 1, 9, 3, 3 }).DetachFromDisposeScope()),
            ("Conv2d", new Conv2d(2, 3, 3, padding: 1, generator: g), Tensor.Randn(new long[] { 1, 2, 5, 5 }, g).DetachFromDisposeScope()),
            ("Dropout(train)", new Dropout(0.4), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("Dropout(eval)", (Module<Tensor, Tensor>)new Dropout(0.4).Eval(), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("Gelu", new Gelu(), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("Relu", new Relu(), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("Sequential(empty)", new Sequential(), Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
            ("Sequential", new Sequential(new Linear(6, 5, generator: g), new Relu(), new Dropout(0.1), new LayerNorm(5), new Gelu()),
                Tensor.Randn(new long[] { 3, 6 }, g).DetachFromDisposeScope()),
        };
        try
        {
            foreach (var (name, module, input) in cases)
            {
                long atStart = -1;
                for (int i = 1; i <= 1000; i++)
                {
                    using (DisposeScope.Enter())
                    {
                        Tensor y = module.Forward(input);
                        // Exercise the backward graph too when there is one.
                        if (y.RequiresGrad) y.Sum().Backward();
                    }
                    if (i == 10) atStart = Live();
                }
                module.ZeroGrad();
                Live().Should().Be(atStart, $"{name} must not leak across 1000 forward passes");
            }
        }
        finally
        {
            foreach (var (_, module, input) in cases)
            {
                module.Dispose();
                input.Dispose();
            }
        }
    }
}
