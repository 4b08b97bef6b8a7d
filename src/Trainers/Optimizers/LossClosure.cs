using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// The backward pass of a loss closure (see <see cref="Optimizer.Step(Func{double})"/>). A closure calls
/// <see cref="Backward"/> instead of <c>loss.Backward()</c>. Normally that is just <c>loss.Backward()</c>; while a
/// curvature optimizer (AdaHessian, Sophia) is capturing, it computes the gradients with <c>create_graph</c> through
/// <see cref="Autograd.Grad"/>, keeps those graph-connected gradients for the optimizer's Hessian-vector product and
/// stores detached copies in <c>.Grad</c>. Taking the gradients with <c>Autograd.Grad</c> rather than
/// <c>Backward(createGraph: true)</c> avoids the parameter ↔ gradient reference cycle that the latter creates.
/// </summary>
public static class LossClosure
{
    [ThreadStatic] private static GraphCapture? capture;

    /// <summary>Backpropagates <paramref name="loss"/> into the parameters' gradients (keeping the graph when asked).</summary>
    public static void Backward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        GraphCapture? c = capture;
        if (c is null) loss.Backward();
        else c.Record(loss);
    }

    /// <summary>Until disposed, <see cref="Backward"/> on this thread keeps graph-connected gradients of <paramref name="parameters"/>.</summary>
    public static GraphCapture Capture(IReadOnlyList<Parameter> parameters)
    {
        var c = new GraphCapture(parameters, capture);
        capture = c;
        return c;
    }

    public sealed class GraphCapture : IDisposable
    {
        private readonly GraphCapture? outer;
        private bool disposed;

        internal GraphCapture(IReadOnlyList<Parameter> parameters, GraphCapture? outer)
        {
            Parameters = parameters;
            this.outer = outer;
        }

        public IReadOnlyList<Parameter> Parameters { get; }

        /// <summary>The gradients of the last recorded loss, with their graph (null where the loss does not depend on a parameter).</summary>
        public Tensor?[]? Gradients { get; private set; }

        internal void Record(Tensor loss)
        {
            DisposeGradients();
            var inputs = Parameters.Where(p => p.RequiresGrad).ToList();
            Tensor?[] grads;
            using (Autograd.EnableGrad())
                grads = Autograd.Grad(new[] { loss }, inputs, createGraph: true, allowUnused: true);
            var all = new Tensor?[Parameters.Count];
            int k = 0;
            for (int i = 0; i < Parameters.Count; i++)
            {
                if (!Parameters[i].RequiresGrad) continue;
                Tensor? g = grads[k++];
                if (g is null) continue;
                all[i] = g.DetachFromDisposeScope();
                using Tensor detached = g.Detach();
                using Tensor? old = Parameters[i].Grad;
                Parameters[i].Grad = old is null ? detached.Clone() : old.Add(detached);
            }
            Gradients = all;
        }

        private void DisposeGradients()
        {
            if (Gradients is null) return;
            foreach (Tensor? g in Gradients) g?.Dispose();
            Gradients = null;
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            DisposeGradients();
            capture = outer;
        }
    }
}
