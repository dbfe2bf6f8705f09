namespace Compliance.Mail.Intake;

/// <summary>One thing a message asks for: a request type, how sure the rules are (0 to 1), and the phrases that said so.</summary>
public sealed record ClassifiedIntent(string Type, double Confidence, IReadOnlyList<string> Phrases);

/// <summary>
/// What a message asks for: its intents, most confident first (several when it asks several things), and whether staff
/// must confirm the type because no intent is confident enough. <see cref="NegatedPhrases"/> lists phrases that were found
/// but ignored because they were negated ("don't delete"), for the triage view.
/// </summary>
public sealed record Classification(IReadOnlyList<ClassifiedIntent> Intents, bool NeedsTriage, IReadOnlyList<string> NegatedPhrases)
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

    public ClassificationRules Rules => rules;

    /// <summary>Classifies a parsed message: its subject and the new text of its body (<see cref="ReplyText.NewText"/>).</summary>
    public Classification Classify(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Classify(message.Subject, ReplyText.NewText(message.Text));
    }

    /// <summary>Classifies a subject and a text that is already free of quotes.</summary>
    public Classification Classify(string? subject, string? newText)
    {
        var words = new List<string>(PhraseText.Words(CleanSubject(subject)));
        words.Add(PhraseText.Break);
        words.AddRange(PhraseText.Words(newText));

        var found = new List<(ClassificationPhrase Phrase, int Start, int End)>();
        var negated = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var phrase in rules.Phrases)
        {
            for (var start = 0; start + phrase.Words.Count <= words.Count; start++)
            {
                if (!MatchesAt(words, start, phrase.Words))
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

        var needsTriage = intents.Count == 0 || intents[0].Confidence < rules.TriageBelow;
        return new Classification(intents, needsTriage, [.. negated]);
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
