using System.Text;

namespace Compliance.Anonymisation;

/// <summary>
/// Anonymises a session transcript: keeps the turns an access request (or a researcher) may see and removes personal data
/// from them, logging each removal without its text. Pure: it reads only the stream it is given. See docs/anonymisation.md.
/// </summary>
public static class TranscriptAnonymiser
{
    private const string ParticipantLabel = "Participant";
    private const string InterviewerLabel = "Interviewer";
    private const string UnidentifiedLabel = "Unidentified speaker";

    /// <summary>Anonymises a transcript in the given format.</summary>
    /// <exception cref="ArgumentException">Options that do not fit together (see <see cref="AnonymisationOptions"/>).</exception>
    /// <exception cref="InvalidDataException">A .docx that cannot be read.</exception>
    public static AnonymisedTranscript Anonymise(Stream transcript, TranscriptFormat format, AnonymisationOptions options) => format switch
    {
        TranscriptFormat.PlainText => AnonymisePlainText(transcript, options),
        TranscriptFormat.Docx => AnonymiseDocx(transcript, options),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a transcript format"),
    };

    /// <summary>Anonymises a plain-text transcript: UTF-8 (or UTF-16 with a byte order mark), any line endings.</summary>
    /// <exception cref="ArgumentException">Options that do not fit together.</exception>
    public static AnonymisedTranscript AnonymisePlainText(Stream text, AnonymisationOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = new StreamReader(text, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, leaveOpen: true);
        return AnonymiseText(reader.ReadToEnd(), options);
    }

    /// <summary>Anonymises a Word transcript: a turn per <c>Label: text</c> paragraph, other paragraphs continuing the turn before.</summary>
    /// <exception cref="ArgumentException">Options that do not fit together.</exception>
    /// <exception cref="InvalidDataException">The stream is not a readable .docx document.</exception>
    public static AnonymisedTranscript AnonymiseDocx(Stream docx, AnonymisationOptions options)
    {
        ArgumentNullException.ThrowIfNull(docx);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Anonymise(TranscriptDocx.ReadLines(docx), options);
    }

    /// <summary>Anonymises a transcript already read as text.</summary>
    /// <exception cref="ArgumentException">Options that do not fit together.</exception>
    public static AnonymisedTranscript AnonymiseText(string text, AnonymisationOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Anonymise(TranscriptDocx.Clean(text).Split(["\r\n", "\r", "\n", "\u2028", "\u2029", "\u0085", "\f", "\v"], StringSplitOptions.None), options);
    }

    private static AnonymisedTranscript Anonymise(IReadOnlyList<string> lines, AnonymisationOptions options)
    {
        var speakers = new SpeakerDirectory(options);
        var (turns, recognised) = SpeakerTurns.Parse(lines, speakers.IsKnownLabel);
        var attributed = turns.Select(t => (Turn: t, Speaker: speakers.Identify(t.Label))).ToList();
        var labels = new OutputLabels(options, attributed.Select(a => a.Speaker));
        var redactor = new Redactor(options);

        var text = new StringBuilder();
        var log = new List<RedactionLogEntry>();
        var kept = 0;
        foreach (var (turn, speaker) in attributed)
        {
            if (!Keeps(options, speaker, recognised))
            {
                continue;
            }

            if (kept++ > 0)
            {
                text.Append('\n');
            }

            if (labels.Of(turn, speaker) is { } label)
            {
                if (turn.Label is not null)
                {
                    log.Add(new RedactionLogEntry(turn.Index, RedactionCategory.SpeakerLabel, text.Length, turn.Label.Length, label));
                }

                text.Append(label).Append(':').Append(turn.Text.Length > 0 ? " " : string.Empty);
            }

            var at = 0;
            foreach (var redaction in redactor.Find(turn.Text))
            {
                text.Append(turn.Text, at, redaction.Start - at);
                var token = RedactionTokens.Of(redaction.Category);
                log.Add(new RedactionLogEntry(turn.Index, redaction.Category, text.Length, redaction.Length, token));
                text.Append(token);
                at = redaction.Start + redaction.Length;
            }

            text.Append(turn.Text, at, turn.Text.Length - at);
        }

        return new AnonymisedTranscript(
            text.ToString(),
            log,
            TurnsKept: kept,
            TurnsLeftOut: turns.Count - kept,
            UnattributedTurns: attributed.Count(a => a.Speaker.Role == SpeakerRole.Unknown),
            TurnsRecognised: recognised);
    }

    // The whole transcript for researchers; for a requester their own turns, and the interviewer's questions only when
    // no one else was there to be quoted or paraphrased in them (docs/anonymisation.md, "Which turns are kept").
    private static bool Keeps(AnonymisationOptions options, Speaker speaker, bool recognised)
    {
        if (options.OwnParticipantId is null)
        {
            return true;
        }

        if (!recognised)
        {
            return options.IsOneToOne;
        }

        return speaker.Role switch
        {
            SpeakerRole.Participant => speaker.ParticipantId == options.OwnParticipantId,
            SpeakerRole.Staff => options.IsOneToOne,
            _ => false,
        };
    }

    /// <summary>The labels the output gives speakers: roles, and numbers when researchers need to tell participants apart.</summary>
    private sealed class OutputLabels
    {
        private readonly Dictionary<string, int> numbers = new(StringComparer.Ordinal);

        public OutputLabels(AnonymisationOptions options, IEnumerable<Speaker> speakers)
        {
            // Numbers by order of first speaking, not by id, so they say nothing about registration; a requester sees
            // only their own turns and needs none.
            if (options.OwnParticipantId is null)
            {
                foreach (var id in speakers.Where(s => s.Role == SpeakerRole.Participant).Select(s => s.ParticipantId!))
                {
                    numbers.TryAdd(id, numbers.Count + 1);
                }
            }
        }

        public string? Of(SpeakerTurn turn, Speaker speaker) => speaker.Role switch
        {
            SpeakerRole.Staff => InterviewerLabel,
            SpeakerRole.Participant when numbers.Count > 1 => $"{ParticipantLabel} {numbers[speaker.ParticipantId!]}",
            SpeakerRole.Participant => ParticipantLabel,
            _ => turn.Label is null ? null : UnidentifiedLabel,
        };
    }
}
