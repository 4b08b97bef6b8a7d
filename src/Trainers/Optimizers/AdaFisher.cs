using TorchZoo.Torch;
using TorchZoo.Torch.NN;
using TorchZoo.Trainers.Optimizers.Kernels;

namespace TorchZoo.Trainers.Optimizers;

/// <summary>
/// AdaFisher (Gomes et al., "AdaFisher: Adaptive Second Order Optimization via Fisher Information", ICLR 2025,
/// arXiv 2405.16397): momentum preconditioned by the inverse of a diagonal Kronecker-factored (K-FAC) Fisher. For a
/// Linear layer y = x·Wᵀ + b with inputs x (rows = samples) and output gradients δ = ∂L/∂y:
/// <code>
/// H ← γ·H + (1−γ)·mean_rows(x̄²)      x̄ = [x, 1] with a bias: the diagonal of the input covariance
/// S ← γ·S + (1−γ)·mean_rows(δ²)      the diagonal of the output-gradient covariance
/// F = N(S) ⊗ N(H) + λ                 N(z) = (z − min z)/(max z − min z + 1e-6), Min-Max normalization
/// m ← β·m + (1−β)·g;  θ ← θ·(1 − ηκ) − η·(m/(1−β^t)) / F       (no square root)
/// </code>
/// F's entry for W[j, i] is N(S)_j·N(H)_i + λ, for b[j] it is N(S)_j·N(H)_bias + λ. Parameters outside a known layer use
/// the squared-gradient diagonal instead: D ← γD + (1−γ)g², F = N(D) + λ. The factors come from forward hooks: created
/// with <see cref="OptimizerOptions.Create(Module)"/>, AdaFisher attaches to every <see cref="Linear"/> of the model
/// (recording the layer's input statistics and keeping its output, with <see cref="Tensor.RetainGrad"/>, until the step
/// reads the output gradient); <see cref="AdaFisher.AddLayer"/> and <see cref="AdaFisher.Observe"/> feed other layers by hand. Created from
/// bare parameters (or inside a wrapper), every parameter uses the fallback. Defaults (UNCERTAIN, from secondary
/// sources): η = 1e-3, β = 0.9, γ = 0.8, λ = 1e-3, κ = 0 (decoupled). State: 4 bytes/parameter (m) + (in + 1 + out)·4
/// bytes per layer; fallback parameters 8. Until a step, each hooked layer also holds its last output and its gradient.
/// </summary>
public sealed record AdaFisherOptions : OptimizerOptions
{
    public AdaFisherOptions() => LearningRate = 1e-3;

    /// <summary>β: the momentum decay.</summary>
    public double Beta { get; init => field = OptionChecks.Beta(value, nameof(Beta)); } = 0.9;

    /// <summary>γ: the decay of the Fisher factors' moving averages.</summary>
    public double FactorDecay { get; init => field = OptionChecks.Beta(value, nameof(FactorDecay)); } = 0.8;

    /// <summary>λ: the damping added to the normalized Fisher diagonal (the largest step is η·m̂/λ).</summary>
    public double Damping { get; init => field = OptionChecks.Positive(value, nameof(Damping)); } = 1e-3;

    public override string Name => "adafisher";

    public override Optimizer Create(IReadOnlyList<ParameterGroupSpec> groups) => new AdaFisher(this, groups);

    /// <summary>Creates AdaFisher over the module's trainable parameters and attaches it to each of its <see cref="Linear"/> layers.</summary>
    public override Optimizer Create(Module module)
    {
        var optimizer = (AdaFisher)base.Create(module);
        foreach (var (_, m) in module.NamedModules())
            if (m is Linear linear && optimizer.Updates(linear.Weight)) optimizer.AttachLinear(linear);
        return optimizer;
    }
}

/// <summary>AdaFisher; see <see cref="AdaFisherOptions"/>.</summary>
public sealed class AdaFisher : ParameterwiseOptimizer<AdaFisherOptions>
{
    /// <summary>Min-Max normalization's stabilizer (UNCERTAIN; keeps a constant factor finite).</summary>
    private const double NormalizationEps = 1e-6;

    private readonly Dictionary<Parameter, Layer> layersByWeight = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Parameter, Layer> layersByBias = new(ReferenceEqualityComparer.Instance);
    private readonly List<IDisposable> hooks = new();

    public AdaFisher(AdaFisherOptions options, IReadOnlyList<ParameterGroupSpec> groups) : base(options, groups) { }

