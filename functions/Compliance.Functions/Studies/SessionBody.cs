using Compliance.Functions.Http;
using Compliance.Studies;

namespace Compliance.Functions.Studies;

/// <summary>The body of <c>POST /api/studies/{id}/sessions</c>: an interview or focus group that has taken place,, who took part and which supplier transcribes it.</summary>
public sealed record SessionBody(string Kind, DateOnly Date, IReadOnlyList<string> ParticipantIds, string? SupplierId)
{
    /// <summary>The schema for a session of <paramref name="studyId"/> held no later than <paramref name="today"/> (UTC), its participants registered in <paramref name="studies"/>.</summary>
    public static BodySchema<SessionBody> Schema(StudyStore studies, string studyId, DateOnly today) => new(
        ["kind", "date", "participantIds", "supplierId"],
        f =>
        {
            var kind = f.Text("kind", required: true, 32, k => SessionKind.All.Contains(k), $"must be one of: {string.Join(", ", SessionKind.All)}.");
            var date = f.Date("date", required: true);
            var participantIds = f.StringArray("participantIds", required: true, 50, p => PseudonymousId.IsWellFormed(p, PseudonymousId.Participant), "must be participant ids such as P-7KQ2M9XA.");
            var supplierId = f.Text("supplierId", required: false, 64, StudyIds.IsWellFormed, "must be letters, digits, '-' or '_'.");
            if (kind == SessionKind.Interview && participantIds is { Count: not 1 })
            {
                f.Add("participantIds", "an interview has exactly one participant.");
            }
            else if (kind == SessionKind.FocusGroup && participantIds is { Count: < 2 })
            {
                f.Add("participantIds", "a focus group has two or more participants.");
            }

            if (date > today)
            {
                f.Add("date", "must not be in the future: sessions are registered once they have taken place.");
            }

            return new SessionBody(kind!, date.GetValueOrDefault(), participantIds!, supplierId);
        })
    {
        Check = async (body, f, cancellationToken) =>
        {
            foreach (var participantId in f.HasErrors ? [] : body.ParticipantIds)
            {
                if (await studies.FindParticipantAsync(studyId, participantId, cancellationToken) is null)
                {
                    f.Add("participantIds", $"{participantId} is not a participant of this study.");
                }
            }
        },
    };

    /// <summary>The session this body registers in <paramref name="studyId"/>, with a new pseudonymous id.</summary>
    public Session ToSession(string studyId, DateTimeOffset at) => new()
    {
        StudyId = studyId,
        SessionId = PseudonymousId.New(PseudonymousId.Session),
        Kind = Kind,
        Date = Date,
        ParticipantIds = ParticipantIds,
        SupplierId = SupplierId,
        RegisteredAt = at,
    };
}
