using System.Text;

namespace TorchZoo.Extensions.Reporting;

/// <summary>A single self-contained HTML page of headings, tables and inline SVG charts, written atomically.</summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder body = new();

    public HtmlReport Heading(string text)
    {
        body.Append("<h2>").Append(SvgChart.Escape(text)).Append("</h2>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        body.Append("<p>").Append(SvgChart.Escape(text)).Append("</p>\n");
        return this;
    }

    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        body.Append("<table><tr>");
        foreach (string h in header) body.Append("<th>").Append(SvgChart.Escape(h)).Append("</th>");
        body.Append("</tr>\n");
        foreach (var row in rows)
        {
            body.Append("<tr>");
            foreach (string cell in row) body.Append("<td>").Append(SvgChart.Escape(cell)).Append("</td>");
            body.Append("</tr>\n");
        }
        body.Append("</table>\n");
        return this;
    }

    /// <summary>Adds an SVG made by <see cref="SvgChart"/>.</summary>
    public HtmlReport Chart(string svg)
    {
        body.Append("<div class=\"chart\">").Append(svg).Append("</div>\n");
        return this;
    }

    public string ToHtml() =>
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + SvgChart.Escape(title) + "</title>" +
        "<style>body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0}" +
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}.chart{display:inline-block;margin:4px}</style>" +
        "</head><body><h1>" + SvgChart.Escape(title) + "</h1>\n" + body + "</body></html>\n";

    public void Save(string path)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllText(temp, ToHtml(), Encoding.UTF8);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
