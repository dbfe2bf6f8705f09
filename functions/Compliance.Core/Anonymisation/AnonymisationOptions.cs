namespace Compliance.Anonymisation;

/// <summary>A person who took part in a session, with the details that anonymisation removes wherever they appear.</summary>
/// <param name="ParticipantId">The pseudonymous participant id; never written to the output.</param>
/// <param name="Name">The name as registered ("Sam Patel"); null once erased, and then turns cannot be attributed by name.</param>
/// <param name="Email">An email address to remove besides any address the pattern finds.</param>
/// <param name="Phone">A telephone number to remove in any spacing, UK or not.</param>
public sealed record TranscriptPerson(string ParticipantId, string? Name, string? Email, string? Phone);

/// <summary>What a transcript is anonymised for: the session's people, whose data is requested and what else to remove.</summary>
public sealed record AnonymisationOptions
{
    /// <summary>The participants of the session. Their names label turns; their names, emails and phones are removed.</summary>
    public required IReadOnlyList<TranscriptPerson> People { get; init; }

    /// <summary>
    /// The session's kind (<see cref="Studies.SessionKind"/>). Only an interview with one person is one-to-one, where the
    /// interviewer's questions are kept with the participant's answers; in any other session they are left out.
    /// </summary>
    public required string SessionKind { get; init; }

    /// <summary>The participant whose data is requested: only their turns are kept. Null anonymises the whole transcript.</summary>
    public string? OwnParticipantId { get; init; }

    /// <summary>The study policy's <c>redactionList</c>: organisations, places and people removed as whole phrases.</summary>
    public IReadOnlyList<string> RedactionList { get; init; } = [];

    /// <summary>Words that mark a staff speaker's label (whole words, any case: "Interviewer", "Moderator 2", "Q").</summary>
    public IReadOnlyList<string> StaffLabels { get; init; } = DefaultStaffLabels;

    /// <summary>Generic labels of the participant ("Respondent:"); they name the one participant of a one-to-one interview only.</summary>
    public IReadOnlyList<string> ParticipantLabels { get; init; } = DefaultParticipantLabels;

    /// <summary>
    /// Names that are also everyday words ("Will", "May"). In running text they are removed only when capitalised, so
    /// "I will" survives while "Will said" does not; labels are matched in any case. See docs/anonymisation.md.
    /// </summary>
    public IReadOnlyList<string> CommonWordNames { get; init; } = DefaultCommonWordNames;

    public static IReadOnlyList<string> DefaultStaffLabels { get; } =
        ["Interviewer", "Moderator", "Facilitator", "Researcher", "Q"];

    public static IReadOnlyList<string> DefaultParticipantLabels { get; } =
        ["Participant", "Respondent", "Interviewee", "A"];

    // Given names and surnames that are ordinary English words often enough that matching them in lower case would
    // damage the text more than it protects anyone: a transcriber capitalises a name, not the word.
    public static IReadOnlyList<string> DefaultCommonWordNames { get; } =
    [
        "Will", "May", "Mark", "Bill", "Grace", "Rose", "Hope", "Faith", "Joy", "Dawn", "Summer", "June", "April",
        "August", "Sky", "Ray", "Pat", "Sue", "Drew", "Jack", "Amber", "Ruby", "Holly", "Ivy", "Lily", "Daisy", "Iris",
        "Heather", "Violet", "Jade", "Pearl", "Rich", "Frank", "Earl", "Guy", "Miles", "Rob", "Bob", "Don", "Chase",
        "Hunter", "Art", "Lance", "Cliff", "Dean", "Glen", "Dale", "Wade", "Reed", "Brook", "Page", "Sterling",
        "Young", "White", "Black", "Green", "Brown", "King", "Cook", "Baker", "Wood", "Hill", "Bell", "Long", "Little",
        "Ward", "Hall", "Turner", "Mason", "Price", "Bishop", "Marsh", "Fox", "Lamb", "Swift", "Sharp", "Short",
        "Rice", "Best", "Moss", "Wall", "Small", "Hunt", "Field", "Parish", "Court", "Church", "Street", "Lane",
    ];

    /// <summary>An interview with exactly one person: the interviewer's questions are kept for context.</summary>
    internal bool IsOneToOne =>
        string.Equals(SessionKind, Studies.SessionKind.Interview, StringComparison.Ordinal) && People.Count == 1;

    /// <exception cref="ArgumentException">An unknown session kind, a person without an id, two people with one id, or an own participant who is not among the people.</exception>
    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(People);
        if (!Studies.SessionKind.All.Contains(SessionKind, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Session kind '{SessionKind}' is not one of: {string.Join(", ", Studies.SessionKind.All)}.", nameof(SessionKind));
        }

        if (People.Any(p => p is null || string.IsNullOrWhiteSpace(p.ParticipantId)))
        {
            throw new ArgumentException("Every person needs a participant id.", nameof(People));
        }

        if (People.GroupBy(p => p.ParticipantId, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            throw new ArgumentException("Two people have the same participant id.", nameof(People));
        }

        if (OwnParticipantId is not null && !People.Any(p => string.Equals(p.ParticipantId, OwnParticipantId, StringComparison.Ordinal)))
        {
            throw new ArgumentException("The own participant is not one of the session's people.", nameof(OwnParticipantId));
        }
    }
}
