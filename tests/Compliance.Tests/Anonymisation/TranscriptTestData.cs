using System.Text;
using Compliance.Anonymisation;
using Compliance.Studies;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Compliance.Tests.Anonymisation;

/// <summary>The demo study's transcripts (from Compliance.SelfHost.Demo.DemoData) and its people as the anonymiser sees them.</summary>
internal static class TranscriptTestData
{
    public static TranscriptPerson Alex { get; } = new("P-ALEX", "Alex Morgan", "alex.morgan@example.org", "01632 960001");
    public static TranscriptPerson Sam { get; } = new("P-SAM", "Sam Patel", "sam.patel@example.org", "01632 960002");
    public static TranscriptPerson Jordan { get; } = new("P-JORDAN", "Jordan Lee", "jordan.lee@example.com", "01632 960003");
    public static TranscriptPerson Casey { get; } = new("P-CASEY", "Casey Evans", "casey.evans@example.net", "01632 960004");

    public static IReadOnlyList<TranscriptPerson> Everyone { get; } = [Alex, Sam, Jordan, Casey];

    public static IReadOnlyList<TranscriptPerson> FocusGroupPeople { get; } = [Sam, Jordan, Casey];

    /// <summary>The MPATI policy's redaction list.</summary>
    public static IReadOnlyList<string> RedactionList { get; } = ["Office for National Statistics", "ONS", "NatCen", "McGowan Transcriptions"];

    /// <summary>Postcodes in the demo transcripts.</summary>
    public static IReadOnlyList<string> Postcodes { get; } = ["NP10 8XG"];

    public const string InterviewTranscript = Compliance.SelfHost.Demo.DemoData.InterviewTranscript;

    public const string FocusGroupTranscript = Compliance.SelfHost.Demo.DemoData.FocusGroupTranscript;

    public static AnonymisationOptions Interview(string? own = "P-ALEX") => new()
    {
        People = [Alex],
        SessionKind = SessionKind.Interview,
        OwnParticipantId = own,
        RedactionList = RedactionList,
    };

    public static AnonymisationOptions FocusGroup(string? own) => new()
    {
        People = FocusGroupPeople,
        SessionKind = SessionKind.FocusGroup,
        OwnParticipantId = own,
        RedactionList = RedactionList,
    };

    public static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>A Word document with one paragraph per line, as DemoData builds it.</summary>
    public static MemoryStream Docx(string text) =>
        Docx(text.Split('\n').Select(line => new Paragraph(new Run(new Text(line) { Space = SpaceProcessingModeValues.Preserve }))));

    public static MemoryStream Docx(IEnumerable<OpenXmlElement> bodyElements)
    {
        var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            var main = document.AddMainDocumentPart();
            main.Document = new Document(new Body(bodyElements));
            main.Document.Save();
        }

        stream.Position = 0;
        return stream;
    }

    /// <summary>A paragraph whose text is split into runs at the given pieces, the first bold as Word writes labels.</summary>
    public static Paragraph SplitParagraph(params string[] pieces) =>
        new(pieces.Select((piece, i) =>
        {
            var run = new Run(new Text(piece) { Space = SpaceProcessingModeValues.Preserve });
            if (i == 0)
            {
                run.PrependChild(new RunProperties(new Bold()));
            }

            return run;
        }));

    /// <summary>The paragraphs of a Word document, each as its runs' text joined.</summary>
    public static IReadOnlyList<string> DocxParagraphs(byte[] docx)
    {
        using var stream = new MemoryStream(docx);
        using var document = WordprocessingDocument.Open(stream, isEditable: false);
        return document.MainDocumentPart!.Document!.Body!.Elements<Paragraph>()
            .Select(p => string.Concat(p.Descendants<Text>().Select(t => t.Text)))
            .ToList();
    }
}
