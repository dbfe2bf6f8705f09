namespace Compliance.Anonymisation;

/// <summary>Who a speaker label names: a participant, staff, or nobody the session knows.</summary>
internal sealed class SpeakerDirectory
{
    private readonly AnonymisationOptions options;
    private readonly List<(TranscriptPerson Person, IReadOnlyList<string> FullName, IReadOnlyList<string> Parts)> people;
    private readonly List<IReadOnlyList<string>> staffLabels;
    private readonly List<IReadOnlyList<string>> participantLabels;

    public SpeakerDirectory(AnonymisationOptions options)
    {
        this.options = options;
        people = options.People.Select(p => (p, PersonNames.FullName(p.Name), PersonNames.Parts(p.Name))).ToList();
        staffLabels = options.StaffLabels.Select(SpeakerTurns.Words).Where(w => w.Count > 0).ToList();
        participantLabels = options.ParticipantLabels.Select(SpeakerTurns.Words).Where(w => w.Count > 0).ToList();
    }

    /// <summary>
    /// The speaker a label names, in this order: a participant whose full name it contains; staff; a participant one of whose
    /// names it contains; the one participant of a one-to-one interview, by a generic label. A label that fits two
    /// participants equally well names nobody: a turn given to the wrong person would disclose someone else's words.
    /// </summary>
    public Speaker Identify(string? label)
    {
        if (label is null)
        {
            return Speaker.Unknown;
        }

        var words = SpeakerTurns.Words(label);
        var full = people.Where(p => p.FullName.Count >= 2 && Contains(words, p.FullName)).ToList();
        if (full.Count > 0)
        {
            return full.Count == 1 ? Speaker.Participant(full[0].Person.ParticipantId) : Speaker.Unknown;
        }

        if (staffLabels.Any(s => Contains(words, s)))
        {
            return Speaker.Staff;
        }

        var partial = people.Where(p => p.Parts.Any(part => words.Contains(part, StringComparer.OrdinalIgnoreCase)) && words.All(w => Fits(w, p.Parts))).ToList();
        if (partial.Count > 0)
        {
            return partial.Count == 1 ? Speaker.Participant(partial[0].Person.ParticipantId) : Speaker.Unknown;
        }

        if (options.IsOneToOne && participantLabels.Any(s => Contains(words, s)))
        {
            return Speaker.Participant(options.People[0].ParticipantId);
        }

        return Speaker.Unknown;
    }

    // A label that names a participant by one name must not name anyone else: "Sam Jones" is not Sam Patel. Numbers
    // ("P1"), generic words ("Speaker 2") and the person's initials are neutral.
    private bool Fits(string word, IReadOnlyList<string> parts) =>
        word.Any(char.IsDigit) ||
        parts.Contains(word, StringComparer.OrdinalIgnoreCase) ||
        word.Length == 1 && parts.Any(p => char.ToUpperInvariant(p[0]) == char.ToUpperInvariant(word[0])) ||
        string.Equals(word, "Speaker", StringComparison.OrdinalIgnoreCase) ||
        participantLabels.Any(l => l.Count == 1 && string.Equals(l[0], word, StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether text is a known speaker's label and nothing more: their names, staff words, numbers.</summary>
    public bool IsKnownLabel(string text) =>
        Identify(text).Role != SpeakerRole.Unknown &&
        SpeakerTurns.Words(text).All(w =>
            w.Any(char.IsDigit) ||
            people.Any(p => p.Parts.Contains(w, StringComparer.OrdinalIgnoreCase) || p.FullName.Contains(w, StringComparer.OrdinalIgnoreCase)) ||
            staffLabels.Any(l => l.Contains(w, StringComparer.OrdinalIgnoreCase)) ||
            participantLabels.Any(l => l.Contains(w, StringComparer.OrdinalIgnoreCase)));

    // Whole words, in order, anywhere in the label ("P1 (Alex Morgan)" contains "Alex Morgan"), in any case.
    private static bool Contains(IReadOnlyList<string> words, IReadOnlyList<string> phrase)
    {
        for (var start = 0; start + phrase.Count <= words.Count; start++)
        {
            var all = true;
            for (var i = 0; i < phrase.Count && all; i++)
            {
                all = string.Equals(words[start + i], phrase[i], StringComparison.OrdinalIgnoreCase);
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Who spoke a turn.</summary>
internal enum SpeakerRole
{
    Unknown,
    Participant,
    Staff,
}

/// <summary>A turn's speaker; a participant carries their id.</summary>
internal sealed record Speaker(SpeakerRole Role, string? ParticipantId)
{
    public static Speaker Unknown { get; } = new(SpeakerRole.Unknown, null);

    public static Speaker Staff { get; } = new(SpeakerRole.Staff, null);

    public static Speaker Participant(string participantId) => new(SpeakerRole.Participant, participantId);
}
