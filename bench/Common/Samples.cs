namespace TorchZoo.Bench.Common;

/// <summary>A series of timings and its median (the machine is shared, so single values can be disturbed).</summary>
public sealed class Samples
{
    private readonly List<double> values = new();
    public int Count => values.Count;
    public void Add(IEnumerable<double> more) => values.AddRange(more);
    public double Min => values.Min();
    public double Max => values.Max();
    public double Median => MedianOf(values);

    public static double MedianOf(IReadOnlyCollection<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var sorted = xs.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
