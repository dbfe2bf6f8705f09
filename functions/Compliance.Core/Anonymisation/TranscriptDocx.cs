using System.Buffers;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Compliance.Anonymisation;

/// <summary>Word documents in and out: the lines of a raw transcript, and an anonymised transcript for the export.</summary>
internal static class TranscriptDocx
{
    // Invisible characters Word and transcription tools leave in text; one inside a name would hide it from the patterns.
    private static readonly SearchValues<char> Invisible = SearchValues.Create("\u200B\u200C\u200D\u2060\uFEFF\u00AD");

    /// <summary>The lines of the document body: a line per paragraph (and per line break in it), one per table row.</summary>
    /// <exception cref="InvalidDataException">The stream is not a Word document.</exception>
    public static IReadOnlyList<string> ReadLines(Stream stream)
    {
        // The package reader needs to seek; an upload stream may not.
        using var seekable = stream.CanSeek ? null : new MemoryStream();
        if (seekable is not null)
        {
            stream.CopyTo(seekable);
            seekable.Position = 0;
        }

        try
        {
            using var document = WordprocessingDocument.Open(seekable ?? stream, isEditable: false);
            var body = document.MainDocumentPart?.Document?.Body
                ?? throw new InvalidDataException("The .docx document has no body.");
            var lines = new List<string>();
            Collect(body, lines);
            return lines;
        }
        catch (Exception e) when (e is OpenXmlPackageException or FileFormatException or System.Xml.XmlException or InvalidOperationException)
        {
            throw new InvalidDataException("The transcript is not a readable .docx document.", e);
        }
    }

    /// <summary>A document with a paragraph per line of <paramref name="text"/>; a leading <c>Label:</c> is bold.</summary>
    public static byte[] Write(string text)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            var body = new Body();
            foreach (var line in text.Split('\n'))
            {
                body.Append(LineParagraph(line));
            }

            main.Document = new Document(body);
            main.Document.Save();
        }

        return stream.ToArray();
    }

    private static Paragraph LineParagraph(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        var isTurn = colon > 0 && SpeakerTurns.IsOutputLabel(line[..colon]) || line.EndsWith(':') && SpeakerTurns.IsOutputLabel(line[..^1]);
        if (!isTurn)
        {
            return new Paragraph(TextRun(line, bold: false));
        }

        var labelEnd = colon > 0 ? colon + 1 : line.Length;
        var paragraph = new Paragraph(TextRun(line[..labelEnd], bold: true));
        if (labelEnd < line.Length)
        {
            paragraph.Append(TextRun(line[labelEnd..], bold: false));
        }

        return paragraph;
    }

    private static Run TextRun(string text, bool bold)
    {
        var run = new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve });
        if (bold)
        {
            run.PrependChild(new RunProperties(new Bold()));
        }

        return run;
    }

    // Body order matters: paragraphs and tables are visited as they appear, inside content controls too.
    private static void Collect(OpenXmlElement element, List<string> lines)
    {
        foreach (var child in element.ChildElements)
        {
            switch (child)
            {
                case Paragraph paragraph:
                    lines.AddRange(ParagraphText(paragraph).Split('\n'));
                    break;
                case Table table:
                    foreach (var row in table.Descendants<TableRow>())
                    {
                        lines.Add(RowText(row));
                    }

                    break;
                default:
                    Collect(child, lines);
                    break;
            }
        }
    }

    // A table row is a turn when its cells are [label, text] or [time, label, text]; a colon joins the last cell to the rest.
    private static string RowText(TableRow row)
    {
        var cells = row.Elements<TableCell>()
            .Select(cell => string.Join(' ', cell.Elements<Paragraph>().Select(ParagraphText)).Replace('\n', ' ').Trim())
            .Where(text => text.Length > 0)
            .ToList();
        if (cells.Count < 2)
        {
            return cells.Count == 1 ? cells[0] : string.Empty;
        }

        var head = string.Join(' ', cells[..^1]);
        return head.EndsWith(':') ? $"{head} {cells[^1]}" : $"{head}: {cells[^1]}";
    }

    // The text of the paragraph's own runs, however Word split them; text boxes (paragraphs within it) are skipped.
    private static string ParagraphText(Paragraph paragraph)
    {
        var text = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            if (element is Paragraph or Table || element.Ancestors<Paragraph>().FirstOrDefault() != paragraph)
            {
                continue;
            }

            switch (element)
            {
                case Text t:
                    text.Append(t.Text);
                    break;
                case TabChar:
                    text.Append('\t');
                    break;
                case Break or CarriageReturn:
                    text.Append('\n');
                    break;
                case NoBreakHyphen:
                    text.Append('-');
                    break;
            }
        }

        return Clean(text.ToString());
    }

    internal static string Clean(string text) =>
        text.AsSpan().IndexOfAny(Invisible) < 0 ? text : string.Concat(text.Where(c => !Invisible.Contains(c)));
}
