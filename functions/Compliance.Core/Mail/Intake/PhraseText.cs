using System.Text;
using System.Text.RegularExpressions;

namespace Compliance.Mail.Intake;

/// <summary>
/// Text as the classifier compares it: lower-case words, contractions expanded (<c>don't</c> → <c>do not</c>), and
/// <see cref="Break"/> where punctuation or a line break ends a clause, so a phrase never matches across clauses.
/// </summary>
public static partial class PhraseText
{
    /// <summary>The token that stands for a clause break.</summary>
    public const string Break = "|";

    private static readonly HashSet<string> ContrastWords = new(["but", "however", "although", "though", "whereas", "except", "otherwise"], StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="word"/> turns a sentence ("keep my interview in, but …", "I do not want to withdraw but …"): a
    /// negation does not reach across it, and a phrase's wildcard does not stand for it.
    /// </summary>
    public static bool IsContrast(string word) => ContrastWords.Contains(word);

    /// <summary>The words of <paramref name="text"/>, with clause breaks.</summary>
    public static IReadOnlyList<string> Words(string? text) => string.IsNullOrWhiteSpace(text) ? [] : Tokens(Normalise(text));

    /// <summary>
    /// <paramref name="text"/> lower-cased, without accents, and with contractions written out (<c>don't</c> → <c>do not</c>);
    /// its punctuation kept, so it can still be cut into sentences before <see cref="Tokens"/> reads it.
    /// </summary>
    public static string Normalise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lower = WithoutAccents(text.ToLowerInvariant()).Replace('\u2019', '\'').Replace('\u2018', '\'').Replace('`', '\'');
        lower = BareWontCant().Replace(lower, m => m.Value == "wont" ? "will not" : "can not");
        lower = WontCant().Replace(lower, m => m.Value.StartsWith('w') ? "will not" : m.Value.StartsWith('s') ? "shall not" : "can not");
        lower = Nt().Replace(lower, " not");
        lower = Unapostrophised().Replace(lower, m => m.Groups[1].Value + " not");
        lower = Contraction().Replace(lower, m => m.Groups[1].Value switch
        {
            "m" => " am",
            "ve" => " have",
            "re" => " are",
            "ll" => " will",
            "d" => " would",
            _ => string.Empty, // 's: a possessive or "is"; the word itself is what matters
        });
        return lower;
    }

    /// <summary>The words of a <see cref="Normalise"/>d text, with <see cref="Break"/> where punctuation or a line break ends a clause.</summary>
    public static IReadOnlyList<string> Tokens(string lower)
    {
        ArgumentNullException.ThrowIfNull(lower);

        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in lower)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
                continue;
            }

            Flush();
            if (c is '.' or '!' or '?' or ';' or ':' or ',' or '\n' or '(' or ')' or '"' or '\u201C' or '\u201D')
            {
                if (words.Count > 0 && words[^1] != Break)
                {
                    words.Add(Break);
                }
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
    }

    // "â", "ô", "á" are typed as often without their accent as with it ("peidiwch a chysylltu", "Siobhan"): both read alike.
    private static string WithoutAccents(string text)
    {
        if (text.All(char.IsAscii))
        {
            return text;
        }

        var decomposed = text.Normalize(NormalizationForm.FormD);
        var plain = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            {
                plain.Append(c);
            }
        }

        return plain.ToString().Normalize(NormalizationForm.FormC);
    }

    [GeneratedRegex(@"\b(wont|cant)\b", RegexOptions.CultureInvariant)]
    private static partial Regex BareWontCant();

    [GeneratedRegex(@"\b(won't|can't|shan't)", RegexOptions.CultureInvariant)]
    private static partial Regex WontCant();

    // "dont", "didnt", "cant" as a phone types them: the same "not" (won't/can't are read above; "wont" is rarely a word here).
    [GeneratedRegex(@"\b(do|did|does|is|was|are|were|have|has|had|would|should|could|must)nt\b", RegexOptions.CultureInvariant)]
    private static partial Regex Unapostrophised();

    [GeneratedRegex(@"n't\b", RegexOptions.CultureInvariant)]
    private static partial Regex Nt();

    [GeneratedRegex(@"'(m|ve|re|ll|d|s)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Contraction();
}
