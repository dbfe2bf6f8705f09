using System.Text.Json.Serialization;

namespace Compliance.Anonymisation;

/// <summary>
/// A transcript after anonymisation: plain text, one <c>Label: text</c> turn per line, whatever the input's format,
/// with the log of what was removed and how many turns were kept.
/// </summary>
/// <param name="Text">The anonymised text; lines are separated by <c>\n</c>.</param>
/// <param name="Log">Every removal, in order of its place in <paramref name="Text"/>. Holds no removed text (docs/anonymisation.md).</param>
/// <param name="TurnsKept">Turns in the output (a transcript without recognisable turns is one block).</param>
/// <param name="TurnsLeftOut">Turns of the source left out: other people's, staff questions of a group, unattributable ones.</param>
/// <param name="UnattributedTurns">Turns whose speaker matched nobody (or more than one person), kept or not.</param>
/// <param name="TurnsRecognised">False when no line looked like a speaker turn and the transcript was taken as one block.</param>
public sealed record AnonymisedTranscript(
    string Text,
    IReadOnlyList<RedactionLogEntry> Log,
    int TurnsKept,
    int TurnsLeftOut,
    int UnattributedTurns,
    bool TurnsRecognised)
{
    /// <summary>How many removals of each category the log holds (categories with none are absent).</summary>
    public IReadOnlyDictionary<RedactionCategory, int> CountByCategory() =>
        Log.GroupBy(e => e.Category).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The text as a Word document for the export package: one paragraph per line, speaker labels in bold, no metadata.</summary>
    public byte[] ToDocx() => TranscriptDocx.Write(Text);
}

/// <summary>
/// One removal: where its replacement stands in the output and what kind of data it was, never the removed text itself,
/// so the log can be stored apart from the transcript and hold no personal data.
/// </summary>
/// <param name="TurnIndex">The 0-based index of the turn in the source transcript (the preamble before the first label counts as a turn).</param>
/// <param name="Category">What kind of data was removed.</param>
/// <param name="Offset">Where the replacement starts in <see cref="AnonymisedTranscript.Text"/>, in UTF-16 characters.</param>
/// <param name="Length">How many characters were removed.</param>
/// <param name="Replacement">The token that stands in their place (<c>[EMAIL]</c>, <c>Participant</c>, …).</param>
public sealed record RedactionLogEntry(int TurnIndex, RedactionCategory Category, int Offset, int Length, string Replacement);

/// <summary>The kinds of data anonymisation removes; each has one replacement token.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RedactionCategory>))]
public enum RedactionCategory
{
    /// <summary>The requester's own name: <c>[PARTICIPANT]</c> (every participant's, when the whole transcript is anonymised).</summary>
    Participant,

    /// <summary>Another participant's name: <c>[OTHER PARTICIPANT]</c>.</summary>
    OtherParticipant,

    /// <summary>An email address: <c>[EMAIL]</c>.</summary>
    Email,

    /// <summary>A telephone number: <c>[PHONE]</c>.</summary>
    Phone,

    /// <summary>A UK postcode, full or outward code: <c>[POSTCODE]</c>.</summary>
    Postcode,

    /// <summary>An entry of the study's redaction list: <c>[REDACTED]</c>.</summary>
    RedactionList,

    /// <summary>A speaker label, replaced by its role (<c>Participant</c>, <c>Interviewer</c>, …).</summary>
    SpeakerLabel,
}

/// <summary>The replacement token of each category.</summary>
public static class RedactionTokens
{
    public const string Participant = "[PARTICIPANT]";
    public const string OtherParticipant = "[OTHER PARTICIPANT]";
    public const string Email = "[EMAIL]";
    public const string Phone = "[PHONE]";
    public const string Postcode = "[POSTCODE]";
    public const string Redacted = "[REDACTED]";

    /// <summary>The token of a category found in running text (speaker labels have role names instead).</summary>
    public static string Of(RedactionCategory category) => category switch
    {
        RedactionCategory.Participant => Participant,
        RedactionCategory.OtherParticipant => OtherParticipant,
        RedactionCategory.Email => Email,
        RedactionCategory.Phone => Phone,
        RedactionCategory.Postcode => Postcode,
        RedactionCategory.RedactionList => Redacted,
        _ => throw new ArgumentOutOfRangeException(nameof(category), category, "speaker labels have no token"),
    };
}
