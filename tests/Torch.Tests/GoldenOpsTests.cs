using System.Text.Json;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Tests.Golden;

namespace TorchZoo.Torch.Tests;

/// <summary>
/// Runs every case of tests/golden/torch/ops.json (written by tests/golden/make_torch_fixtures.py with
/// PyTorch 1.13) through the binding and compares the outputs: shapes and dtypes always, integer and
/// boolean elements exactly, floating-point elements within a tolerance. A case whose op has no
/// mapping below fails, so the fixture and this file cannot drift apart silently.
/// </summary>
public class GoldenOpsTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        GoldenFixtures.Cases.Select(c => new TestCaseData(c.Name).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        GoldenCase c = GoldenFixtures.Get(name);
        using var scope = DisposeScope.Enter();
        var inputs = c.Inputs.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToTensor())).ToList();
        if (c.Params.Has("transpose_inputs"))
        {
            // Strided cases: the op sees a transposed (non-contiguous) view, as in the fixture script.
            foreach (string n in c.Params.Strings("transpose_inputs"))
            {
                int i = inputs.FindIndex(kv => kv.Key == n);
                Tensor view = inputs[i].Value.MT;
                Assert.That(view.IsContiguous, Is.False, $"input '{n}' should be a non-contiguous view");
                inputs[i] = KeyValuePair.Create(n, view);
            }
        }
        Dictionary<string, Tensor> outputs = Run(c.Op, new Ctx(inputs, c.Params));

        Assert.That(outputs.Keys.OrderBy(k => k, StringComparer.Ordinal),
            Is.EqualTo(c.Expected.Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal)),
            "the op produced other outputs than the fixture records");
        var failures = c.Expected
            .Select(kv => Mismatch(kv.Key, outputs[kv.Key], kv.Value, Tolerance(c, kv.Value.ScalarType)))
            .Where(m => m is not null)
            .ToList();
        if (failures.Count > 0) Assert.Fail(string.Join("\n", failures));
    }

    [Test]
    public void FixtureIsPresentAndComplete()
    {
        GoldenFixtures.TorchVersion.Should().StartWith("1.13");
        GoldenFixtures.Cases.Count.Should().BeGreaterThan(700, "the fixture should hold the full case list");
        GoldenFixtures.Cases.Select(c => c.Name).Should().OnlyHaveUniqueItems();
        var unmapped = GoldenFixtures.Cases.Select(c => c.Op).Distinct().Where(op => !Ops.ContainsKey(op)).ToList();
        unmapped.Should().BeEmpty("every op in the fixture needs a C# mapping in GoldenOpsTests");
    }

    [Test]
    public void ComparisonRejectsSmallErrorsAndWrongShapes()
    {
        using var scope = DisposeScope.Enter();
        GoldenTensor expected = GoldenTensor.Parse(JsonDocument.Parse(
            """{"dtype":"float32","shape":[2,2],"data":[1.0,-2.5,"nan","-inf"]}""").RootElement);
        using Tensor same = Tensor.FromArray(new[] { 1f, -2.5f, float.NaN, float.NegativeInfinity }, 2, 2);
        Mismatch("out", same, expected, (1e-5, 1e-6)).Should().BeNull();

        using Tensor off = Tensor.FromArray(new[] { 1f, -2.5001f, float.NaN, float.NegativeInfinity }, 2, 2);
        using Tensor nanMissing = Tensor.FromArray(new[] { 1f, -2.5f, 0f, float.NegativeInfinity }, 2, 2);
        using Tensor infSign = Tensor.FromArray(new[] { 1f, -2.5f, float.NaN, float.PositiveInfinity }, 2, 2);
        using Tensor flat = Tensor.FromArray(new[] { 1f, -2.5f, float.NaN, float.NegativeInfinity });
        using Tensor wide = Tensor.FromArray(new[] { 1.0, -2.5, double.NaN, double.NegativeInfinity }, 2, 2);
        foreach (Tensor wrong in new[] { off, nanMissing, infSign, flat, wide })
            Mismatch("out", wrong, expected, (1e-5, 1e-6)).Should().NotBeNull();

        GoldenTensor ints = GoldenTensor.Parse(JsonDocument.Parse("""{"dtype":"int64","shape":[3],"data":[1,2,3]}""").RootElement);
        using Tensor sameInts = Tensor.FromArray(new long[] { 1, 2, 3 });
        using Tensor offByOne = Tensor.FromArray(new long[] { 1, 2, 4 });
        Mismatch("out", sameInts, ints, (1e-5, 1e-6)).Should().BeNull();
        Mismatch("out", offByOne, ints, (1, 1)).Should().NotBeNull("integer outputs are compared exactly, whatever the float tolerance");
    }

    // ---- comparison ------------------------------------------------------------------------------

    // Default tolerances: float32 rtol 1e-5 / atol 1e-6 (a few ulps on values of order one: room for
    // another summation order, e.g. a different thread count, but not for a wrong formula); float64
    // rtol 1e-9 / atol 1e-12. Measured on the machine that wrote the fixture, all cases matched bit for
    // bit except the decompositions, two attention cases (the shim scales q before the product, the
    // reference scales the scores after) and one stft; those few are well within the defaults.
    // Decompositions and solvers still get rtol 1e-4 / atol 1e-5 in float32 (1e-9 / 1e-10 in float64):
    // LAPACK's blocked algorithms run on OpenBLAS kernels chosen by CPU and thread count, their rounding
    // error grows like n·eps·cond(A), and the compared reconstructions (U·S·Vh, Q·R, Q·Λ·Qᵀ, QᵀQ = I)
    // add another n-term sum, so two correct runs on different machines need not agree to 1e-5.
    private static readonly HashSet<string> LinalgOps = new(StringComparer.Ordinal)
    {
        "svd", "eigh", "qr", "cholesky", "inverse", "solve", "matrix_norm",
    };

    private static (double Rtol, double Atol) Tolerance(GoldenCase c, ScalarType dtype)
    {
        bool f64 = dtype == ScalarType.Float64;
        if (LinalgOps.Contains(c.Op)) return f64 ? (1e-9, 1e-10) : (1e-4, 1e-5);
        return f64 ? (1e-9, 1e-12) : (1e-5, 1e-6);
    }

    private static string DtypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Int64 => "int64",
        ScalarType.Bool => "bool",
        _ => t.ToString(),
    };

    /// <summary>Null when <paramref name="actual"/> matches, else a description of the first differences.</summary>
    private static string? Mismatch(string output, Tensor actual, GoldenTensor expected, (double Rtol, double Atol) tol)
    {
        if (!actual.Shape.SequenceEqual(expected.Shape))
            return $"output '{output}': shape {Tensor.FormatShape(actual.Shape)}, expected {Tensor.FormatShape(expected.Shape)}";
        if (DtypeName(actual.Dtype) != expected.Dtype)
            return $"output '{output}': dtype {DtypeName(actual.Dtype)}, expected {expected.Dtype}";

        double[] want = expected.AsDoubles();
        double[] got = actual.Dtype switch
        {
            ScalarType.Float32 => actual.ToArray<float>().Select(f => (double)f).ToArray(),
            ScalarType.Float64 => actual.ToArray<double>(),
            ScalarType.Int64 => actual.ToArray<long>().Select(v => (double)v).ToArray(),
            _ => actual.ToArray<bool>().Select(b => b ? 1.0 : 0.0).ToArray(),
        };
        // Integer and boolean outputs must match exactly (the fixture's int64 values are small, so the
        // widening to double is exact).
        if (!expected.ScalarType.IsFloatingPoint()) tol = (0, 0);
        var bad = new List<string>();
        int count = 0;
        for (int i = 0; i < want.Length; i++)
        {
            double e = want[i], a = got[i];
            bool ok = double.IsNaN(e) ? double.IsNaN(a)
                : double.IsInfinity(e) ? a == e
                : !double.IsNaN(a) && Math.Abs(a - e) <= tol.Atol + tol.Rtol * Math.Abs(e);
            if (ok) continue;
            if (++count <= 6) bad.Add($"[{i}] expected {e:R}, got {a:R} (diff {Math.Abs(a - e):G3})");
        }
        return count == 0 ? null
            : $"output '{output}': {count} of {want.Length} elements differ beyond rtol {tol.Rtol:G}, atol {tol.Atol:G}:\n  " + string.Join("\n  ", bad);
    }

    // ---- op mapping ------------------------------------------------------------------------------

    /// <summary>The inputs of one op call, by name and in fixture order, and its parameters.</summary>
    private sealed class Ctx
    {
        private readonly IReadOnlyList<KeyValuePair<string, Tensor>> inputs;

        public Ctx(IReadOnlyList<KeyValuePair<string, Tensor>> inputs, GoldenParams parameters)
        {
            this.inputs = inputs;
            P = parameters;
        }

        public GoldenParams P { get; }

        public IReadOnlyList<KeyValuePair<string, Tensor>> Inputs => inputs;

        public Tensor? Opt(string name) => inputs.FirstOrDefault(kv => kv.Key == name).Value;

        public Tensor this[string name] => Opt(name) ?? throw new InvalidDataException($"The case has no input '{name}'.");

        public IReadOnlyList<Tensor> All => inputs.Select(kv => kv.Value).ToList();
    }

    private static Dictionary<string, Tensor> Run(string op, Ctx c)
    {
        if (!Ops.TryGetValue(op, out var run))
            Assert.Fail($"The fixture op '{op}' has no C# mapping in GoldenOpsTests: add one (the case must not be skipped).");
        return run!(c);
    }

    private static Dictionary<string, Tensor> Out(Tensor t) => new() { ["out"] = t };

    private static Dictionary<string, Tensor> Pair(string first, Tensor a, string second, Tensor b) => new() { [first] = a, [second] = b };

    private static Dictionary<string, Tensor> Parts(Tensor[] parts)
    {
        var d = new Dictionary<string, Tensor>();
        for (int i = 0; i < parts.Length; i++) d["out" + i] = parts[i];
        return d;
    }

    /// <summary>Runs an in-place method on a copy and checks it returned the same tensor and kept its storage.</summary>
    private static Dictionary<string, Tensor> InPlace(Tensor input, Func<Tensor, Tensor> method)
    {
        Tensor x = input.Clone();
        IntPtr storage = x.DataPointer;
        Tensor r = method(x);
        Assert.That(r, Is.SameAs(x), "an in-place method must return the tensor it was called on");
        Assert.That(x.DataPointer, Is.EqualTo(storage), "an in-place method must write into the tensor's own storage");
        return Out(x);
    }

    private static Reduction Red(GoldenParams p) => p.String("reduction") switch
    {
        "none" => Reduction.None,
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        string s => throw new InvalidDataException($"Unknown reduction '{s}'."),
    };

    private static readonly Dictionary<string, Func<Ctx, Dictionary<string, Tensor>>> Ops = BuildOps();

    private static Dictionary<string, Func<Ctx, Dictionary<string, Tensor>>> BuildOps()
    {
        var ops = new Dictionary<string, Func<Ctx, Dictionary<string, Tensor>>>(StringComparer.Ordinal);
        void Add(string name, Func<Ctx, Dictionary<string, Tensor>> f) => ops.Add(name, f);

        // elementwise unary
        var unary = new Dictionary<string, Func<Tensor, Tensor>>
        {
            ["neg"] = x => x.Neg(), ["abs"] = x => x.Abs(), ["sign"] = x => x.Sign(), ["sqrt"] = x => x.Sqrt(),
            ["rsqrt"] = x => x.Rsqrt(), ["exp"] = x => x.Exp(), ["log"] = x => x.Log(), ["log2"] = x => x.Log2(),
            ["log1p"] = x => x.Log1p(), ["expm1"] = x => x.Expm1(), ["sin"] = x => x.Sin(), ["cos"] = x => x.Cos(),
            ["tanh"] = x => x.Tanh(), ["sigmoid"] = x => x.Sigmoid(), ["relu"] = x => x.Relu(),
            ["gelu"] = x => x.Gelu(), ["gelu_tanh"] = x => x.Gelu(tanhApproximation: true), ["silu"] = x => x.Silu(),
            ["softplus"] = x => x.Softplus(), ["reciprocal"] = x => x.Reciprocal(), ["square"] = x => x.Square(),
            ["floor"] = x => x.Floor(), ["ceil"] = x => x.Ceil(), ["round"] = x => x.Round(), ["trunc"] = x => x.Trunc(),
            ["erf"] = x => x.Erf(), ["erfinv"] = x => x.Erfinv(), ["isnan"] = x => x.IsNaN(), ["isinf"] = x => x.IsInf(),
            ["isfinite"] = x => x.IsFinite(), ["logical_not"] = x => x.LogicalNot(),
        };
        foreach (var (n, f) in unary) Add("unary." + n, c => Out(f(c["x"])));

        var unaryInPlace = new Dictionary<string, Func<Tensor, Tensor>>
        {
            ["neg"] = x => x.Neg_(), ["abs"] = x => x.Abs_(), ["sign"] = x => x.Sign_(), ["sqrt"] = x => x.Sqrt_(),
            ["rsqrt"] = x => x.Rsqrt_(), ["exp"] = x => x.Exp_(), ["log"] = x => x.Log_(), ["tanh"] = x => x.Tanh_(),
            ["sigmoid"] = x => x.Sigmoid_(), ["relu"] = x => x.Relu_(), ["reciprocal"] = x => x.Reciprocal_(),
            ["square"] = x => x.Square_(), ["floor"] = x => x.Floor_(), ["round"] = x => x.Round_(),
            ["erfinv"] = x => x.Erfinv_(), ["zero"] = x => x.Zero_(),
        };
        foreach (var (n, f) in unaryInPlace) Add("unary_." + n, c => InPlace(c["x"], f));

        // elementwise binary
        var binary = new Dictionary<string, Func<Tensor, Tensor, GoldenParams, Tensor>>
        {
            ["add"] = (a, b, p) => a.Add(b, p.OptDouble("alpha") ?? 1), ["sub"] = (a, b, p) => a.Sub(b, p.OptDouble("alpha") ?? 1),
            ["mul"] = (a, b, _) => a.Mul(b), ["div"] = (a, b, _) => a.Div(b), ["pow"] = (a, b, _) => a.Pow(b),
            ["maximum"] = (a, b, _) => a.Maximum(b), ["minimum"] = (a, b, _) => a.Minimum(b), ["atan2"] = (a, b, _) => a.Atan2(b),
            ["fmod"] = (a, b, _) => a.Fmod(b), ["remainder"] = (a, b, _) => a.Remainder(b),
            ["eq"] = (a, b, _) => a.Eq(b), ["ne"] = (a, b, _) => a.Ne(b), ["lt"] = (a, b, _) => a.Lt(b),
            ["le"] = (a, b, _) => a.Le(b), ["gt"] = (a, b, _) => a.Gt(b), ["ge"] = (a, b, _) => a.Ge(b),
            ["logical_and"] = (a, b, _) => a.LogicalAnd(b), ["logical_or"] = (a, b, _) => a.LogicalOr(b),
            ["logical_xor"] = (a, b, _) => a.LogicalXor(b),
        };
        foreach (var (n, f) in binary) Add("binary." + n, c => Out(f(c["a"], c["b"], c.P)));

        var binaryInPlace = new Dictionary<string, Func<Tensor, Tensor, GoldenParams, Tensor>>
        {
            ["add"] = (a, b, p) => a.Add_(b, p.OptDouble("alpha") ?? 1), ["sub"] = (a, b, p) => a.Sub_(b, p.OptDouble("alpha") ?? 1),
            ["mul"] = (a, b, _) => a.Mul_(b), ["div"] = (a, b, _) => a.Div_(b), ["pow"] = (a, b, _) => a.Pow_(b),
            ["maximum"] = (a, b, _) => a.Maximum_(b), ["minimum"] = (a, b, _) => a.Minimum_(b), ["copy"] = (a, b, _) => a.Copy_(b),
        };
        foreach (var (n, f) in binaryInPlace) Add("binary_." + n, c => InPlace(c["a"], a => f(a, c["b"], c.P)));

        var withScalar = new Dictionary<string, Func<Tensor, double, Tensor>>
        {
            ["add"] = (a, s) => a.Add(s), ["sub"] = (a, s) => a.Sub(s), ["mul"] = (a, s) => a.Mul(s), ["div"] = (a, s) => a.Div(s),
            ["pow"] = (a, s) => a.Pow(s), ["fmod"] = (a, s) => a.Fmod(s), ["remainder"] = (a, s) => a.Remainder(s),
            ["eq"] = (a, s) => a.Eq(s), ["ne"] = (a, s) => a.Ne(s), ["lt"] = (a, s) => a.Lt(s), ["le"] = (a, s) => a.Le(s),
            ["gt"] = (a, s) => a.Gt(s), ["ge"] = (a, s) => a.Ge(s),
        };
        foreach (var (n, f) in withScalar) Add("binary_scalar." + n, c => Out(f(c["a"], c.P.Double("s"))));

        var withScalarInPlace = new Dictionary<string, Func<Tensor, double, Tensor>>
        {
            ["add"] = (a, s) => a.Add_(s), ["sub"] = (a, s) => a.Sub_(s), ["mul"] = (a, s) => a.Mul_(s),
            ["div"] = (a, s) => a.Div_(s), ["pow"] = (a, s) => a.Pow_(s),
        };
        foreach (var (n, f) in withScalarInPlace) Add("binary_scalar_." + n, c => InPlace(c["a"], a => f(a, c.P.Double("s"))));

        Add("scalar_tensor.add", c => Out(c.P.Double("s") + c["b"]));
        Add("scalar_tensor.sub", c => Out(c.P.Double("s") - c["b"]));
        Add("scalar_tensor.mul", c => Out(c.P.Double("s") * c["b"]));
        Add("scalar_tensor.div", c => Out(c.P.Double("s") / c["b"]));
        Add("scalar_tensor.pow", c => Out(Tensor.Pow(c.P.Double("s"), c["b"])));
        Add("operator.add", c => Out(c["a"] + c["b"]));
        Add("operator.sub", c => Out(c["a"] - c["b"]));
        Add("operator.mul", c => Out(c["a"] * c["b"]));
        Add("operator.div", c => Out(c["a"] / c["b"]));
        Add("operator.neg", c => Out(-c["a"]));

        Add("addcmul", c => Out(c["x"].Addcmul(c["t1"], c["t2"], c.P.Double("value"))));
        Add("addcdiv", c => Out(c["x"].Addcdiv(c["t1"], c["t2"], c.P.Double("value"))));
        Add("addcmul_", c => InPlace(c["x"], x => x.Addcmul_(c["t1"], c["t2"], c.P.Double("value"))));
        Add("addcdiv_", c => InPlace(c["x"], x => x.Addcdiv_(c["t1"], c["t2"], c.P.Double("value"))));
        Add("lerp", c => Out(c.Opt("weight") is { } w ? c["x"].Lerp(c["end"], w) : c["x"].Lerp(c["end"], c.P.Double("weight"))));
        Add("lerp_", c => InPlace(c["x"], x => c.Opt("weight") is { } w ? x.Lerp_(c["end"], w) : x.Lerp_(c["end"], c.P.Double("weight"))));
        Add("clamp", c => Out(c["x"].Clamp(c.P.OptDouble("min"), c.P.OptDouble("max"))));
        Add("clamp_", c => InPlace(c["x"], x => x.Clamp_(c.P.OptDouble("min"), c.P.OptDouble("max"))));
        Add("where", c => Out(Tensor.Where(c["cond"], c["a"], c["b"])));
        Add("masked_fill", c => Out(c["x"].MaskedFill(c["mask"], c.P.Double("value"))));
        Add("masked_fill_", c => InPlace(c["x"], x => x.MaskedFill_(c["mask"], c.P.Double("value"))));
        Add("fill_", c => InPlace(c["x"], x => x.Fill_(c.P.Double("value"))));

        // reductions
        Add("reduce.sum", c => Out(c["x"].Sum(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.mean", c => Out(c["x"].Mean(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.prod", c => Out(c["x"].Prod(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.amax", c => Out(c["x"].Amax(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.amin", c => Out(c["x"].Amin(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.all", c => Out(c["x"].All(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.any", c => Out(c["x"].Any(c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.logsumexp", c => Out(c["x"].LogSumExp(c.P.Longs("dims"), c.P.Bool("keepdim"))));
        Add("reduce.var", c => Out(c["x"].Var(c.P.OptLongs("dims"), c.P.Bool("unbiased"), c.P.Bool("keepdim"))));
        Add("reduce.std", c => Out(c["x"].Std(c.P.OptLongs("dims"), c.P.Bool("unbiased"), c.P.Bool("keepdim"))));
        Add("reduce.norm", c => Out(c["x"].Norm(c.P.Double("p"), c.P.OptLongs("dims"), c.P.Bool("keepdim"))));
        Add("max_dim", c =>
        {
            var (v, i) = c["x"].Max(c.P.Long("dim"), c.P.Bool("keepdim"));
            return Pair("values", v, "indices", i);
        });
        Add("min_dim", c =>
        {
            var (v, i) = c["x"].Min(c.P.Long("dim"), c.P.Bool("keepdim"));
            return Pair("values", v, "indices", i);
        });
        Add("max_all", c => Out(c["x"].Max()));
        Add("min_all", c => Out(c["x"].Min()));
        Add("argmax", c => Out(c["x"].ArgMax(c.P.OptLong("dim"), c.P.Bool("keepdim"))));
        Add("argmin", c => Out(c["x"].ArgMin(c.P.OptLong("dim"), c.P.Bool("keepdim"))));
        Add("cumsum", c => Out(c["x"].CumSum(c.P.Long("dim"))));
        Add("topk", c =>
        {
            var (v, i) = c["x"].TopK(c.P.Long("k"), c.P.Long("dim"), c.P.Bool("largest"));
            return Pair("values", v, "indices", i);
        });
        Add("sort", c =>
        {
            var (v, i) = c["x"].Sort(c.P.Long("dim"), c.P.Bool("descending"));
            return Pair("values", v, "indices", i);
        });

        // shapes and indexing
        Add("reshape", c => Out(c["x"].Reshape(c.P.Longs("shape"))));
        Add("view", c => Out(c["x"].View(c.P.Longs("shape"))));
        Add("permute", c => Out(c["x"].Permute(c.P.Longs("dims"))));
        Add("permute_contiguous", c =>
        {
            Tensor t = c["x"].Permute(c.P.Longs("dims")).Contiguous();
            Assert.That(t.IsContiguous, Is.True, "Contiguous() must return a contiguous tensor");
            return Out(t);
        });
        Add("transpose", c => Out(c["x"].Transpose(c.P.Long("dim0"), c.P.Long("dim1"))));
        Add("mT", c => Out(c["x"].MT));
        Add("squeeze", c => Out(c["x"].Squeeze(c.P.OptLong("dim"))));
        Add("unsqueeze", c => Out(c["x"].Unsqueeze(c.P.Long("dim"))));
        Add("expand", c => Out(c["x"].Expand(c.P.Longs("shape"))));
        Add("flatten", c => Out(c["x"].Flatten(c.P.Long("start"), c.P.Long("end"))));
        Add("repeat", c => Out(c["x"].Repeat(c.P.Longs("repeats"))));
        Add("flip", c => Out(c["x"].Flip(c.P.Longs("dims"))));
        Add("narrow", c => Out(c["x"].Narrow(c.P.Long("dim"), c.P.Long("start"), c.P.Long("length"))));
        Add("slice", c => Out(c["x"].Slice(c.P.Long("dim"), c.P.Long("start"), c.P.Long("end"), c.P.Long("step"))));
        Add("select", c => Out(c["x"].Select(c.P.Long("dim"), c.P.Long("index"))));
        Add("index0", c => Out(c["x"][c.P.Long("index")]));
        Add("index_select", c => Out(c["x"].IndexSelect(c.P.Long("dim"), c["index"])));
        Add("gather", c => Out(c["x"].Gather(c.P.Long("dim"), c["index"])));
        Add("scatter", c => Out(c["x"].Scatter(c.P.Long("dim"), c["index"], c["src"])));
        Add("scatter_add", c => Out(c["x"].ScatterAdd(c.P.Long("dim"), c["index"], c["src"])));
        Add("masked_select", c => Out(c["x"].MaskedSelect(c["mask"])));
        Add("tril", c => Out(c["x"].Tril(c.P.Long("diagonal"))));
        Add("triu", c => Out(c["x"].Triu(c.P.Long("diagonal"))));
        Add("cat", c => Out(Tensor.Cat(c.All, c.P.Long("dim"))));
        Add("stack", c => Out(Tensor.Stack(c.All, c.P.Long("dim"))));
        Add("chunk", c => Parts(c["x"].Chunk(c.P.Long("chunks"), c.P.Long("dim"))));
        Add("split", c => Parts(c.P.Has("sizes")
            ? c["x"].Split(c.P.Longs("sizes"), c.P.Long("dim"))
            : c["x"].Split(c.P.Long("size"), c.P.Long("dim"))));

        // linear algebra
        Add("matmul", c => Out(Linalg.Matmul(c["a"], c["b"])));
        Add("mm", c => Out(Linalg.Mm(c["a"], c["b"])));
        Add("bmm", c => Out(Linalg.Bmm(c["a"], c["b"])));
        Add("outer", c => Out(Linalg.Outer(c["a"], c["b"])));
        Add("dot", c => Out(Linalg.Dot(c["a"], c["b"])));
        Add("addmm", c => Out(Linalg.Addmm(c["x"], c["a"], c["b"], c.P.Double("beta"), c.P.Double("alpha"))));
        Add("addmm_", c => InPlace(c["x"], x => Linalg.Addmm_(x, c["a"], c["b"], c.P.Double("beta"), c.P.Double("alpha"))));
        // Decompositions: singular/eigen vectors are unique only up to sign, so the fixture records the
        // values, the reconstruction and the orthonormality of the factors, computed here the same way.
        Add("svd", c =>
        {
            var (u, s, vh) = Linalg.Svd(c["x"], c.P.Bool("full_matrices"));
            long k = s.Size(-1);
            Tensor recon = u.Narrow(-1, 0, k).Mul(s.Unsqueeze(-2)).Matmul(vh.Narrow(-2, 0, k));
            return new() { ["S"] = s, ["recon"] = recon, ["UhU"] = u.MT.Matmul(u), ["VhV"] = vh.Matmul(vh.MT) };
        });
        Add("eigh", c =>
        {
            var (l, q) = Linalg.Eigh(c["x"], c.P.Bool("upper"));
            Tensor recon = q.Mul(l.Unsqueeze(-2)).Matmul(q.MT);
            return new() { ["eigenvalues"] = l, ["recon"] = recon, ["QtQ"] = q.MT.Matmul(q) };
        });
        Add("qr", c =>
        {
            var (q, r) = Linalg.Qr(c["x"], c.P.Bool("complete"));
            return new()
            {
                ["recon"] = q.Matmul(r), ["R_below_diagonal"] = r.Tril(-1), ["QtQ"] = q.MT.Matmul(q), ["R_shape_probe"] = r.ZerosLike(),
            };
        });
        Add("cholesky", c => Out(Linalg.Cholesky(c["x"], c.P.Bool("upper"))));
        Add("inverse", c => Out(Linalg.Inverse(c["x"])));
        Add("solve", c => Out(Linalg.Solve(c["a"], c["b"])));
        Add("matrix_norm", c => Out(Linalg.MatrixNorm(c["x"], c.P.String("ord"), c.P.Bool("keepdim"))));
        Add("diag", c => Out(Linalg.Diag(c["x"], c.P.Long("diagonal"))));

        // nn functional
        Add("linear", c => Out(Functional.Linear(c["x"], c["weight"], c.Opt("bias"))));
        Add("layer_norm", c => Out(Functional.LayerNorm(c["x"], c.P.Longs("normalized_shape"), c.Opt("weight"), c.Opt("bias"), c.P.Double("eps"))));
        Add("softmax", c => Out(Functional.Softmax(c["x"], c.P.Long("dim"))));
        Add("log_softmax", c => Out(Functional.LogSoftmax(c["x"], c.P.Long("dim"))));
        Add("dropout", c => Out(Functional.Dropout(c["x"], c.P.Double("p"), c.P.Bool("training"))));
        Add("conv2d", c => Out(Functional.Conv2d(c["x"], c["weight"], c.Opt("bias"), c.P.Pair("stride"), c.P.Pair("padding"),
            c.P.Pair("dilation"), c.P.Long("groups"))));
        Add("max_pool2d", c => Out(Functional.MaxPool2d(c["x"], c.P.Pair("kernel"), c.P.OptPair("stride"), c.P.OptPair("padding"))));
        Add("avg_pool2d", c => Out(Functional.AvgPool2d(c["x"], c.P.Pair("kernel"), c.P.OptPair("stride"), c.P.OptPair("padding"))));
        Add("embedding", c => Out(Functional.Embedding(c["indices"], c["weight"])));
        Add("cross_entropy", c => Out(Functional.CrossEntropy(c["logits"], c["target"], c.Opt("weight"), Red(c.P),
            c.P.OptLong("ignore_index") ?? -100, c.P.OptDouble("label_smoothing") ?? 0)));
        Add("mse_loss", c => Out(Functional.MseLoss(c["input"], c["target"], Red(c.P))));
        Add("l1_loss", c => Out(Functional.L1Loss(c["input"], c["target"], Red(c.P))));
        Add("smooth_l1_loss", c => Out(Functional.SmoothL1Loss(c["input"], c["target"], Red(c.P), c.P.Double("beta"))));
        Add("huber_loss", c => Out(Functional.HuberLoss(c["input"], c["target"], Red(c.P), c.P.Double("delta"))));
        Add("bce_with_logits", c => Out(Functional.BinaryCrossEntropyWithLogits(c["input"], c["target"], Red(c.P))));
        Add("sdpa", c => Out(Functional.ScaledDotProductAttention(c["q"], c["k"], c["v"], c.Opt("mask"),
            isCausal: c.P.Bool("causal"), scale: c.P.OptDouble("scale"))));
        Add("stft", c =>
        {
            Tensor z = Functional.Stft(c["signal"], c.P.Long("n_fft"), c.P.OptLong("hop_length"), c.P.OptLong("win_length"),
                c.Opt("window"), c.P.Bool("center"), c.P.Bool("normalized"));
            Tensor realImag = z.ViewAsReal();
            return new() { ["magnitude"] = realImag.Square().Sum(-1).Sqrt(), ["real_imag"] = realImag };
        });

        // _foreach_ list ops: lists are the inputs x0, x1, ... (and y, t, u for the second operands)
        List<Tensor> L(Ctx c, string prefix) => c.Inputs
            .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && kv.Key[prefix.Length..].All(char.IsDigit))
            .Select(kv => kv.Value).ToList();
        Dictionary<string, Tensor> ForEach(Ctx c, Action<List<Tensor>> apply)
        {
            List<Tensor> xs = L(c, "x").Select(t => t.Clone()).ToList();
            IntPtr[] storage = xs.Select(t => t.DataPointer).ToArray();
            apply(xs);
            Assert.That(xs.Select(t => t.DataPointer), Is.EqualTo(storage), "_foreach_ ops must work in place");
            return Parts(xs.ToArray());
        }
        Add("foreach.add_", c => ForEach(c, xs => TensorList.Add_(xs, L(c, "y"), c.P.OptDouble("alpha") ?? 1)));
        Add("foreach.sub_", c => ForEach(c, xs => TensorList.Sub_(xs, L(c, "y"), c.P.OptDouble("alpha") ?? 1)));
        Add("foreach.mul_", c => ForEach(c, xs => TensorList.Mul_(xs, L(c, "y"))));
        Add("foreach.div_", c => ForEach(c, xs => TensorList.Div_(xs, L(c, "y"))));
        Add("foreach.maximum_", c => ForEach(c, xs => TensorList.Maximum_(xs, L(c, "y"))));
        Add("foreach.add_scalar_", c => ForEach(c, xs => TensorList.Add_(xs, c.P.Double("s"))));
        Add("foreach.mul_scalar_", c => ForEach(c, xs => TensorList.Mul_(xs, c.P.Double("s"))));
        Add("foreach.div_scalar_", c => ForEach(c, xs => TensorList.Div_(xs, c.P.Double("s"))));
        Add("foreach.sqrt_", c => ForEach(c, TensorList.Sqrt_));
        Add("foreach.zero_", c => ForEach(c, TensorList.Zero_));
        Add("foreach.neg_", c => ForEach(c, TensorList.Neg_));
        Add("foreach.abs_", c => ForEach(c, TensorList.Abs_));
        Add("foreach.addcmul_", c => ForEach(c, xs => TensorList.Addcmul_(xs, L(c, "t"), L(c, "u"), c.P.Double("value"))));
        Add("foreach.addcdiv_", c => ForEach(c, xs => TensorList.Addcdiv_(xs, L(c, "t"), L(c, "u"), c.P.Double("value"))));
        Add("foreach.norm", c => Parts(TensorList.Norm(L(c, "x"), c.P.Double("p"))));

        // creation and conversion
        ScalarType Dt(Ctx c) => GoldenTensor.DtypeOf(c.P.String("dtype"));
        Add("arange", c => Out(Tensor.Arange(c.P.Double("start"), c.P.Double("end"), c.P.Double("step"), Dt(c))));
        Add("arange_n", c => Out(Tensor.Arange(c.P.Long("n"))));
        Add("linspace", c => Out(Tensor.Linspace(c.P.Double("start"), c.P.Double("end"), c.P.Long("steps"), Dt(c))));
        Add("eye", c => Out(Tensor.Eye(c.P.Long("n"), c.P.OptLong("m"), Dt(c))));
        Add("full", c => Out(Tensor.Full(c.P.Longs("shape"), c.P.Double("value"), Dt(c))));
        Add("scalar", c => Out(Tensor.Scalar(c.P.Double("value"), Dt(c))));
        Add("to", c => Out(c["x"].To(Dt(c))));
        Add("zeros_like", c => Out(c["x"].ZerosLike()));
        Add("ones_like", c => Out(c["x"].OnesLike(c.P.Has("dtype") ? Dt(c) : null)));

        // autograd: d/d(input) of sum(f(inputs) * w), through Backward() + .Grad or Autograd.Grad
        Add("grad", c =>
        {
            string[] wrt = c.P.Strings("wrt");
            var fnInputs = c.Inputs.Where(kv => kv.Key != "w").ToList();
            foreach (string n in wrt) fnInputs.Single(kv => kv.Key == n).Value.RequiresGrad = true;
            Tensor y = Run(c.P.String("fn"), new Ctx(fnInputs, c.P.Object("fn_params")))["out"];
            Tensor[] leaves = wrt.Select(n => c[n]).ToArray();
            Tensor?[] grads;
            switch (c.P.String("via"))
            {
                case "backward":
                    (y * c["w"]).Sum().Backward();
                    grads = leaves.Select(l => l.Grad).ToArray();
                    break;
                case "backward_gradient":
                    y.Backward(c["w"]);
                    grads = leaves.Select(l => l.Grad).ToArray();
                    break;
                case "grad":
                    grads = Autograd.Grad(new[] { (y * c["w"]).Sum() }, leaves);
                    break;
                default:
                    throw new InvalidDataException($"Unknown way to differentiate '{c.P.String("via")}'.");
            }
            var result = new Dictionary<string, Tensor>();
            for (int i = 0; i < wrt.Length; i++)
                result["grad_" + wrt[i]] = grads[i] ?? throw new AssertionException($"no gradient reached input '{wrt[i]}'");
            return result;
        });
        // Hessian-vector product by double backward: f = sum(x³·a), g = ∇f = 3x²·a, Hv = ∇(g·v) = 6x·a·v.
        Add("hvp_cubic", c =>
        {
            Tensor x = c["x"];
            x.RequiresGrad = true;
            Tensor f = (x.Pow(3) * c["a"]).Sum();
            Tensor g = Autograd.Grad(new[] { f }, new[] { x }, createGraph: true)[0]!;
            Assert.That(g.RequiresGrad, Is.True, "with createGraph the gradient must itself be differentiable");
            (g * c["v"]).Sum().Backward();
            Tensor hv = x.Grad ?? throw new AssertionException("the second backward pass left no gradient");
            return new() { ["grad"] = g.Detach(), ["hvp"] = hv };
        });

        return ops;
    }
}
