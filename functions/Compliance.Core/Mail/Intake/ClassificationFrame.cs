namespace Compliance.Mail.Intake;

/// <summary>
/// A wish whose words stand apart ("could that be removed … my home address", "I don't want my interview used"): found when
/// one sentence holds a word or phrase of each of <see cref="Lists"/> within <see cref="Within"/> words, in any order, none
/// of them negated, and none of <see cref="Unless"/>. A frame's own words may carry the negation ("not want"); then nothing
/// in it is negated again.
/// Its <see cref="Weight"/> adds to <see cref="Type"/>'s score as a phrase's does. <see cref="Id"/> names it in audit entries
/// and tasks: <c>{type}:frame-{name}</c>.
/// </summary>
/// <param name="Type">The request type it is evidence of.</param>
/// <param name="Name">Its name in the rules file (letters, digits and hyphens).</param>
/// <param name="Weight">What it adds to the type's score.</param>
/// <param name="Lists">The word lists: each must have a member in the sentence. Each member is its words (<c>*</c> any one word).</param>
/// <param name="Unless">Words or phrases that, anywhere in the sentence, mean it is something else ("ons" for a withdrawal frame).</param>
/// <param name="Within">How many words apart the members may start.</param>
public sealed record ClassificationFrame(
    string Type,
    string Name,
    double Weight,
    IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Lists,
    IReadOnlyList<IReadOnlyList<string>> Unless,
    int Within = ClassificationFrame.DefaultWithin)
{
    /// <summary>How many words apart a frame's members may start, by default: a wish is said in a few words, not a paragraph.</summary>
    public const int DefaultWithin = 10;

    /// <summary>
    /// For each list, a key word of each member (its longest): a sentence without a key word of every list is passed over at
    /// once, as it cannot hold the frame.
    /// </summary>
    internal IReadOnlyList<IReadOnlySet<string>> KeyWords { get; } = [.. Lists.Select(list =>
        (IReadOnlySet<string>)new HashSet<string>(list.Select(m => m.Where(w => w != "*").MaxBy(w => w.Length)!), StringComparer.Ordinal))];

    /// <summary>Whether it is read in questions that ask to be told too ("What do you hold about me?" asks for one's data).</summary>
    public bool InQuestions { get; init; }

    /// <summary>The rule's id: <c>{type}:frame-{name}</c>.</summary>
    public string Id => $"{Type}:frame-{Name}";

}

/// <summary>One sentence as frames read it: its words (<see cref="PhraseText.Words"/>) and the set of them, to pass over members quickly.</summary>
/// <see cref="IsInformationQuestion"/>: it asks to be told, not for something to be done ("When will my interview be deleted?"),
/// so no frame is read in it.
public sealed record FrameSentence(IReadOnlyList<string> Words, bool IsInformationQuestion = false)
{
    public IReadOnlySet<string> Present { get; } = new HashSet<string>(Words, StringComparer.Ordinal);
}

