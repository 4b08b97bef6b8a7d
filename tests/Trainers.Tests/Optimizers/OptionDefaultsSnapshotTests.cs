using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace TorchZoo.Trainers.Tests.Optimizers;

/// <summary>
/// Every registered optimizer's default options, property by property (public instance properties, nested options
/// included), against a committed snapshot, so that refactoring the option records cannot move a default.
/// Set TORCHZOO_UPDATE_OPTION_DEFAULTS=1 to rewrite the snapshot after an intended change.
/// </summary>
public class OptionDefaultsSnapshotTests
{
    [Test]
    public void DefaultsMatchTheSnapshot()
    {
        string path = SnapshotPath();
        string actual = Snapshot();
        if (Environment.GetEnvironmentVariable("TORCHZOO_UPDATE_OPTION_DEFAULTS") == "1" || !File.Exists(path))
        {
            File.WriteAllText(path, actual);
            Assert.Inconclusive($"Snapshot written to {path}.");
        }
        actual.Should().Be(File.ReadAllText(path));
    }

    private static string Snapshot()
    {
        var sb = new StringBuilder("{\n");
        IReadOnlyList<string> names = OptimizerRegistry.Names;
        for (int i = 0; i < names.Count; i++)
        {
            sb.Append("  \"").Append(names[i]).Append("\": ");
            Write(sb, OptimizerRegistry.Create(names[i]), "  ");
            sb.Append(i + 1 < names.Count ? ",\n" : "\n");
        }
        return sb.Append("}\n").ToString();
    }

    private static void Write(StringBuilder sb, object? value, string indent)
    {
        switch (value)
        {
            case null: sb.Append("null"); return;
            case OptimizerOptions options:
                var properties = options.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.GetIndexParameters().Length == 0)
                    .OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
                sb.Append("{\n").Append(indent).Append("  \"$type\": \"").Append(options.GetType().Name).Append('"');
                foreach (PropertyInfo p in properties)
                {
                    sb.Append(",\n").Append(indent).Append("  \"").Append(p.Name).Append("\": ");
                    Write(sb, p.GetValue(options), indent + "  ");
                }
                sb.Append('\n').Append(indent).Append('}');
                return;
            case double d: sb.Append('"').Append(d.ToString("R", CultureInfo.InvariantCulture)).Append('"'); return;
            case float f: sb.Append('"').Append(f.ToString("R", CultureInfo.InvariantCulture)).Append('"'); return;
            case IFormattable x: sb.Append('"').Append(x.ToString(null, CultureInfo.InvariantCulture)).Append('"'); return;
            case string s: sb.Append('"').Append(s).Append('"'); return;
            case System.Collections.IEnumerable e:
                sb.Append('[');
                bool first = true;
                foreach (object? item in e)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    Write(sb, item, indent + "  ");
                }
                sb.Append(']');
                return;
            default: sb.Append('"').Append(value.GetType().Name).Append(':').Append(value).Append('"'); return;
        }
    }

    private static string SnapshotPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "../../golden/optim/option-defaults.json"));
}
