using System.IO.Compression;
using System.Xml.Linq;

namespace TorchZoo.Packaging.Tests;

/// <summary>What each package carries: identity, licence, README, repository, docs, symbols, and the native shim.</summary>
public class PackageContentTests
{
    public static readonly string[] Packages = { "TorchZoo.Torch", "TorchZoo.Trainers", "TorchZoo.Extensions" };

    private static (XElement Metadata, HashSet<string> Files) Open(string id)
    {
        string path = Path.Combine(PackageFeed.Feed, $"{id}.{PackageFeed.Version}.nupkg");
        File.Exists(path).Should().BeTrue($"scripts/pack should write {Path.GetFileName(path)}");
        using ZipArchive zip = ZipFile.OpenRead(path);
        var files = zip.Entries.Select(e => e.FullName).ToHashSet();
        using Stream nuspec = zip.GetEntry($"{id}.nuspec")!.Open();
        XElement root = XElement.Load(nuspec);
        return (root.Elements().Single(e => e.Name.LocalName == "metadata"), files);
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    [TestCaseSource(nameof(Packages))]
    public void CarriesMetadataReadmeLicenseAndDocs(string id)
    {
        var (metadata, files) = Open(id);
        Value(metadata, "id").Should().Be(id);
        Value(metadata, "version").Should().Be(PackageFeed.Version);
        Value(metadata, "license").Should().Be("MIT");
        Value(metadata, "readme").Should().Be("README.md");
        Value(metadata, "description").Should().NotBeNullOrWhiteSpace();
        Value(metadata, "tags").Should().Contain("libtorch");
        Value(metadata, "authors").Should().NotBeNullOrWhiteSpace();
        XElement repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        repository.Attribute("type")!.Value.Should().Be("git");
        repository.Attribute("url")!.Value.Should().NotBeNullOrWhiteSpace();
        files.Should().Contain(new[] { "README.md", "LICENSE", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" });
    }

    [TestCaseSource(nameof(Packages))]
    public void HasASymbolPackageWithItsPdb(string id)
    {
        string path = Path.Combine(PackageFeed.Feed, $"{id}.{PackageFeed.Version}.snupkg");
        File.Exists(path).Should().BeTrue();
        using ZipArchive zip = ZipFile.OpenRead(path);
        zip.Entries.Select(e => e.FullName).Should().Contain($"lib/net10.0/{id}.pdb");
    }

    [Test]
    public void TorchCarriesTheShimForLinuxX64AndItsSources()
    {
        var (_, files) = Open("TorchZoo.Torch");
        files.Should().Contain("runtimes/linux-x64/native/libtorchzoo_native.so");
        files.Should().Contain(new[] { "native-src/CMakeLists.txt", "native-src/include/tz.h", "native-src/src/tensor.cpp" });
    }

    [Test]
    public void PackagesDependOnEachOtherAtTheSameVersion()
    {
        static Dictionary<string, string> Dependencies(XElement metadata) =>
            metadata.Descendants().Where(e => e.Name.LocalName == "dependency")
                .ToDictionary(e => e.Attribute("id")!.Value, e => e.Attribute("version")!.Value);
        Dependencies(Open("TorchZoo.Torch").Metadata).Should().BeEmpty();
        Dependencies(Open("TorchZoo.Trainers").Metadata).Should().Equal(new Dictionary<string, string> { ["TorchZoo.Torch"] = PackageFeed.Version });
        Dependencies(Open("TorchZoo.Extensions").Metadata).Should().ContainKey("TorchZoo.Trainers")
            .WhoseValue.Should().Be(PackageFeed.Version);
    }
}
