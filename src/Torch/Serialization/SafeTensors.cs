using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace TorchZoo.Torch.Serialization;

/// <summary>One tensor's entry in a safetensors header.</summary>
public sealed record SafeTensorInfo(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header naming each
/// tensor's dtype, shape and byte range, then the raw little-endian data. Readable by PyTorch and safe to
/// load from untrusted files: the whole header is validated before any tensor data is touched.
/// </summary>
public static class SafeTensors
{
    /// <summary>Headers larger than this are refused (the reference implementation uses the same limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly (string Code, ScalarType Type)[] DtypeCodes =
    {
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    };

    /// <summary>Writes the tensors (and optional string metadata) to <paramref name="path"/> atomically: a temporary file is renamed into place.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Write(stream, tensors, metadata);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The file's bytes for the tensors, as <see cref="Save"/> writes them.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>Writes the safetensors encoding of the tensors to a stream.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        // Sorted names give the same bytes for the same state, whatever order a dictionary enumerates in.
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var header = new MemoryStream();
        long offset = 0;
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(k, v);
                json.WriteEndObject();
            }
            foreach (string name in names)
            {
                if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor.", nameof(tensors));
                Tensor t = tensors[name] ?? throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
                json.WriteStartObject(name);
                json.WriteString("dtype", CodeOf(t.Dtype, name));
                json.WriteStartArray("shape");
                foreach (long s in t.Shape) json.WriteNumberValue(s);
                json.WriteEndArray();
                long bytes = t.ByteCount;
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (string name in names)
        {
            Tensor t = tensors[name];
            var buffer = new byte[t.ByteCount];
            t.CopyTo(buffer);
            stream.Write(buffer);
        }
    }

    /// <summary>Reads and validates only the header of a file.</summary>
    public static (IReadOnlyList<SafeTensorInfo> Tensors, IReadOnlyDictionary<string, string> Metadata) ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        var (infos, metadata, _) = ReadHeader(stream, path);
        return (infos, metadata);
    }

    /// <summary>Loads every tensor of a file (new CPU tensors the caller owns).</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Loads tensors from safetensors bytes.</summary>
    public static Dictionary<string, Tensor> Deserialize(byte[] data, string source = "safetensors data")
    {
        using var stream = new MemoryStream(data, writable: false);
        return Read(stream, source);
    }

    /// <summary>Loads every tensor from a seekable stream; <paramref name="source"/> names it in error messages.</summary>
    public static Dictionary<string, Tensor> Read(Stream stream, string source)
    {
        var (infos, _, dataStart) = ReadHeader(stream, source);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (SafeTensorInfo info in infos)
            {
                var buffer = new byte[info.End - info.Begin];
                stream.Position = dataStart + info.Begin;
                stream.ReadExactly(buffer);
                result[info.Name] = Tensor.FromBytes(buffer, info.Dtype, info.Shape);
            }
        }
        catch
        {
            foreach (Tensor t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"The safetensors file '{path}' does not exist.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    private static (List<SafeTensorInfo>, Dictionary<string, string>, long DataStart) ReadHeader(Stream stream, string source)
    {
        long total = stream.Length;
        if (total < 8) throw Invalid(source, $"it is {total} bytes long, too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes) throw Invalid(source, $"its header claims {headerLength} bytes, more than the {MaxHeaderBytes}-byte limit");
        if ((long)headerLength > total - 8) throw Invalid(source, $"its header claims {headerLength} bytes but only {total - 8} follow (truncated file?)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = total - dataStart;

        try
        {
            // JsonDocument defers UTF-8 validation of names and strings until they are read; check it up front.
            StrictUtf8.GetCharCount(headerBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(source, "its header is not valid UTF-8");
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"its header is not valid JSON ({e.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw Invalid(source, "its header is not a JSON object");
            var infos = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in doc.RootElement.EnumerateObject())
            {
                // JSON objects may repeat a name; a second tensor under the same name would replace (and leak) the first.
                if (!seen.Add(entry.Name)) throw Invalid(source, $"'{entry.Name}' appears more than once in the header");
                if (entry.Name == "__metadata__")
                {
                    if (entry.Value.ValueKind != JsonValueKind.Object) throw Invalid(source, "'__metadata__' is not an object");
                    foreach (JsonProperty m in entry.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String) throw Invalid(source, $"metadata '{m.Name}' is not a string");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                infos.Add(ParseEntry(entry, source, dataLength));
            }
            CheckCoverage(infos, dataLength, source);
            return (infos, metadata, dataStart);
        }
    }

    private static SafeTensorInfo ParseEntry(JsonProperty entry, string source, long dataLength)
    {
        string name = entry.Name;
        JsonElement e = entry.Value;
        if (e.ValueKind != JsonValueKind.Object) throw Invalid(source, $"the entry for '{name}' is not an object");
        if (!e.TryGetProperty("dtype", out JsonElement dt) || dt.ValueKind != JsonValueKind.String)
            throw Invalid(source, $"tensor '{name}' has no dtype");
        string code = dt.GetString()!;
        ScalarType? dtype = null;
        foreach (var (c, t) in DtypeCodes)
            if (c == code) dtype = t;
        if (dtype is null) throw Invalid(source, $"tensor '{name}' has unsupported dtype '{code}'");
        if (!e.TryGetProperty("shape", out JsonElement sh) || sh.ValueKind != JsonValueKind.Array)
            throw Invalid(source, $"tensor '{name}' has no shape");
        var shape = new List<long>();
        long count = 1;
        foreach (JsonElement d in sh.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0)
                throw Invalid(source, $"tensor '{name}' has an invalid shape entry {d}");
            shape.Add(size);
            count = size == 0 ? 0 : count > long.MaxValue / size ? throw Invalid(source, $"tensor '{name}' has a shape too large to address") : count * size;
        }
        if (!e.TryGetProperty("data_offsets", out JsonElement off) || off.ValueKind != JsonValueKind.Array || off.GetArrayLength() != 2)
            throw Invalid(source, $"tensor '{name}' has no [begin, end] data_offsets");
        if (off[0].ValueKind != JsonValueKind.Number || off[1].ValueKind != JsonValueKind.Number
            || !off[0].TryGetInt64(out long begin) || !off[1].TryGetInt64(out long end) || begin < 0 || end < begin)
            throw Invalid(source, $"tensor '{name}' has invalid data_offsets {off}");
        if (end > dataLength) throw Invalid(source, $"tensor '{name}' ends at byte {end} but the data section has {dataLength} bytes (truncated file?)");
        int elementSize = dtype.Value.ElementSize();
        if (count > long.MaxValue / elementSize)
            throw Invalid(source, $"tensor '{name}' of shape {Tensor.FormatShape(shape)} is too large to address ({code})");
        long bytes = count * elementSize;
        if (end - begin != bytes)
            throw Invalid(source, $"tensor '{name}' spans {end - begin} bytes but a {code} tensor of shape {Tensor.FormatShape(shape)} needs {bytes}");
        return new SafeTensorInfo(name, dtype.Value, shape.ToArray(), begin, end);
    }

    private static void CheckCoverage(List<SafeTensorInfo> infos, long dataLength, string source)
    {
        long at = 0;
        foreach (SafeTensorInfo info in infos.OrderBy(i => i.Begin).ThenBy(i => i.End))
        {
            if (info.Begin != at)
                throw Invalid(source, info.Begin < at ? $"tensor '{info.Name}' overlaps another tensor" : $"there is a gap before tensor '{info.Name}'");
            at = info.End;
        }
        if (at != dataLength) throw Invalid(source, $"the tensors cover {at} bytes but the data section has {dataLength}");
    }

    private static string CodeOf(ScalarType dtype, string name)
    {
        foreach (var (c, t) in DtypeCodes)
            if (t == dtype) return c;
        throw new ArgumentException($"Tensor '{name}' has dtype {dtype}, which safetensors cannot store.");
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static InvalidDataException Invalid(string source, string reason) =>
        new($"'{source}' is not a valid safetensors file: {reason}.");
}
