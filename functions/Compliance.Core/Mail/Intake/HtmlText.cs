using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Compliance.Mail.Intake;

/// <summary>
/// Reduces an HTML email body to plain text for reading and classification: no layout, only words and line breaks. Scripts,
/// styles and comments are dropped, block elements become line breaks, entities are decoded, and text inside
/// <c>blockquote</c> is prefixed with <c>&gt; </c>, so quoted replies in HTML-only mail are recognised as quotes.
/// </summary>
/// <remarks>
/// A scanner rather than a parser: email HTML is often broken, a missing end tag must not lose the rest of the text, and the
/// cost must stay linear whatever the nesting. AngleSharp's HTML5 parser (served here, and under HtmlSanitizer) was tried in
/// its place on 2026-12-06: it reads broken mail as a browser would, but hostile nesting makes it quadratic (100,000 nested
/// <c>div</c>s, 500 KB: 75 s against this scanner's 0.7 s; 100,000 unclosed <c>b</c>: 66 s), so it is not used on mail.
/// </remarks>
public static partial class HtmlText
{
    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "center", "dd", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "header", "li", "main", "nav", "section", "tbody", "tfoot", "thead", "tr",
    };

    // Elements that stand apart from what is around them: a blank line before and after.
    private static readonly HashSet<string> ParagraphElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ol", "pre", "table", "ul",
    };

    // A paragraph break is carried as a line of its own holding a private-use character; Tidy makes it one blank line.
    private const char Paragraph = '\uE002';
    private const string ParagraphBreak = "\n\uE002\n";

    /// <summary>
    /// The most <c>&gt; </c> a quoted line is given, however deep its blockquotes nest: a quote is a quote, and a line prefixed
    /// once per level would let a small hostile message (20,000 nested blockquotes, 260 KB) become 400 MB of text.
    /// </summary>
    public const int MaxQuoteDepth = 8;

    // Elements whose content is never text a person wrote.
    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "head", "title", "template", "noscript", "xml" };

    /// <summary>The text of <paramref name="html"/>.</summary>
    public static string Reduce(string? html)
    {
        if (string.IsNullOrEmpty(html))
        {
            return string.Empty;
        }

        html = Comment().Replace(html, " ");
        var output = new StringBuilder(html.Length / 2);
        var quoteDepth = 0;
        var position = 0;
        foreach (Match tag in Tag().Matches(html))
        {
            if (tag.Index < position)
            {
                continue; // inside a dropped element's content
            }

            AppendText(output, html[position..tag.Index]);
            position = tag.Index + tag.Length;
            var name = tag.Groups["name"].Value;
            var closing = tag.Groups["close"].Success;
            if (!closing && Dropped.Contains(name))
            {
                // Skip to the element's end tag; without one, the rest is dropped too (it was never text).
                var end = html.IndexOf("</" + name, position, StringComparison.OrdinalIgnoreCase);
                position = end < 0 ? html.Length : html.IndexOf('>', end) is var gt and >= 0 ? gt + 1 : html.Length;
                continue;
            }

            if (name.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                output.Append('\n');
            }
            else if (name.Equals("blockquote", StringComparison.OrdinalIgnoreCase))
            {
                quoteDepth = Math.Max(0, quoteDepth + (closing ? -1 : 1));
                output.Append(ParagraphBreak).Append(QuoteMarker(quoteDepth)).Append('\n');
            }
            else if (ParagraphElements.Contains(name))
            {
                output.Append(ParagraphBreak);
            }
            else if (BlockElements.Contains(name))
            {
                output.Append('\n');
                if (!closing && name.Equals("li", StringComparison.OrdinalIgnoreCase))
                {
                    output.Append("- ");
                }
            }
            else if (!closing && (name.Equals("td", StringComparison.OrdinalIgnoreCase) || name.Equals("th", StringComparison.OrdinalIgnoreCase)))
            {
                output.Append(' ');
            }
        }

        if (position < html.Length)
        {
            AppendText(output, html[position..]);
        }

        return Tidy(output.ToString());
    }

    // Blockquote nesting is carried through the text as a private-use marker and turned into "> " prefixes per line by Tidy.
    private static string QuoteMarker(int depth) => "\uE000" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\uE001";

    private static void AppendText(StringBuilder output, string raw)
    {
        if (raw.Length == 0)
        {
            return;
        }

        // Source line breaks and runs of white space are layout, not text; entities are decoded after collapsing so &nbsp; survives.
        var collapsed = Whitespace().Replace(raw, " ");
        output.Append(WebUtility.HtmlDecode(collapsed).Replace('\u00A0', ' '));
    }

    private static string Tidy(string text)
    {
        var lines = new List<string>();
        var depth = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine;
            // A marker always begins a line (a blockquote tag starts one), so it sets the depth of the line it is on.
            foreach (Match marker in Marker().Matches(rawLine))
            {
                depth = int.Parse(marker.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }

            var lineDepth = depth;

            line = Marker().Replace(line, string.Empty);
            line = Spaces().Replace(line, " ").Trim();
            if (line.Length > 0 && line.Trim(Paragraph).Trim().Length == 0)
            {
                if (lines.Count > 0 && lines[^1].Length > 0)
                {
                    lines.Add(string.Empty);
                }

                continue;
            }

            if (line.Length == 0)
            {
                continue; // layout between block elements
            }

            lines.Add(lineDepth > 0 ? string.Concat(Enumerable.Repeat("> ", Math.Min(lineDepth, MaxQuoteDepth))) + line : line);
        }

        return string.Join('\n', lines).Trim();
    }

    [GeneratedRegex(@"<!--.*?(-->|$)", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex Comment();

    [GeneratedRegex(@"<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9:-]*)\b[^>]*>|<![^>]*>|<\?[^>]*>", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"[ \t\u2000-\u200B\u3000]+", RegexOptions.CultureInvariant)]
    private static partial Regex Spaces();

    [GeneratedRegex("\uE000([0-9]+)\uE001", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();
}
