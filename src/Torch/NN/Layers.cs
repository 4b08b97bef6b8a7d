namespace TorchZoo.Torch.NN;

/// <summary>y = x·Wᵀ + b. Weight (out, in), bias (out); initialized as PyTorch's nn.Linear.</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(long inFeatures, long outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "Linear needs a positive input size.");
        if (outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "Linear needs a positive output size.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        using var scope = DisposeScope.Enter();
        try
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Empty(new[] { outFeatures, inFeatures })));
            Init.DefaultWeight_(Weight, generator);
            if (bias)
            {
                double bound = 1 / Math.Sqrt(inFeatures);
                Bias = RegisterParameter("bias", new Parameter(Tensor.Empty(new[] { outFeatures })));
                Init.Uniform_(Bias, -bound, bound, generator);
            }
        }
        catch
        {
            Dispose(); // the caller never sees this module: free the parameters made so far
            throw;
        }
    }

    public long InFeatures { get; }
    public long OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>
    /// An optional extra path applied after the affine map (e.g. a LoRA adapter): the output becomes
    /// <c>Adapter.Adapt(input, x·Wᵀ + b)</c>. Its parameters belong wherever its owner registers them
    /// (usually as children of this module, through <see cref="Module.AddModule{T}"/>).
    /// </summary>
    public ILinearAdapter? Adapter { get; set; }

    public override bool SupportsForwardHooks => true;

    /// <summary>x·Wᵀ + b (through the <see cref="Adapter"/> if any); then the forward hooks see the input and the final output.</summary>
    public override Tensor Forward(Tensor input)
    {
        Tensor output = Functional.Linear(input, Weight, Bias);
        return RunForwardHooks(input, Adapter is null ? output : Adapter.Adapt(input, output));
    }
}

/// <summary>An extra path of a <see cref="Linear"/> layer that sees its input and its affine output.</summary>
public interface ILinearAdapter
{
    /// <summary>Returns the layer's final output given its input and x·Wᵀ + b (which it may return unchanged).</summary>
    Tensor Adapt(Tensor input, Tensor output);
}

/// <summary>Layer normalization over the trailing dimensions, with learnable scale (ones) and shift (zeros).</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        NormalizedShape = (long[])normalizedShape.Clone();
        Eps = eps;
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "LayerNorm eps must be positive.");
        if (elementwiseAffine)
        {
            using var scope = DisposeScope.Enter();
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones(NormalizedShape)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(NormalizedShape)));
        }
    }

    public LayerNorm(long size, double eps = 1e-5, bool elementwiseAffine = true) : this(new[] { size }, eps, elementwiseAffine) { }

    public long[] NormalizedShape { get; }
    public double Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);
}

/// <summary>
/// Batch normalization of (B, C, H, W) maps per channel (Ioffe and Szegedy, arXiv 1502.03167), as PyTorch's
/// nn.BatchNorm2d: scale (ones) and shift (zeros) of size C; buffers <c>running_mean</c> (zeros), <c>running_var</c>
/// (ones) and <c>num_batches_tracked</c> (int64). Training mode normalizes with the batch's statistics and updates the
/// running ones with <see cref="Momentum"/>; evaluation mode normalizes with the running ones.
/// </summary>
public sealed class BatchNorm2d : Module<Tensor, Tensor>
{
    public BatchNorm2d(long channels, double eps = 1e-5, double momentum = 0.1)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), channels, "BatchNorm2d needs a positive channel count.");
        if (eps <= 0) throw new ArgumentOutOfRangeException(nameof(eps), eps, "BatchNorm2d eps must be positive.");
        if (momentum is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "BatchNorm2d momentum must be in [0, 1].");
        Channels = channels;
        Eps = eps;
        Momentum = momentum;
        using var scope = DisposeScope.Enter();
        Weight = RegisterParameter("weight", new Parameter(Tensor.Ones(channels)));
        Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(channels)));
        RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(channels));
        RunningVar = RegisterBuffer("running_var", Tensor.Ones(channels));
        BatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros(new long[] { }, ScalarType.Int64));
    }

    public long Channels { get; }
    public double Eps { get; }
    public double Momentum { get; }
    public Parameter Weight { get; }
    public Parameter Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public Tensor BatchesTracked { get; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Dim != 4 || input.Shape[1] != Channels)
            throw new ArgumentException($"BatchNorm2d({Channels}) expects (batch, {Channels}, H, W), got {Tensor.FormatShape(input.Shape)}.", nameof(input));
        if (IsTraining)
        {
            if (input.Shape[0] * input.Shape[2] * input.Shape[3] < 2)
                throw new ArgumentException($"BatchNorm2d needs more than one value per channel to train, got {Tensor.FormatShape(input.Shape)}.", nameof(input));
            using (Autograd.NoGrad()) BatchesTracked.Add_(1);
        }
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, IsTraining, Momentum, Eps);
    }
}

