namespace Compliance.Mail.Intake;

/// <summary>One thing a message asks for: a request type, how sure the rules are (0 to 1), and the phrases that said so.</summary>
public sealed record ClassifiedIntent(string Type, double Confidence, IReadOnlyList<string> Phrases);

/// <summary>
/// What a message asks for: its intents, most confident first (several when it asks several things), and whether staff
/// must confirm the type because no intent is confident enough. <see cref="NegatedPhrases"/> lists phrases that were found
/// but ignored because they were negated ("don't delete"), for the triage view.
/// </summary>
/// <param name="Intents">What it asks for, most confident first.</param>
/// <param name="NeedsTriage">Whether a person must confirm the type.</param>
/// <param name="NegatedPhrases">Phrases found but ignored because they were negated.</param>
/// <param name="Truncated">
/// The message's new text was longer than <see cref="RequestClassifier.MaxTextChars"/>: only its start was read, and it
/// goes to triage whatever was found there.
/// </param>
public sealed record Classification(IReadOnlyList<ClassifiedIntent> Intents, bool NeedsTriage, IReadOnlyList<string> NegatedPhrases, bool Truncated = false)
{
    public ClassifiedIntent? Best => Intents.Count > 0 ? Intents[0] : null;
}

/// <summary>
/// Classifies a new message into the request types by the phrase rules of <see cref="ClassificationRules"/>. No learning:
/// every result can be explained by the phrases it lists, and the rules are changed in the data file.
/// </summary>
public sealed class RequestClassifier(ClassificationRules rules)
{
    /// <summary>A classifier with the rules built into this assembly.</summary>
    public static RequestClassifier Default { get; } = new(ClassificationRules.Default);

    /// <summary>
    /// The most of a message's new text the rules read, in characters (about 3,000 words). A request is a few lines; a message
    /// longer than this is read to here and then goes to a person, so no message costs more to classify than this much text.
    /// </summary>
    public const int MaxTextChars = 20_000;

    /// <summary>The most of a message's text the quoted-thread stripping reads before it (a long thread is mostly quotes).</summary>
    public const int MaxThreadChars = 5 * MaxTextChars;

    public ClassificationRules Rules => rules;

    /// <summary>Classifies a parsed message: its subject and the new text of its body (<see cref="ReplyText.NewText"/>).</summary>
    public Classification Classify(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (thread, cut) = Cap(message.Text, MaxThreadChars);
        var classification = Classify(message.Subject, ReplyText.NewText(thread));
        return cut && !classification.Truncated ? classification with { NeedsTriage = true, Truncated = true } : classification;
    }

    /// <summary>Classifies a subject and a text that is already free of quotes; past <see cref="MaxTextChars"/> it is not read.</summary>
    public Classification Classify(string? subject, string? newText)
    {
        var (text, truncated) = Cap(newText, MaxTextChars);
        var words = new List<string>(PhraseText.Words(CleanSubject(subject)));
        words.Add(PhraseText.Break);
        words.AddRange(PhraseText.Words(text));

        // Where each word stands, so a phrase is tried only where its first word is: linear in the text, not text × rules.
        var positions = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < words.Count; i++)
        {
            if (!positions.TryGetValue(words[i], out var at))
            {
                positions[words[i]] = at = [];
            }

            at.Add(i);
        }

        List<int>? everywhere = null;
        var found = new List<(ClassificationPhrase Phrase, int Start, int End)>();
        var negated = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var phrase in rules.Phrases)
        {
            var starts = phrase.Words[0] == "*" ? everywhere ??= [.. Enumerable.Range(0, words.Count)] : positions.GetValueOrDefault(phrase.Words[0]) ?? [];
            foreach (var start in starts)
            {
                if (start + phrase.Words.Count > words.Count || !MatchesAt(words, start, phrase.Words))
                {
                    continue;
                }

                if (IsNegated(words, start))
                {
                    negated.Add(phrase.Text);
                    continue;
                }

                found.Add((phrase, start, start + phrase.Words.Count));
            }
        }

        // A phrase inside a longer one that was found says less than it ("delete my contact details" is not "delete my data").
        var kept = found.Where(f => !found.Any(o => o.Phrase != f.Phrase && o.Start <= f.Start && o.End >= f.End && o.End - o.Start > f.End - f.Start)).ToList();

        var intents = kept
            .GroupBy(f => f.Phrase.Type, StringComparer.Ordinal)
            .Select(g =>
            {
                var phrases = g.Select(f => f.Phrase).Distinct().ToList();
                var score = phrases.Sum(p => p.Weight);
                return new ClassifiedIntent(g.Key, Math.Round(Math.Min(1, score / rules.FullConfidenceAt), 3), [.. phrases.Select(p => p.Text).Order(StringComparer.Ordinal)]);
            })
            .Where(i => i.Confidence >= rules.IntentFloor)
            .OrderByDescending(i => i.Confidence)
            .ThenBy(i => Requests.RequestType.All.ToList().IndexOf(i.Type))
            .ToList();

        var needsTriage = truncated || intents.Count == 0 || intents[0].Confidence < rules.TriageBelow;
        return new Classification(intents, needsTriage, [.. negated], truncated);
    }

    /// <summary>The text up to <paramref name="max"/> characters, cut at the last space before it, and whether it was cut.</summary>
    private static (string? Text, bool Cut) Cap(string? text, int max)
    {
        if (text is null || text.Length <= max)
        {
            return (text, false);
        }

        var space = text.LastIndexOfAny([' ', '\n', '\t'], max - 1, Math.Min(max, 200));
        return (text[..(space > 0 ? space : max)], true);
    }

    private static bool MatchesAt(List<string> words, int start, IReadOnlyList<string> phrase)
    {
        for (var i = 0; i < phrase.Count; i++)
        {
            var word = words[start + i];
            if (word == PhraseText.Break || (phrase[i] != "*" && !string.Equals(word, phrase[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    // A negator just before the phrase, with only filler words between, within the same clause: "please do not delete".
    private bool IsNegated(List<string> words, int start)
    {
        for (int i = start - 1, fillers = 0; i >= 0 && fillers <= 3; i--)
        {
            var word = words[i];
            if (rules.Negators.Contains(word))
            {
                return true;
            }

            if (word == PhraseText.Break || !rules.Fillers.Contains(word))
            {
                return false;
            }

            fillers++;
        }

        return false;
    }

    // "Re: Fwd: [Ref DSR-…] Withdraw" → "Withdraw": reply prefixes and our reference say nothing about the request.
    private static string CleanSubject(string? subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            return string.Empty;
        }

        var cleaned = System.Text.RegularExpressions.Regex.Replace(subject, @"^\s*((re|fw|fwd|aw|tr)\s*:\s*)+", string.Empty, System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return System.Text.RegularExpressions.Regex.Replace(cleaned, @"\[\s*Ref\b[^\]]*\]", string.Empty, System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
