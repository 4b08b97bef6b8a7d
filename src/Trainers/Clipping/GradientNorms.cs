using TorchZoo.Torch;
using TorchZoo.Torch.NN;

namespace TorchZoo.Trainers.Clipping;

/// <summary>Norms of gradients and of parameters, shared by the clippers and by logging.</summary>
public static class GradientNorms
{
    /// <summary>The gradients that exist (new handles, owned by the current dispose scope).</summary>
    public static List<Tensor> Gradients(IEnumerable<Parameter> parameters)
    {
        var grads = new List<Tensor>();
        foreach (Parameter p in parameters)
            if (p.Grad is { } g) grads.Add(g);
        return grads;
    }

    /// <summary>The p-norm of the concatenation of the tensors (∞ allowed), as a 0-d tensor; 0 for an empty list.</summary>
    public static Tensor Total(IReadOnlyList<Tensor> tensors, double normType = 2)
    {
        if (tensors.Count == 0) return Tensor.Scalar(0);
        Tensor[] norms = double.IsPositiveInfinity(normType)
            ? tensors.Select(t => t.Abs().Amax()).ToArray()
            : TensorList.Norm(tensors, normType);
        return Tensor.Stack(norms).Norm(normType);
    }

    /// <summary>The global gradient norm of the parameters, as a double.</summary>
    public static double GlobalNorm(IEnumerable<Parameter> parameters, double normType = 2)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        return Total(Gradients(parameters), normType).Item();
    }

    /// <summary>True when every gradient element is finite.</summary>
    public static bool AllFinite(IEnumerable<Parameter> parameters)
    {
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        foreach (Tensor g in Gradients(parameters))
            if (g.IsFinite().All().Item() == 0) return false;
        return true;
    }
}
