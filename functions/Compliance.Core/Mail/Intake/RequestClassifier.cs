namespace Compliance.Mail.Intake;

/// <summary>
/// One thing a message asks for: a request type, how sure the rules are (0 to 1), the phrases that said so and their rule ids
/// (<see cref="ClassificationPhrase.Id"/>, for the audit and the triage task: the rules' words, never the message's).
/// </summary>
public sealed record ClassifiedIntent(string Type, double Confidence, IReadOnlyList<string> Phrases, IReadOnlyList<string> Rules);

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
/// <param name="TriageWhy">Why it needs triage (<see cref="Intake.TriageWhy"/>), or null when it does not.</param>
/// <param name="RuledOut">The rule ids of phrases that ruled a type out ("keep my interview in" rules out a withdrawal).</param>
public sealed record Classification(
    IReadOnlyList<ClassifiedIntent> Intents,
    bool NeedsTriage,
    IReadOnlyList<string> NegatedPhrases,
    bool Truncated = false,
    string? TriageWhy = null,
    IReadOnlyList<string>? RuledOut = null)
{
    public ClassifiedIntent? Best => Intents.Count > 0 ? Intents[0] : null;

    /// <summary>The types a person triaging the message is offered first: every intent found, most confident first.</summary>
    public IReadOnlyList<string> Offered => [.. Intents.Select(i => i.Type)];

    /// <summary>Every rule id that decided the reading: each intent's, then those that ruled a type out.</summary>
    public IReadOnlyList<string> Rules => [.. Intents.SelectMany(i => i.Rules).Concat(RuledOut ?? [])];
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

    /// <summary>Classifies a parsed message: its subject and the new text of its body (<see cref="ReplyText.NewText(string?, string?)"/>).</summary>
    public Classification Classify(InboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (thread, cut) = Cap(message.Text, MaxThreadChars);
        // A forward's sign-off is the forwarder's, and the message it forwards comes after it: only a message of one's own
        // loses its signature.
        var text = ReplyText.NewText(thread, message.Subject);
        var classification = Classify(message.Subject, ReplyText.IsForward(message.Subject) ? text : SignOff.Strip(text));
        return cut && !classification.Truncated ? classification with { NeedsTriage = true, Truncated = true, TriageWhy = TriageWhy.TooLong } : classification;
    }

    /// <summary>Classifies a subject and a text that is already free of quotes; past <see cref="MaxTextChars"/> it is not read.</summary>
    public Classification Classify(string? subject, string? newText)
    {
        var (text, truncated) = Cap(newText, MaxTextChars);

        // A reply's subject is the thread's ("Re: Your request to withdraw"), not the sender's words: only a new subject is read.
        var words = new List<string>(ReplyText.IsReply(subject) ? [] : PhraseText.Words(CleanSubject(subject)));
        words.Add(PhraseText.Break);
        var normalised = string.IsNullOrWhiteSpace(text) ? string.Empty : PhraseText.Normalise(text);
        words.AddRange(PhraseText.Tokens(normalised));

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

        // A phrase inside a longer one that was found says less than it ("delete my contact details" is not "delete my data"),
        // and so does one that shares words with a longer phrase of another type ("will participants get a copy of the report"
        // is a question, not "get a copy"); phrases of no request only do that, and "unless" phrases rule a type out.
        var kept = found.Where(f => !found.Any(o => o.Phrase != f.Phrase && o.End - o.Start > f.End - f.Start
            && ((o.Start <= f.Start && o.End >= f.End) || (o.Phrase.Type != f.Phrase.Type && o.Start < f.End && f.Start < o.End)))).ToList();
        var ruledOut = kept.Where(f => f.Phrase.Type.StartsWith(ClassificationRules.UnlessPrefix, StringComparison.Ordinal)).Select(f => f.Phrase).Distinct().ToList();
        var excluded = ruledOut.Select(p => p.Type[ClassificationRules.UnlessPrefix.Length..]).ToHashSet(StringComparer.Ordinal);

        // Wishes whose words stand apart, sentence by sentence: each frame found counts once, as a phrase does.
        var textSentences = FrameReader.SentencesOfNormalised(normalised, rules.Questions);
        var sentences = FrameReader.Sentences(ReplyText.IsReply(subject) ? null : CleanSubject(subject), rules.Questions).Concat(textSentences).ToList();
        var frames = rules.Frames
            .Select(frame => (Frame: frame, Found: sentences.Select(sentence => FrameReader.Match(frame, sentence, rules.Negators, IsNegated)).FirstOrDefault(found => found is not null)))
            .Where(f => f.Found is not null)
            .Select(f => (f.Frame.Type, Text: string.Join(" + ", f.Found!), f.Frame.Id, f.Frame.Weight));

        var intents = kept
            .Select(f => (f.Phrase.Type, f.Phrase.Text, f.Phrase.Id, f.Phrase.Weight))
            .Concat(frames)
            .Where(e => Requests.RequestType.IsValid(e.Type) && !excluded.Contains(e.Type))
            .GroupBy(e => e.Type, StringComparer.Ordinal)
            .Select(g =>
            {
                var evidence = g.Distinct().OrderBy(e => e.Text, StringComparer.Ordinal).ToList();
                var score = evidence.Sum(e => e.Weight);
                return new ClassifiedIntent(g.Key, Math.Round(Math.Min(1, score / rules.FullConfidenceAt), 3), [.. evidence.Select(e => e.Text)], [.. evidence.Select(e => e.Id)]);
            })
            .ToList();

        // Questions about the study, when nothing else is asked: each information-seeking question adds to a query.
        var questions = intents.All(i => i.Type == rules.Questions.Type) ? textSentences.Count(s => s.IsInformationQuestion) : 0;
        if (questions > 0)
        {
            var query = intents.SingleOrDefault() ?? new ClassifiedIntent(rules.Questions.Type, 0, [], []);
            var score = (query.Confidence * rules.FullConfidenceAt) + (questions * rules.Questions.Weight);
            intents = [query with { Confidence = Math.Round(Math.Min(1, score / rules.FullConfidenceAt), 3), Rules = [.. query.Rules, rules.Questions.Id] }];
        }

        intents = intents
            .Where(i => i.Confidence >= rules.IntentFloor)
            .OrderByDescending(i => i.Confidence)
            .ThenBy(i => Requests.RequestType.All.ToList().IndexOf(i.Type))
            .ToList();

        // Acting on a wrong type is worse than asking a person: the main intent must be sure, and any other intent surer still
        // (a second wish is where a stray phrase most often misleads), or staff choose among them.
        var why = truncated ? TriageWhy.TooLong
            : intents.Count == 0 ? TriageWhy.NoIntent
            : intents[0].Confidence < rules.TriageBelow || intents.Skip(1).Any(i => i.Confidence < rules.AlsoFrom) ? TriageWhy.Uncertain
            : null;
        return new Classification(intents, why is not null, [.. negated], truncated, why, [.. ruledOut.Select(p => p.Id)]);
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
            if (word == PhraseText.Break || (phrase[i] == "*" && PhraseText.IsContrast(word)) || (phrase[i] != "*" && !string.Equals(word, phrase[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    // A negator just before the phrase, with only filler words between, within the same clause: "please do not delete".
    private bool IsNegated(IReadOnlyList<string> words, int start)
    {
        for (int i = start - 1, fillers = 0; i >= 0 && fillers <= 3; i--)
        {
            var word = words[i];
            if (rules.Negators.Contains(word))
            {
                return true;
            }

            if (word == PhraseText.Break || PhraseText.IsContrast(word) || !rules.Fillers.Contains(word))
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