/// <summary>A lookup table of <c>count</c> vectors of size <c>dim</c>, initialized N(0, 1) as PyTorch.</summary>
public sealed class Embedding : Module<Tensor, Tensor>
{
    public Embedding(long count, long dim, Generator? generator = null)
    {
        if (count <= 0 || dim <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"Embedding needs positive sizes, got {count}×{dim}.");
        using var scope = DisposeScope.Enter();
        Weight = RegisterParameter("weight", new Parameter(Tensor.Empty(new[] { count, dim })));
        try
        {
            Init.Normal_(Weight, 0, 1, generator);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Parameter Weight { get; }

    public override Tensor Forward(Tensor indices) => Functional.Embedding(indices, Weight);
}

/// <summary>2-D convolution; weight (out, in/groups, kH, kW), initialized as PyTorch's nn.Conv2d.</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public Conv2d(long inChannels, long outChannels, (long H, long W) kernel, (long H, long W)? stride = null,
        (long H, long W)? padding = null, (long H, long W)? dilation = null, long groups = 1, bool bias = true, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), "Conv2d needs positive channel counts.");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"Conv2d groups must divide both channel counts ({inChannels}, {outChannels}).");
        if (kernel.H <= 0 || kernel.W <= 0) throw new ArgumentOutOfRangeException(nameof(kernel), "Conv2d needs a positive kernel size.");
        Stride = stride ?? (1, 1);
        Padding = padding ?? (0, 0);
        Dilation = dilation ?? (1, 1);
        Groups = groups;
        using var scope = DisposeScope.Enter();
        try
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Empty(new[] { outChannels, inChannels / groups, kernel.H, kernel.W })));
            Init.DefaultWeight_(Weight, generator);
            if (bias)
            {
                double bound = 1 / Math.Sqrt(inChannels / groups * kernel.H * kernel.W);
                Bias = RegisterParameter("bias", new Parameter(Tensor.Empty(new[] { outChannels })));
                Init.Uniform_(Bias, -bound, bound, generator);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Conv2d(long inChannels, long outChannels, long kernel, long stride = 1, long padding = 0, bool bias = true, Generator? generator = null)
        : this(inChannels, outChannels, (kernel, kernel), (stride, stride), (padding, padding), null, 1, bias, generator) { }

    public (long H, long W) Stride { get; }
    public (long H, long W) Padding { get; }
    public (long H, long W) Dilation { get; }
    public long Groups { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
}

/// <summary>Dropout with probability p while training; identity in evaluation mode.</summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public Dropout(double p = 0.5)
    {
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be in [0, 1].");
        P = p;
    }

    public double P { get; }

    public override Tensor Forward(Tensor input) => P == 0 || !IsTraining ? input.Alias() : Functional.Dropout(input, P, true);
}

/// <summary>GELU activation (exact erf form unless <c>tanhApproximation</c>).</summary>
public sealed class Gelu : Module<Tensor, Tensor>
{
    private readonly bool tanh;

    public Gelu(bool tanhApproximation = false) => tanh = tanhApproximation;

    public override Tensor Forward(Tensor input) => input.Gelu(tanh);
}

/// <summary>ReLU activation.</summary>
public sealed class Relu : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Relu();
}