    /// <summary>Whether this optimizer updates <paramref name="parameter"/>.</summary>
    public bool Updates(Parameter parameter) => Entries().Any(e => ReferenceEquals(e.Parameter, parameter));

    /// <summary>Declares a Linear-like layer y = x·Wᵀ + b whose statistics <see cref="Observe"/> will feed.</summary>
    public void AddLayer(Parameter weight, Parameter? bias)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Dim != 2) throw new ArgumentException($"A layer's weight must be (out, in); this one has shape {Tensor.FormatShape(weight.Shape)}.", nameof(weight));
        if (!Updates(weight)) throw new ArgumentException("The layer's weight is not updated by this optimizer.", nameof(weight));
        if (layersByWeight.ContainsKey(weight)) throw new ArgumentException("The layer was already added.", nameof(weight));
        if (bias is not null && (bias.Dim != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"A bias of shape {Tensor.FormatShape(bias.Shape)} does not match the weight {Tensor.FormatShape(weight.Shape)}.", nameof(bias));
        var layer = new Layer(weight, bias is not null && Updates(bias) ? bias : null, bias is not null);
        layersByWeight[weight] = layer;
        if (layer.Bias is not null) layersByBias[layer.Bias] = layer;
    }

    /// <summary>Adds <paramref name="linear"/> as a layer and records its statistics on every forward pass that builds a graph.</summary>
    public void AttachLinear(Linear linear)
    {
        ArgumentNullException.ThrowIfNull(linear);
        AddLayer(linear.Weight, linear.Bias);
        Layer layer = layersByWeight[linear.Weight];
        hooks.Add(linear.RegisterForwardHook((input, output) =>
        {
            if (!Autograd.IsGradEnabled || !output.RequiresGrad) return;
            using (Autograd.NoGrad()) layer.AddInput(InputStatistic(input, layer));
            layer.Outputs.Add(output.Alias().RetainGrad().DetachFromDisposeScope());
        }));
    }

    /// <summary>
    /// One observation of a declared layer for the next step: its input x (…, in) and the gradient of the loss with
    /// respect to its output (…, out). Several observations before a step (gradient accumulation) are averaged.
    /// </summary>
    public void Observe(Parameter weight, Tensor input, Tensor outputGradient)
    {
        if (!layersByWeight.TryGetValue(weight, out Layer? layer)) throw new ArgumentException("Observe a layer declared with AddLayer or AttachLinear.", nameof(weight));
        using var noGrad = Autograd.NoGrad();
        layer.AddInput(InputStatistic(input, layer));
        layer.AddOutput(SquaredMean(outputGradient, weight.Shape[0]));
    }

    public override void Step()
    {
        ConsumeObservations();
        base.Step();
    }

    /// <summary>Folds each layer's observations since the last step into its factors' moving averages.</summary>
    private void ConsumeObservations()
    {
        using var noGrad = Autograd.NoGrad();
        foreach (Layer layer in layersByWeight.Values)
        {
            using var scope = DisposeScope.Enter();
            foreach (Tensor output in layer.Outputs)
                if (output.Grad is { } g) layer.AddOutput(SquaredMean(g, layer.Weight.Shape[0]));
            layer.DisposeOutputs();
            if (layer.InputCount > 0 && layer.OutputCount > 0)
            {
                ParameterState state = StateOf(layer.Weight);
                double gamma = Options.FactorDecay;
                Tensor h = state.GetOrCreate("fisher.activations", () => layer.InputSum!.ZerosLike());
                Tensor s = state.GetOrCreate("fisher.output_grads", () => layer.OutputSum!.ZerosLike());
                h.Mul_(gamma).Add_(layer.InputSum!.Div(layer.InputCount), 1 - gamma);
                s.Mul_(gamma).Add_(layer.OutputSum!.Div(layer.OutputCount), 1 - gamma);
            }
            layer.ClearSums();
        }
    }

    protected override void Update(ParamGroup group, AdaFisherOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        Tensor m = state.GetOrCreate("exp_avg", () => p.ZerosLike());
        AdamMoments.UpdateFirst(m, grad, o.Beta);
        Tensor fisher = FisherDiagonal(o, p, grad, state);
        double lr = group.LearningRate;
        WeightDecay.Decoupled(p, lr, o.WeightDecay);
        p.Addcdiv_(m, fisher, -lr / AdamMoments.BiasCorrection(o.Beta, state.Step));
    }

    /// <summary>N(S) ⊗ N(H) + λ for a layer's weight or bias with factors, else N(D) + λ with D the squared-gradient EMA.</summary>
    private Tensor FisherDiagonal(AdaFisherOptions o, Parameter p, Tensor grad, ParameterState state)
    {
        if (layersByWeight.TryGetValue(p, out Layer? layer) && Factors(layer) is { } w)
        {
            Tensor inputs = layer.HasBiasColumn ? w.H.Narrow(0, 0, w.H.Shape[0] - 1) : w.H;
            return Normalize(w.S).Unsqueeze(1).Mul(Normalize(inputs).Unsqueeze(0)).Add_(o.Damping);
        }
        if (layersByBias.TryGetValue(p, out layer) && Factors(layer) is { } b)
            return Normalize(b.S).Mul_(Normalize(b.H).Select(0, b.H.Shape[0] - 1)).Add_(o.Damping);
        Tensor d = state.GetOrCreate("fisher.diag", () => p.ZerosLike());
        d.Mul_(o.FactorDecay).Addcmul_(grad, grad, 1 - o.FactorDecay);
        return Normalize(d).Add_(o.Damping);
    }

    private (Tensor H, Tensor S)? Factors(Layer layer)
    {
        ParameterState state = StateOf(layer.Weight);
        return state.TryGet("fisher.activations", out Tensor h) && state.TryGet("fisher.output_grads", out Tensor s) ? (h, s) : null;
    }

    /// <summary>Min-Max normalization to [0, 1): (z − min)/(max − min + 1e-6), a new tensor.</summary>
    private static Tensor Normalize(Tensor z)
    {
        Tensor min = z.Min();
        return z.Sub(min).Div_(z.Max().Sub(min).Add_(NormalizationEps));
    }

    /// <summary>mean over rows of x̄², x̄ = [x, 1] when the layer has a bias.</summary>
    private static Tensor InputStatistic(Tensor input, Layer layer)
    {
        long inFeatures = layer.Weight.Shape[1];
        Tensor h = SquaredMean(input, inFeatures);
        return layer.HasBiasColumn ? Tensor.Cat(new[] { h, h.OnesLike().Narrow(0, 0, 1) }) : h;
    }

    /// <summary>mean over every leading dimension of x², for x of shape (…, features).</summary>
    private static Tensor SquaredMean(Tensor x, long features)
    {
        if (x.Dim == 0 || x.Shape[^1] != features)
            throw new ArgumentException($"Expected a tensor whose last dimension is {features}, got shape {Tensor.FormatShape(x.Shape)}.", nameof(x));
        return x.Detach().Reshape(-1, features).Float().Square().Mean(0);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (IDisposable hook in hooks) hook.Dispose();
            hooks.Clear();
            foreach (Layer layer in layersByWeight.Values)
            {
                layer.DisposeOutputs();
                layer.ClearSums();
            }
        }
        base.Dispose(disposing);
    }

    /// <summary>A Linear-like layer and its observations since the last step (sums of statistics, retained outputs).</summary>
    private sealed class Layer(Parameter weight, Parameter? bias, bool hasBiasColumn)
    {
        public Parameter Weight { get; } = weight;
        public Parameter? Bias { get; } = bias;
        public bool HasBiasColumn { get; } = hasBiasColumn;
        public List<Tensor> Outputs { get; } = new();
        public Tensor? InputSum { get; private set; }
        public Tensor? OutputSum { get; private set; }
        public int InputCount { get; private set; }
        public int OutputCount { get; private set; }

        public void AddInput(Tensor statistic) => InputSum = Accumulate(InputSum, statistic, () => InputCount++);

        public void AddOutput(Tensor statistic) => OutputSum = Accumulate(OutputSum, statistic, () => OutputCount++);

        private static Tensor Accumulate(Tensor? sum, Tensor statistic, Action count)
        {
            count();
            if (sum is null) return statistic.Clone().DetachFromDisposeScope();
            sum.Add_(statistic);
            return sum;
        }

        public void DisposeOutputs()
        {
            foreach (Tensor t in Outputs) t.Dispose();
            Outputs.Clear();
        }

        public void ClearSums()
        {
            InputSum?.Dispose();
            OutputSum?.Dispose();
            (InputSum, OutputSum, InputCount, OutputCount) = (null, null, 0, 0);
        }
    }
}
