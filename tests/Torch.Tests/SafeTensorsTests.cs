using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchZoo.Torch.NN;
using TorchZoo.Torch.Serialization;

namespace TorchZoo.Torch.Tests;

/// <summary>safetensors: PyTorch-written files load exactly, ours load in PyTorch, bad files are refused before any tensor exists.</summary>
public class SafeTensorsTests
{
    private DisposeScope scope = null!;
    private string dir = null!;

    private static string Golden(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "golden", name);

    [SetUp]
    public void SetUp()
    {
        dir = Path.Combine(Path.GetTempPath(), "tz-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        scope = DisposeScope.Enter();
    }

    [TearDown]
    public void TearDown()
    {
        scope.Dispose();
        Directory.Delete(dir, recursive: true);
    }

    private static readonly Dictionary<string, ScalarType> Codes = new()
    {
        ["F64"] = ScalarType.Float64, ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>The little-endian bytes a tensor of this dtype holds for the JSON values (bit patterns for floats).</summary>
    private static byte[] ExpectedBytes(ScalarType dtype, JsonArray values)
    {
        int size = dtype.ElementSize();
        var bytes = new byte[values.Count * size];
        for (int i = 0; i < values.Count; i++)
        {
            Span<byte> at = bytes.AsSpan(i * size, size);
            JsonNode v = values[i]!;
            if (dtype == ScalarType.Bool) at[0] = v.GetValue<bool>() ? (byte)1 : (byte)0;
            else if (dtype is ScalarType.Float64) BinaryPrimitives.WriteUInt64LittleEndian(at, v.GetValue<ulong>());
            else if (dtype is ScalarType.Float32) BinaryPrimitives.WriteUInt32LittleEndian(at, v.GetValue<uint>());
            else if (dtype is ScalarType.Float16 or ScalarType.BFloat16) BinaryPrimitives.WriteUInt16LittleEndian(at, v.GetValue<ushort>());
            else if (dtype == ScalarType.Int64) BinaryPrimitives.WriteInt64LittleEndian(at, v.GetValue<long>());
            else if (dtype == ScalarType.Int32) BinaryPrimitives.WriteInt32LittleEndian(at, v.GetValue<int>());
            else if (dtype == ScalarType.Int16) BinaryPrimitives.WriteInt16LittleEndian(at, v.GetValue<short>());
            else if (dtype == ScalarType.Int8) at[0] = (byte)v.GetValue<sbyte>();
            else at[0] = v.GetValue<byte>();
        }
        return bytes;
    }

    private static byte[] RawBytes(Tensor t)
    {
        var b = new byte[t.ByteCount];
        t.CopyTo(b);
        return b;
    }

    [Test]
    public void LoadsAFileWrittenFromPyTorchExactly()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Golden("pytorch_written.json")))!;
        var wantTensors = expected["tensors"]!.AsObject();
        var loaded = SafeTensors.Load(Golden("pytorch_written.safetensors"));

        loaded.Keys.Should().BeEquivalentTo(wantTensors.Select(kv => kv.Key));
        wantTensors.Count.Should().BeGreaterThanOrEqualTo(13);
        foreach (var (name, node) in wantTensors)
        {
            Tensor t = loaded[name];
            ScalarType dtype = Codes[node!["dtype"]!.GetValue<string>()];
            t.Dtype.Should().Be(dtype, name);
            t.Shape.Should().Equal(node["shape"]!.AsArray().Select(s => s!.GetValue<long>()), name);
            RawBytes(t).Should().Equal(ExpectedBytes(dtype, node["values"]!.AsArray()), name);
        }

        // Spot checks through the typed accessors.
        loaded["scalar_f32"].Dim.Should().Be(0);
        loaded["scalar_f32"].Item().Should().Be(3.25);
        loaded["scalar_i64"].ItemInt64().Should().Be(-7);
        loaded["empty_f32"].Shape.Should().Equal(0, 3);
        loaded["i64"].ToArray<long>().Should().Equal(0, 1, -1, long.MaxValue, long.MinValue, 1234567890123);
        loaded["bool"].ToArray<bool>().Should().Equal(true, false, true, false, false, true);
        loaded["transposed"].ToArray<float>().Should().Equal(0, 3, 1, 4, 2, 5);
        float[] f32 = loaded["f32"].ToArray<float>();
        BitConverter.SingleToUInt32Bits(f32[1]).Should().Be(0x80000000u, "-0.0 keeps its sign");
        float.IsNaN(f32[6]).Should().BeTrue();
        loaded["f16"].ToArray<Half>()[9].Should().Be((Half)65504);
        ((float)loaded["bf16"].ToArray<BFloat16>()[3]).Should().Be(-2.5f);

