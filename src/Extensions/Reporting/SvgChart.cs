using System.Globalization;
using System.Net;
using System.Text;

namespace TorchZoo.Extensions.Reporting;

/// <summary>One named series of (x, y) points.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);

/// <summary>Line charts and scatter plots as self-contained inline SVG (no scripts, no external files).</summary>
public static class SvgChart
{
    private const int Width = 560, Height = 320, Left = 60, Right = 20, Top = 30, Bottom = 45;
    private static readonly string[] Colors = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" };

    /// <summary>Lines through each series' points (non-finite points are skipped); a log y axis on request.</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logY = false) =>
        Chart(title, xLabel, yLabel, series, logY, scatter: false, diagonal: false);

    /// <summary>Points of each series, optionally with the y = x diagonal (predicted vs true).</summary>
    public static string Scatter(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool diagonal = true) =>
        Chart(title, xLabel, yLabel, series, logY: false, scatter: true, diagonal);

    private static string Chart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, bool logY, bool scatter, bool diagonal)
    {
        Func<double, double> fy = logY ? v => Math.Log10(v) : v => v;
        var points = series.SelectMany(s => s.X.Zip(s.Y)).Where(p => double.IsFinite(p.First) && double.IsFinite(fy(p.Second))).ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"13\">{Escape(title)}</text>");
        if (points.Count == 0)
            return sb.Append("<text x=\"50%\" y=\"50%\" text-anchor=\"middle\">no data</text></svg>").ToString();
        double x0 = points.Min(p => p.First), x1 = points.Max(p => p.First);
        double y0 = points.Min(p => fy(p.Second)), y1 = points.Max(p => fy(p.Second));
        if (diagonal)
        {
            x0 = y0 = Math.Min(x0, y0);
            x1 = y1 = Math.Max(x1, y1);
        }
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) y1 = y0 + 1;
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        double Py(double y) => Height - Bottom - (y - y0) / (y1 - y0) * (Height - Top - Bottom);

        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Width - Left - Right}\" height=\"{Height - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double xv = x0 + (x1 - x0) * i / 4, yv = y0 + (y1 - y0) * i / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Px(xv):F1}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\">{Tick(xv)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 4}\" y=\"{Py(yv) + 4:F1}\" text-anchor=\"end\">{Tick(logY ? Math.Pow(10, yv) : yv)}</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Py(yv):F1}\" y2=\"{Py(yv):F1}\" stroke=\"#eee\"/>");
        }
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text transform=\"translate(14 {(Top + Height - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{Escape(yLabel)}{(logY ? " (log)" : "")}</text>");
        if (diagonal)
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Px(x0):F1}\" y1=\"{Py(y0):F1}\" x2=\"{Px(x1):F1}\" y2=\"{Py(y1):F1}\" stroke=\"#aaa\" stroke-dasharray=\"4 3\"/>");

        for (int s = 0; s < series.Count; s++)
        {
            string color = Colors[s % Colors.Length];
            var pts = series[s].X.Zip(series[s].Y).Where(p => double.IsFinite(p.First) && double.IsFinite(fy(p.Second))).ToList();
            if (scatter)
                foreach (var (x, y) in pts)
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Px(x):F1}\" cy=\"{Py(fy(y)):F1}\" r=\"1.6\" fill=\"{color}\" fill-opacity=\"0.5\"/>");
            else if (pts.Count > 0)
                sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{string.Join(" ", pts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{Px(p.First):F1},{Py(fy(p.Second)):F1}")))}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + 8}\" y=\"{Top + 6 + 14 * s}\" width=\"10\" height=\"3\" fill=\"{color}\"/><text x=\"{Left + 22}\" y=\"{Top + 10 + 14 * s}\">{Escape(series[s].Name)}</text>");
        }
        return sb.Append("</svg>").ToString();
    }

    private static string Tick(double v) => Math.Abs(v) >= 1e4 || (Math.Abs(v) < 1e-2 && v != 0)
        ? v.ToString("0.##E+0", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);

    internal static string Escape(string text) => WebUtility.HtmlEncode(text);
}
