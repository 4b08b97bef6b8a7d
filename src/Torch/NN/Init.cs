namespace TorchZoo.Torch.NN;

/// <summary>Parameter initializers (PyTorch's <c>torch.nn.init</c>), run without recording gradients.</summary>
public static class Init
{
    public static Tensor Uniform_(Tensor t, double from, double to, Generator? generator = null)
    {
        using var _ = Autograd.NoGrad();
        return t.Uniform_(from, to, generator);
    }

    public static Tensor Normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
    {
        using var _ = Autograd.NoGrad();
        return t.Normal_(mean, std, generator);
    }

    /// <summary>
    /// Normal(0, std) samples restricted to [a, b] (absolute bounds, as torch.nn.init.trunc_normal_), drawn
    /// by inverting the normal CDF on a uniform sample between the bounds' CDF values.
    /// </summary>
    public static Tensor TruncatedNormal_(Tensor t, double std = 0.02, double a = -2, double b = 2, Generator? generator = null)
    {
        if (std <= 0) throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be positive.");
        if (!(a < b)) throw new ArgumentOutOfRangeException(nameof(b), b, $"The upper bound must exceed the lower bound {a}.");
        using var _ = Autograd.NoGrad();
        double lo = NormalCdf(a / std), hi = NormalCdf(b / std);
        // u ~ U(2·lo − 1, 2·hi − 1) maps through √2·erfinv(u) onto the truncated standard normal.
        t.Uniform_(2 * lo - 1, 2 * hi - 1, generator);
        t.Erfinv_().Mul_(std * Math.Sqrt(2)).Clamp_(a, b);
        return t;
    }

    public static Tensor Zeros_(Tensor t)
    {
        using var _ = Autograd.NoGrad();
        return t.Zero_();
    }

    public static Tensor Ones_(Tensor t)
    {
        using var _ = Autograd.NoGrad();
        return t.Fill_(1);
    }

    /// <summary>Xavier/Glorot uniform: U(±gain·√(6/(fan_in+fan_out))).</summary>
    public static Tensor XavierUniform_(Tensor t, double gain = 1, Generator? generator = null)
    {
        var (fanIn, fanOut) = Fans(t);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Uniform_(t, -bound, bound, generator);
    }

    /// <summary>PyTorch's default for Linear and Conv weights: U(±1/√fan_in) (kaiming_uniform with a = √5).</summary>
    public static Tensor DefaultWeight_(Tensor t, Generator? generator = null)
    {
        var (fanIn, _) = Fans(t);
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        return Uniform_(t, -bound, bound, generator);
    }

    /// <summary>(fan_in, fan_out) of a weight: (in, out) for matrices, times the receptive field for kernels.</summary>
    public static (long FanIn, long FanOut) Fans(Tensor t)
    {
        long[] s = t.Shape;
        if (s.Length < 2) throw new ArgumentException($"Fan in and fan out need at least 2 dimensions, got shape {Tensor.FormatShape(s)}.");
        long receptive = 1;
        for (int i = 2; i < s.Length; i++) receptive *= s[i];
        return (s[1] * receptive, s[0] * receptive);
    }

    private static double NormalCdf(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    private static double Erf(double x)
    {
        // Abramowitz–Stegun 7.1.26 (error < 1.5e-7) is plenty to place the truncation bounds.
        double t = 1 / (1 + 0.3275911 * Math.Abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
