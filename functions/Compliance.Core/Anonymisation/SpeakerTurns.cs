using System.Text;
using System.Text.RegularExpressions;

namespace Compliance.Anonymisation;

/// <summary>A turn of the source transcript: its speaker label as written (null for text before the first label) and its text.</summary>
internal sealed record SpeakerTurn(int Index, string? Label, string Text);

/// <summary>Splits the lines of a transcript into speaker turns.</summary>
internal static partial class SpeakerTurns
{
    private const int MaxLabelWords = 5;

    /// <summary>
    /// The turns of a transcript. A line <c>Label: text</c> (after an optional timestamp) starts a turn; other non-blank
    /// lines continue the one before, joined by a space. Text before the first label is a turn without a label. With no
    /// label at all, <c>Recognised</c> is false and the non-blank lines are one turn without a label (a block).
    /// </summary>
    /// <param name="lines">The transcript's lines.</param>
    /// <param name="isKnownLabel">
    /// Whether text is a known speaker's label and nothing more. Such a label may be in lower case, or stand without a
    /// colon; "Jordan Lee said: fine" is not one, so it cannot give the rest of a turn to Jordan.
    /// </param>
    public static (IReadOnlyList<SpeakerTurn> Turns, bool Recognised) Parse(IEnumerable<string> lines, Func<string, bool> isKnownLabel)
    {
        var turns = new List<SpeakerTurn>();
        var preamble = new List<string>();
        string? label = null;
        var text = new StringBuilder();
        var recognised = false;

        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (TryLabel(line, isKnownLabel, out var newLabel, out var rest))
            {
                if (recognised)
                {
                    turns.Add(new SpeakerTurn(turns.Count, label, text.ToString()));
                }
                else if (preamble.Count > 0)
                {
                    turns.Add(new SpeakerTurn(0, null, string.Join(' ', preamble)));
                }

                recognised = true;
                label = newLabel;
                text.Clear().Append(rest);
            }
            else if (recognised)
            {
                text.Append(text.Length > 0 ? " " : string.Empty).Append(line);
            }
            else
            {
                preamble.Add(line);
            }
        }

        if (recognised)
        {
            turns.Add(new SpeakerTurn(turns.Count, label, text.ToString()));
            return (turns, true);
        }

        // No turns: one block, which keeps its paragraphs as lines.
        return (preamble.Count == 0 ? [] : [new SpeakerTurn(0, null, string.Join('\n', preamble))], false);
    }

    /// <summary>Whether a line of the anonymised output starts with one of the labels anonymisation writes.</summary>
    public static bool IsOutputLabel(string label) => OutputLabel().IsMatch(label);

    private static bool TryLabel(string line, Func<string, bool> isKnownLabel, out string label, out string rest)
    {
        label = rest = string.Empty;
        var match = TurnLine().Match(line);
        if (!match.Success)
        {
            // Exports from meeting tools put the name alone on a line (or before a tab) with the text after it. Without a
            // colon only a known speaker's label, and nothing else, counts: "Thanks" or "Header about Sam Patel" is text.
            match = BareLabelLine().Match(line);
            if (!match.Success || !isKnownLabel(match.Groups["label"].Value.Trim()))
            {
                return false;
            }
        }

        var candidate = match.Groups["label"].Value.Trim();
        var words = Words(candidate);
        if (words.Count == 0 || words.Count > MaxLabelWords || !words.Any(w => w.Any(char.IsLetter)))
        {
            return false;
        }

        // "Then he said: no" is a sentence, not a label: an unknown label must look like one, every word capitalised.
        if (!words.All(w => char.IsUpper(w[0]) || char.IsDigit(w[0])) && !isKnownLabel(candidate))
        {
            return false;
        }

        label = candidate;
        rest = match.Groups["text"].Value.Trim();
        return true;
    }

    /// <summary>The words of a label, without parentheses and punctuation around them.</summary>
    public static IReadOnlyList<string> Words(string label) =>
        LabelWord().Matches(label).Select(m => m.Value).ToList();

    // [00:01:23] Alex Morgan: …   00:01:23 - Alex:   Alex (00:01:23): …   P1 (Alex): …
    [GeneratedRegex(
        """
        ^(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?\s*[-–—]?\s*)?
        (?<label>[\p{L}\p{N}][\p{L}\p{M}\p{N}\s.'’()\-&/]{0,59}?)
        \s*(?:[\[(]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]\s*)?
        [:：](?:\s+(?<text>.*)|$)
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex TurnLine();

    // Sam Patel   0:03        [00:01:23] Sam Patel        Sam Patel<TAB>text
    [GeneratedRegex(
        """
        ^(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?\s*[-–—]?\s*)?
        (?<label>[\p{L}][\p{L}\p{M}\p{N}\x20.'’()\-&/]{0,59}?)
        \x20*(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?\x20*)?
        (?:\t\s*(?<text>.*)|$)
        """,
        RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant | RegexOptions.Singleline, 1000)]
    private static partial Regex BareLabelLine();

    [GeneratedRegex(@"[\p{L}\p{M}\p{N}]+(?:['’\-][\p{L}\p{M}\p{N}]+)*", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex LabelWord();

    [GeneratedRegex(@"^(?:Participant(?: \d+)?|Interviewer|Unidentified speaker)$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex OutputLabel();
}
