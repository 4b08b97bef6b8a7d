using System.Buffers.Binary;
using System.IO.Compression;

namespace TorchZoo.Extensions.Data;

/// <summary>
/// Reader of the IDX format of MNIST and Fashion-MNIST (optionally gzip-compressed): a big-endian header (zero
/// bytes, type code 0x08 for unsigned bytes, the number of dimensions, then each dimension) followed by the data.
/// </summary>
public static class IdxFile
{
    /// <summary>The dimensions and bytes of an unsigned-byte IDX file; the header is checked against the file length.</summary>
    public static (int[] Dimensions, byte[] Data) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The IDX file '{path}' does not exist.", path);
        using Stream file = File.OpenRead(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var buffer = new MemoryStream();
        try
        {
            stream.CopyTo(buffer);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid gzip file ({e.Message}).", e);
        }
        byte[] bytes = buffer.ToArray();
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"'{path}' is not an IDX file (bad magic number).");
        if (bytes[2] != 0x08) throw new InvalidDataException($"'{path}' holds IDX type 0x{bytes[2]:X2}; only unsigned bytes (0x08) are supported.");
        int rank = bytes[3];
        if (rank is < 1 or > 4 || bytes.Length < 4 + 4 * rank) throw new InvalidDataException($"'{path}' has an invalid IDX header ({rank} dimensions).");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new InvalidDataException($"'{path}' has a negative dimension.");
            count *= dims[i];
        }
        int offset = 4 + 4 * rank;
        if (bytes.Length - offset != count)
            throw new InvalidDataException($"'{path}' declares {count} values ({string.Join("×", dims)}) but holds {bytes.Length - offset} (truncated file?).");
        return (dims, bytes[offset..]);
    }

    /// <summary>
    /// Images and labels as a data view: <c>Features</c> float[1, H, W] scaled to [0, 1] and <c>Label</c> as a key over
    /// the class names (default "0".."9").
    /// </summary>
    public static IDataView LoadImagesAndLabels(string imagesPath, string labelsPath, IReadOnlyList<string>? classNames = null, int? maxRows = null)
    {
        var (imageDims, pixels) = Read(imagesPath);
        var (labelDims, labels) = Read(labelsPath);
        if (imageDims.Length != 3) throw new InvalidDataException($"'{imagesPath}' has {imageDims.Length} dimensions; images need 3 (count, height, width).");
        if (labelDims.Length != 1 || labelDims[0] != imageDims[0])
            throw new InvalidDataException($"'{labelsPath}' has {labelDims[0]} labels but '{imagesPath}' has {imageDims[0]} images.");
        int n = Math.Min(imageDims[0], maxRows ?? int.MaxValue), size = imageDims[1] * imageDims[2];
        classNames ??= Enumerable.Range(0, 10).Select(i => i.ToString()).ToList();
        var features = new float[n * size];
        for (int i = 0; i < features.Length; i++) features[i] = pixels[i] / 255f;
        var keys = new uint[n];
        for (int i = 0; i < n; i++)
        {
            if (labels[i] >= classNames.Count) throw new InvalidDataException($"'{labelsPath}' has label {labels[i]} in row {i}, beyond the {classNames.Count} class names.");
            keys[i] = (uint)labels[i] + 1;
        }
        return new InMemoryDataView(new (string, DataColumn)[]
        {
            ("Features", new VectorColumn(new VectorDataViewType(1, imageDims[1], imageDims[2]), features)),
            ("Label", new ScalarColumn<uint>(new KeyDataViewType(classNames.Count, classNames.ToList()), keys)),
        });
    }
}
