using System.IO.Compression;

namespace TorchZoo.Extensions.Tests;

public class IdxFileTests
{
    private static byte[] Idx(int[] dims, byte[] data)
    {
        var header = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
        foreach (int d in dims) header.AddRange(BitConverter.GetBytes(d).Reverse());
        return header.Concat(data).ToArray();
    }

    [Test]
    public void ReadsImagesAndLabelsIncludingGzip()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"tz-idx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string images = Path.Combine(dir, "images.gz"), labels = Path.Combine(dir, "labels");
            using (var gz = new GZipStream(File.Create(images), CompressionLevel.Fastest))
                gz.Write(Idx(new[] { 2, 2, 3 }, new byte[] { 0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6 }));
            File.WriteAllBytes(labels, Idx(new[] { 2 }, new byte[] { 3, 0 }));
            var data = IdxFile.LoadImagesAndLabels(images, labels);
            data.Schema["Features"].Type.Should().Be(new VectorDataViewType(1, 2, 3));
            data.GetVectors("Features").Row(0).ToArray().Should().Equal(0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f);
            data.GetScalars<uint>("Label").Should().Equal(4u, 1u);
            ((KeyDataViewType)data.Schema["Label"].Type).Labels[3].Should().Be("3");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void TruncatedAndMismatchedFilesFailClearly()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"tz-idx-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string truncated = Path.Combine(dir, "t"), labels = Path.Combine(dir, "l"), bad = Path.Combine(dir, "b");
            File.WriteAllBytes(truncated, Idx(new[] { 2, 2, 2 }, new byte[7]));
            File.WriteAllBytes(labels, Idx(new[] { 3 }, new byte[3]));
            File.WriteAllBytes(bad, new byte[] { 1, 2, 3, 4, 5 });
            ((Action)(() => IdxFile.Read(truncated))).Should().Throw<InvalidDataException>().WithMessage("*declares 8 values (2×2×2) but holds 7 (truncated file?)*");
            ((Action)(() => IdxFile.Read(bad))).Should().Throw<InvalidDataException>().WithMessage("*is not an IDX file*");
            File.WriteAllBytes(truncated, Idx(new[] { 2, 2, 2 }, new byte[8]));
            ((Action)(() => IdxFile.LoadImagesAndLabels(truncated, labels))).Should().Throw<InvalidDataException>().WithMessage("*has 3 labels but*has 2 images*");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
