namespace TorchZoo.Torch.Tests;

/// <summary>
/// Finite-difference gradient check. The function's output is reduced to the scalar L = Σ out ⊙ R, with R a
/// fixed random float64 tensor, so one backward pass checks Jᵀ·R for every input element at once. The
/// numerical derivative of L with respect to each element of each checked tensor is a central difference;
/// the analytic one comes from <see cref="Autograd.Grad"/>.
/// </summary>
public static class GradCheck
{
    public sealed record Mismatch(int Tensor, long Element, double Analytic, double Numeric);

    public sealed record Report(int Checked, double MaxAbsError, IReadOnlyList<Mismatch> Mismatches)
    {
        public override string ToString() =>
            $"{Checked} derivatives checked, max |error| {MaxAbsError:E3}, {Mismatches.Count} mismatches" +
            string.Concat(Mismatches.Take(5).Select(m =>
                $"\n  tensor {m.Tensor} element {m.Element}: autograd {m.Analytic:R}, finite difference {m.Numeric:R}"));
    }

    /// <summary>
    /// Compares autograd with central differences for every element of every tensor in <paramref name="wrt"/>
    /// (float64 leaves that require grad; <paramref name="f"/> must read them). Tensors are restored afterwards.
    /// </summary>
    public static Report Compare(Func<Tensor> f, IReadOnlyList<Tensor> wrt, double eps = 1e-6, double atol = 1e-6, double rtol = 1e-5, ulong seed = 1234)
    {
        foreach (Tensor t in wrt)
        {
            if (t.Dtype != ScalarType.Float64) throw new ArgumentException($"Gradient checks need float64 tensors, got {t.Dtype}.");
            if (!t.RequiresGrad) throw new ArgumentException("Every checked tensor must require grad.");
        }

        using var scope = DisposeScope.Enter();
        Tensor projection;
        using (var g = new Generator(seed))
        using (Autograd.NoGrad())
        {
            Tensor probe = f();
            projection = Tensor.Randn(probe.Shape, g, ScalarType.Float64);
        }

        double Loss()
        {
            using var inner = DisposeScope.Enter();
            using var noGrad = Autograd.NoGrad();
            return f().Mul(projection).Sum().Item();
        }

        Tensor?[] analytic;
        using (var inner = DisposeScope.Enter())
        {
            Tensor loss = f().Mul(projection).Sum();
            analytic = Autograd.Grad(new[] { loss }, wrt, allowUnused: true);
            foreach (Tensor? a in analytic) a?.MoveToOuterScope();
        }

        var mismatches = new List<Mismatch>();
        double maxError = 0;
        int count = 0;
        for (int i = 0; i < wrt.Count; i++)
        {
            Tensor t = wrt[i];
            double[] original = t.ToArray<double>();
            double[] grad = analytic[i]?.ToArray<double>() ?? new double[original.Length];
            double[] work = (double[])original.Clone();
            try
            {
                for (int j = 0; j < original.Length; j++)
                {
                    work[j] = original[j] + eps;
                    t.CopyFrom<double>(work);
                    double plus = Loss();
                    work[j] = original[j] - eps;
                    t.CopyFrom<double>(work);
                    double minus = Loss();
                    work[j] = original[j];
                    double numeric = (plus - minus) / (2 * eps);
                    double error = Math.Abs(grad[j] - numeric);
                    maxError = Math.Max(maxError, error);
                    count++;
                    if (!(error <= atol + rtol * Math.Abs(numeric))) mismatches.Add(new Mismatch(i, j, grad[j], numeric));
                }
            }
            finally
            {
                t.CopyFrom<double>(original);
            }
        }
        return new Report(count, maxError, mismatches);
    }

    /// <summary>Fails the test when any derivative disagrees.</summary>
    public static void Assert(Func<Tensor> f, params Tensor[] wrt)
    {
        Report report = Compare(f, wrt);
        report.Checked.Should().BeGreaterThan(0);
        report.Mismatches.Should().BeEmpty(report.ToString());
    }

    /// <summary>A float64 leaf of the given shape, N(0, scale²) from a seeded generator, requiring grad.</summary>
    public static Tensor Input(ulong seed, double scale, params long[] shape)
    {
        using var g = new Generator(seed);
        using Tensor r = Tensor.Randn(shape, g, ScalarType.Float64);
        using Tensor s = r.Mul(scale);
        Tensor leaf = s.Detach();
        leaf.RequiresGrad = true;
        return leaf;
    }
}
