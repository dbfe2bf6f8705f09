using Compliance.Policies;
using Compliance.Studies;

namespace Compliance.Anonymisation;

/// <summary>What a session's transcript is anonymised against: one rule for an access export and for the analysts' copy.</summary>
public static class SessionAnonymisation
{
    /// <summary>
    /// The session's people (their names label turns and are removed), the requester as the own participant (null: every
    /// turn is kept, every participant's details removed), and the policy's redaction list with the full names of the
    /// study's participants of other sessions, who may be mentioned too.
    /// </summary>
    public static AnonymisationOptions OptionsFor(Session session, string? ownParticipantId, IReadOnlyDictionary<string, Participant> everyone, StudyPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(everyone);
        ArgumentNullException.ThrowIfNull(policy);
        var people = session.ParticipantIds
            .Select(id => everyone.TryGetValue(id, out var p) ? new TranscriptPerson(id, p.Name, p.Email, p.Phone) : new TranscriptPerson(id, null, null, null))
            .ToList();

        // Only names of two words or more: a single name of someone absent ("Will") is too likely to be an ordinary word.
        var others = everyone.Values
            .Where(p => !session.ParticipantIds.Contains(p.ParticipantId, StringComparer.Ordinal) && p.Name is not null)
            .Select(p => p.Name!.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(words => words.Length >= 2)
            .SelectMany(words => new[] { string.Join(' ', words), $"{words[0]} {words[^1]}" })
            .Distinct(StringComparer.OrdinalIgnoreCase);

        return new AnonymisationOptions
        {
            People = people,
            SessionKind = session.Kind,
            OwnParticipantId = ownParticipantId,
            RedactionList = [.. policy.RedactionList, .. others],
        };
    }

    /// <summary>
    /// Whether a person should read an anonymised transcript before it is relied on: turns whose speaker matched no one, none
    /// kept, or no turns recognised in anything but a one-to-one interview (the only kind taken whole without them).
    /// </summary>
    public static bool NeedsReview(Session session, AnonymisedTranscript result)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(result);
        var oneToOne = session.Kind == SessionKind.Interview && session.ParticipantIds.Count == 1;
        return result.UnattributedTurns > 0 || result.TurnsKept == 0 || (!result.TurnsRecognised && !oneToOne);
    }
}