/// <summary>
/// Finds <see cref="ClassificationFrame"/>s in a text sentence by sentence. A sentence ends at <c>.</c>, <c>!</c>, <c>?</c>,
/// <c>;</c>, a blank line or a bullet; a line broken inside a sentence (plain text wrapped at 72) is read on; a contrast word
/// ("but", "however") starts a new sentence, so "keep it in, but delete my number" is two.
/// </summary>
public static partial class FrameReader
{
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=[.!?;])\s+|\n\s*\n|\n(?=\s*(?:[-*\u2022\u2013\u00B7]|\d{1,2}[.)])\s)", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex SentenceEnd();

    /// <summary>
    /// The sentences of <paramref name="text"/>, each as <see cref="PhraseText.Words"/> reads it, split at contrast words; a
    /// question that <paramref name="questions"/> says seeks information is marked so.
    /// </summary>
    public static IReadOnlyList<FrameSentence> Sentences(string? text, QuestionRule? questions = null) =>
        string.IsNullOrWhiteSpace(text) ? [] : SentencesOfNormalised(PhraseText.Normalise(text), questions);

    /// <summary>As <see cref="Sentences"/>, of a text already <see cref="PhraseText.Normalise"/>d.</summary>
    public static IReadOnlyList<FrameSentence> SentencesOfNormalised(string normalised, QuestionRule? questions = null)
    {
        ArgumentNullException.ThrowIfNull(normalised);
        var sentences = new List<FrameSentence>();
        foreach (var part in SentenceEnd().Split(normalised))
        {
            var current = new List<string>();
            foreach (var word in PhraseText.Tokens(part.Replace('\n', ' ')))
            {
                if (PhraseText.IsContrast(word))
                {
                    Add(current, asks: false);
                    current = [];
                    continue;
                }

                current.Add(word);
            }

            Add(current, asks: part.TrimEnd().EndsWith('?'));
        }

        return sentences;

        void Add(List<string> words, bool asks)
        {
            if (words.Any(w => w != PhraseText.Break))
            {
                sentences.Add(new FrameSentence(words, asks && questions is not null && questions.SeeksInformation(words)));
            }
        }
    }

    /// <summary>
    /// The members of <paramref name="frame"/>'s lists found in <paramref name="sentence"/> (one per list, in the rules' words),
    /// or null when it is not there: a list without a member present and not negated (<paramref name="isNegated"/> at its
    /// first word, unless the frame's own words carry a negator), or one of its <see cref="ClassificationFrame.Unless"/> present.
    /// </summary>
    public static IReadOnlyList<string>? Match(ClassificationFrame frame, FrameSentence sentence, IReadOnlySet<string> negators, Func<IReadOnlyList<string>, int, bool> isNegated)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(sentence);
        ArgumentNullException.ThrowIfNull(negators);
        ArgumentNullException.ThrowIfNull(isNegated);
        if ((sentence.IsInformationQuestion && !frame.InQuestions) || frame.KeyWords.Any(keys => !sentence.Words.Any(keys.Contains)))
        {
            return null;
        }

        // Where each list's members stand, then one member of each within the frame's reach of the first, none negated unless
        // one of them says the negation itself ("not want" + "my interview" + "used" is not negated again by its own "not").
        var places = frame.Lists
            .Select(list => list.Where(member => MayHold(sentence, member)).SelectMany(member => Places(sentence, member).Select(start => (Member: member, Start: start))).ToList())
            .ToList();
        if (places.Any(p => p.Count == 0) || frame.Unless.Any(member => Find(sentence, member).Any()))
        {
            return null;
        }

        foreach (var anchor in places[0])
        {
            var chosen = new List<(IReadOnlyList<string> Member, int Start)> { anchor };
            if (Choose(1))
            {
                return [.. chosen.Select(c => string.Join(' ', c.Member))];
            }

            bool Choose(int list)
            {
                if (list == places.Count)
                {
                    return chosen.Any(c => c.Member.Any(negators.Contains)) || chosen.All(c => !isNegated(sentence.Words, c.Start));
                }

                foreach (var place in places[list].Where(p => Math.Abs(p.Start - anchor.Start) <= frame.Within))
                {
                    chosen.Add(place);
                    if (Choose(list + 1))
                    {
                        return true;
                    }

                    chosen.RemoveAt(chosen.Count - 1);
                }

                return false;
            }
        }

        return null;
    }

    /// <summary>Where <paramref name="member"/> starts in <paramref name="sentence"/>, within one clause.</summary>
    private static IEnumerable<int> Find(FrameSentence sentence, IReadOnlyList<string> member) =>
        MayHold(sentence, member) ? Places(sentence, member) : [];

    // Every word of the member is somewhere in the sentence: most members are passed over here, without allocating.
    private static bool MayHold(FrameSentence sentence, IReadOnlyList<string> member)
    {
        for (var i = 0; i < member.Count; i++)
        {
            if (member[i] != "*" && !sentence.Present.Contains(member[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<int> Places(FrameSentence sentence, IReadOnlyList<string> member)
    {

        var words = sentence.Words;
        for (var start = 0; start + member.Count <= words.Count; start++)
        {
            var all = true;
            for (var i = 0; i < member.Count && all; i++)
            {
                var word = words[start + i];
                all = word != PhraseText.Break && (member[i] == "*" ? !PhraseText.IsContrast(word) : string.Equals(word, member[i], StringComparison.Ordinal));
            }

            if (all)
            {
                yield return start;
            }
        }
    }
}