        var (_, metadata) = SafeTensors.ReadHeader(Golden("pytorch_written.safetensors"));
        metadata.Should().Contain("format", "pt");
    }

    /// <summary>One tensor per dtype (plus a scalar, an empty and a strided one) from known arrays, and the JSON values they hold.</summary>
    private static (Dictionary<string, Tensor> Tensors, JsonObject Expected) EveryDtype()
    {
        var rng = new Random(17);
        var tensors = new Dictionary<string, Tensor>();
        var expected = new JsonObject();
        void Add<T>(string name, string code, T[] data, long[] shape, Func<T, JsonNode> json) where T : unmanaged
        {
            // The span overload: an empty shape means a 0-d tensor (the params overload reads it as "1-D").
            tensors[name] = Tensor.FromArray<T>(data.AsSpan(), shape);
            expected[name] = new JsonObject
            {
                ["dtype"] = code,
                ["shape"] = new JsonArray(shape.Select(s => (JsonNode)s).ToArray()),
                ["values"] = new JsonArray(data.Select(json).ToArray()),
            };
        }

        double[] f64 = { 0, -0.0, 1, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.Epsilon, double.MaxValue, Math.PI, -1e-300, rng.NextDouble(), rng.NextDouble() };
        Add("f64", "F64", f64, new long[] { 3, 4 }, v => BitConverter.DoubleToUInt64Bits(v));
        float[] f32 = { 0, -0f, 1.5f, float.PositiveInfinity, float.NaN, 1e-42f, float.MaxValue, (float)rng.NextDouble() };
        Add("f32", "F32", f32, new long[] { 2, 2, 2 }, v => BitConverter.SingleToUInt32Bits(v));
        Half[] f16 = { (Half)0, (Half)(-0.0f), (Half)1, Half.PositiveInfinity, Half.NaN, Half.Epsilon, Half.MaxValue, (Half)0.1f };
        Add("f16", "F16", f16, new long[] { 8 }, v => BitConverter.HalfToUInt16Bits(v));
        BFloat16[] bf16 = { BFloat16.FromBits(0), BFloat16.FromBits(0x8000), (BFloat16)1f, (BFloat16)(-2.5f), BFloat16.FromBits(0x7F80), BFloat16.FromBits(0x7FC1), BFloat16.FromBits(1), (BFloat16)3.1415927f };
        Add("bf16", "BF16", bf16, new long[] { 4, 2 }, v => v.Bits);
        Add("i64", "I64", new long[] { 0, -1, long.MaxValue, long.MinValue, 42 }, new long[] { 5 }, v => v);
        Add("i32", "I32", new int[] { 0, -1, int.MaxValue, int.MinValue, 7, 8 }, new long[] { 2, 3 }, v => v);
        Add("i16", "I16", new short[] { 0, -1, short.MaxValue, short.MinValue }, new long[] { 4 }, v => v);
        Add("i8", "I8", new sbyte[] { 0, -1, 127, -128 }, new long[] { 2, 2 }, v => v);
        Add("u8", "U8", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), new long[] { 16, 16 }, v => v);
        Add("bool", "BOOL", new[] { true, false, false, true, true }, new long[] { 5 }, v => v);
        Add("scalar", "F64", new[] { -6.25 }, Array.Empty<long>(), v => BitConverter.DoubleToUInt64Bits(v));
        Add("empty", "F32", Array.Empty<float>(), new long[] { 0, 3 }, v => BitConverter.SingleToUInt32Bits(v));
        Add("empty_i64", "I64", Array.Empty<long>(), new long[] { 2, 0 }, v => v);
        tensors["scalar"].Dim.Should().Be(0);

        // A non-contiguous view must be written as its row-major values.
        tensors["strided"] = Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5 }, 2, 3).Transpose(0, 1);
        expected["strided"] = new JsonObject
        {
            ["dtype"] = "F32",
            ["shape"] = new JsonArray(3, 2),
            ["values"] = new JsonArray(new float[] { 0, 3, 1, 4, 2, 5 }.Select(v => (JsonNode)BitConverter.SingleToUInt32Bits(v)).ToArray()),
        };
        return (tensors, expected);
    }

    [Test]
    public void RoundTripsEveryDtypeBitwise()
    {
        var (tensors, expected) = EveryDtype();
        string path = Path.Combine(dir, "all.safetensors");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" };
        SafeTensors.Save(path, tensors, metadata);

        var loaded = SafeTensors.Load(path);
        loaded.Keys.Should().BeEquivalentTo(tensors.Keys);
        foreach (var (name, t) in tensors)
        {
            Tensor back = loaded[name];
            back.Dtype.Should().Be(t.Dtype, name);
            back.Shape.Should().Equal(t.Shape, name);
            back.IsContiguous.Should().BeTrue();
            RawBytes(back).Should().Equal(RawBytes(t), name);
            RawBytes(back).Should().Equal(ExpectedBytes(t.Dtype, expected[name]!["values"]!.AsArray()), name);
        }
        SafeTensors.ReadHeader(path).Metadata.Should().BeEquivalentTo(metadata);

        // Same state, same bytes; and the in-memory form matches the file.
        byte[] bytes = File.ReadAllBytes(path);
        SafeTensors.Serialize(tensors, metadata).Should().Equal(bytes);
        (BinaryPrimitives.ReadUInt64LittleEndian(bytes) % 8).Should().Be(0UL, "data starts 8-byte aligned");
        var fromBytes = SafeTensors.Deserialize(bytes);
        RawBytes(fromBytes["bf16"]).Should().Equal(RawBytes(tensors["bf16"]));
    }

    [Test]
    public void FilesWeWriteLoadInPyTorch()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) Assert.Ignore($"{python} is not installed; the PyTorch side of this check needs Debian's python3-torch (CI has it).");

        var (tensors, expected) = EveryDtype();
        string file = Path.Combine(dir, "ours.safetensors");
        string json = Path.Combine(dir, "ours.json");
        SafeTensors.Save(file, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        string expectedText = new JsonObject { ["metadata"] = new JsonObject { ["format"] = "pt" }, ["tensors"] = expected }.ToJsonString();
        File.WriteAllText(json, expectedText);

        var result = Run(python, $"\"{Golden("check_safetensors.py")}\" \"{file}\" \"{json}\"");
        if (result.ExitCode != 0 && result.Output.Contains("No module named 'torch'"))
            Assert.Ignore($"{python} cannot import torch; install Debian's python3-torch to run this check (CI has it).");
        result.ExitCode.Should().Be(0, result.Output);
        result.Output.Should().Contain($"OK: {tensors.Count} tensors match");

        // The checker itself must be able to fail: change one expected value and expect a complaint.
        var tampered = JsonNode.Parse(expectedText)!;
        tampered["tensors"]!["i32"]!["values"]!.AsArray()[0] = 99;
        File.WriteAllText(json, tampered.ToJsonString());
        var broken = Run(python, $"\"{Golden("check_safetensors.py")}\" \"{file}\" \"{json}\"");
        broken.ExitCode.Should().Be(1, broken.Output);
        broken.Output.Should().Contain("i32");
    }

    private static (int ExitCode, string Output) Run(string exe, string arguments)
    {
        var psi = new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(120_000))
        {
            p.Kill();
            throw new TimeoutException($"{exe} {arguments} did not finish.");
        }
        return (p.ExitCode, stdout + stderr.Result);
    }

    // ---- validation ----------------------------------------------------------------------------

    private string WriteRaw(string name, byte[] header, int dataBytes, ulong? claimedHeaderLength = null)
    {
        string path = Path.Combine(dir, name);
        using var f = File.Create(path);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, claimedHeaderLength ?? (ulong)header.Length);
        f.Write(len);
        f.Write(header);
        f.Write(new byte[dataBytes]);
        return path;
    }

    private string WriteRaw(string name, string header, int dataBytes, ulong? claimedHeaderLength = null) =>
        WriteRaw(name, Encoding.UTF8.GetBytes(header), dataBytes, claimedHeaderLength);

    /// <summary>Loading (and reading the header of) the file fails with a message naming the file and the problem, creating no tensor.</summary>
    private static void ShouldBeRefused(string path, params string[] fragments)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long live = TorchRuntime.LiveTensorCount;
        foreach (Action load in new Action[] { () => SafeTensors.Load(path), () => SafeTensors.ReadHeader(path) })
        {
            var e = load.Should().Throw<InvalidDataException>().Which;
            e.Message.Should().Contain(path).And.Contain("not a valid safetensors file");
            foreach (string f in fragments) e.Message.Should().Contain(f);
        }
        ((Action)(() => SafeTensors.Deserialize(File.ReadAllBytes(path), "memory"))).Should().Throw<InvalidDataException>().WithMessage("*'memory'*");
        TorchRuntime.LiveTensorCount.Should().Be(live, "a refused file must not leave tensors behind");
    }

    private static string Entry(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Test]
    public void RefusesATruncatedFile()
    {
        string good = Path.Combine(dir, "good.safetensors");
        SafeTensors.Save(good, new Dictionary<string, Tensor> { ["a"] = Tensor.Ones(4), ["b"] = Tensor.Ones(3) });
        byte[] bytes = File.ReadAllBytes(good);

        string cut = Path.Combine(dir, "cut.safetensors");
        File.WriteAllBytes(cut, bytes[..^3]);
        ShouldBeRefused(cut, "truncated");

        string tiny = Path.Combine(dir, "tiny.safetensors");
        File.WriteAllBytes(tiny, bytes[..5]);
        ShouldBeRefused(tiny, "5 bytes", "too short");

        string headerCut = Path.Combine(dir, "header-cut.safetensors");
        File.WriteAllBytes(headerCut, bytes[..20]);
        ShouldBeRefused(headerCut, "only 12 follow");
    }

    [Test]
    public void RefusesAHeaderLengthLargerThanTheFile()
    {
        string path = WriteRaw("long.safetensors", "{}", 0, claimedHeaderLength: 1000);
        ShouldBeRefused(path, "1000 bytes", "only 2 follow");
    }

    [Test]
    public void RefusesAHeaderClaimOverTheLimit()
    {
        string path = WriteRaw("huge.safetensors", "{}", 0, claimedHeaderLength: 200_000_000);
        ShouldBeRefused(path, "200000000", "limit");
        string max = WriteRaw("max.safetensors", "{}", 0, claimedHeaderLength: ulong.MaxValue);
        ShouldBeRefused(max, "limit");
    }

    [TestCase("{not json", "not valid JSON")]
    [TestCase("[1, 2]", "not a JSON object")]
    [TestCase("\"text\"", "not a JSON object")]
    public void RefusesAHeaderThatIsNotAJsonObject(string header, string problem)
    {
        ShouldBeRefused(WriteRaw("bad.safetensors", header, 0), problem);
    }

    [Test]
    public void RefusesAHeaderThatIsNotUtf8()
    {
        ShouldBeRefused(WriteRaw("latin1.safetensors", new byte[] { (byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, 0), "not valid UTF-8");
    }

    [Test]
    public void RefusesAnUnknownDtype()
    {
        ShouldBeRefused(WriteRaw("dtype.safetensors", "{" + Entry("w", "F8_E4M3", "[2]", 0, 2) + "}", 2), "'w'", "unsupported dtype 'F8_E4M3'");
        ShouldBeRefused(WriteRaw("nodtype.safetensors", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "'w'", "no dtype");
    }

    [Test]
    public void RefusesOverlappingOffsets()
    {
        string header = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 4, 12) + "}";
        ShouldBeRefused(WriteRaw("overlap.safetensors", header, 12), "overlaps");
        string same = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 0, 8) + "}";
        ShouldBeRefused(WriteRaw("same.safetensors", same, 8), "overlaps");
    }

    [Test]
    public void RefusesAGapBetweenTensors()
    {
        string header = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("b", "F32", "[2]", 12, 20) + "}";
        ShouldBeRefused(WriteRaw("gap.safetensors", header, 20), "gap before tensor 'b'");
        ShouldBeRefused(WriteRaw("leading.safetensors", "{" + Entry("a", "F32", "[1]", 4, 8) + "}", 8), "gap before tensor 'a'");
        ShouldBeRefused(WriteRaw("trailing.safetensors", "{" + Entry("a", "F32", "[2]", 0, 8) + "}", 12), "cover 8 bytes", "has 12");
    }

    [Test]
    public void RefusesOffsetsBeyondTheData()
    {
        ShouldBeRefused(WriteRaw("beyond.safetensors", "{" + Entry("a", "F32", "[4]", 0, 16) + "}", 8), "'a'", "ends at byte 16", "8 bytes");
        ShouldBeRefused(WriteRaw("backwards.safetensors", "{" + Entry("a", "F32", "[0]", 8, 4) + "}", 8), "'a'", "invalid data_offsets");
        ShouldBeRefused(WriteRaw("negative.safetensors", "{" + Entry("a", "F32", "[1]", -4, 0) + "}", 8), "invalid data_offsets");
        ShouldBeRefused(WriteRaw("notnum.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", 4), "invalid data_offsets");
    }

    [Test]
    public void RefusesAShapeThatDoesNotMatchTheByteCount()
    {
        ShouldBeRefused(WriteRaw("size.safetensors", "{" + Entry("a", "F32", "[3]", 0, 8) + "}", 8), "'a'", "spans 8 bytes", "[3]", "needs 12");
        ShouldBeRefused(WriteRaw("negshape.safetensors", "{" + Entry("a", "F32", "[-2]", 0, 8) + "}", 8), "'a'", "invalid shape entry");
        ShouldBeRefused(WriteRaw("fracshape.safetensors", "{" + Entry("a", "F32", "[1.5]", 0, 4) + "}", 4), "invalid shape entry");
    }

    [Test]
    public void RefusesAShapeWhoseByteCountOverflows()
    {
        // 2^61 doubles are 2^64 bytes: a 64-bit product wraps to 0 and would match an empty byte range.
        ShouldBeRefused(WriteRaw("overflow.safetensors", "{" + Entry("big", "F64", "[2305843009213693952]", 0, 0) + "}", 0), "'big'", "too large");
        ShouldBeRefused(WriteRaw("overflow2.safetensors", "{" + Entry("big", "I32", "[4294967296, 1073741824]", 0, 0) + "}", 0), "'big'", "too large");
        ShouldBeRefused(WriteRaw("overflow3.safetensors", "{" + Entry("big", "U8", "[4294967296, 4294967296]", 0, 0) + "}", 0), "'big'", "too large");
    }

    [Test]
    public void RefusesADuplicatedTensorName()
    {
        string header = "{" + Entry("a", "F32", "[2]", 0, 8) + "," + Entry("a", "F32", "[2]", 8, 16) + "}";
        ShouldBeRefused(WriteRaw("dup.safetensors", header, 16), "'a'", "more than once");
    }

    [Test]
    public void AFailedSaveLeavesTheOldFileAndNoTemporaryFiles()
    {
        string path = Path.Combine(dir, "model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Arange(0, 5, 1) });
        byte[] before = File.ReadAllBytes(path);

        var bad = new Dictionary<string, Tensor>
        {
            ["a_fine"] = Tensor.Ones(1000),
            ["z_complex"] = Tensor.Zeros(new long[] { 2 }, ScalarType.ComplexFloat32),
        };
        Action save = () => SafeTensors.Save(path, bad);
        save.Should().Throw<ArgumentException>().Where(e => e.Message.Contains("z_complex") && e.Message.Contains("ComplexFloat32"));

        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(dir).Select(Path.GetFileName).Should().Equal("model.safetensors");
        SafeTensors.Load(path)["w"].ToArray<float>().Should().Equal(0, 1, 2, 3, 4);

        // Reserved and null names fail the same way.
        ((Action)(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones(1) }))).Should().Throw<ArgumentException>();
        File.ReadAllBytes(path).Should().Equal(before);
        Directory.GetFiles(dir).Should().HaveCount(1);
    }

    [Test]
    public void StateDictSurvivesSaveAndLoad()
    {
        var g1 = new Generator(1);
        var g2 = new Generator(2);
        using var a = new Sequential(new Linear(5, 8, generator: g1), new Gelu(), new LayerNorm(8), new Conv1x1(8, g1), new Linear(8, 3, generator: g1));
        using var b = new Sequential(new Linear(5, 8, generator: g2), new Gelu(), new LayerNorm(8), new Conv1x1(8, g2), new Linear(8, 3, generator: g2));
        using (Autograd.NoGrad())
            Init.Normal_(((LayerNorm)a[2]).Weight!, 1, 0.1, g1);
        Tensor x = Tensor.Randn(new long[] { 4, 5 }, g1);
        a.Forward(x).Equal(b.Forward(x)).Should().BeFalse();

        string path = Path.Combine(dir, "state.safetensors");
        SafeTensors.Save(path, a.StateDict());
        var loaded = SafeTensors.Load(path);
        loaded.Keys.Should().BeEquivalentTo("0.weight", "0.bias", "2.weight", "2.bias", "3.conv.weight", "3.conv.bias", "4.weight", "4.bias");
        b.LoadStateDict(loaded);

        RawBytes(b.Forward(x)).Should().Equal(RawBytes(a.Forward(x)));
    }

    /// <summary>A pointwise convolution over features, to put a 4-D weight in the state dict.</summary>
    private sealed class Conv1x1 : Module<Tensor, Tensor>
    {
        private readonly Conv2d conv;

        public Conv1x1(long channels, Generator g) => conv = RegisterModule("conv", new Conv2d(channels, channels, 1, generator: g));

        public override Tensor Forward(Tensor x) => conv.Forward(x.Unsqueeze(-1).Unsqueeze(-1)).Flatten(1);
    }
}
