using Compliance.Functions.Http;
using Compliance.Retention;
using Compliance.Studies;

namespace Compliance.Functions.Retention;

/// <summary>The body of <c>POST /api/holds</c>: what is held (no target for a study hold), why, and when the DPO reviews it.</summary>
public sealed record HoldBody(string StudyId, string Kind, string Scope, string? TargetId, string Reason, DateOnly ReviewOn)
{
    private const int MaxReasonLength = 2000;

    /// <summary>The schema, with the review date no earlier than <paramref name="today"/> and the target registered in <paramref name="studies"/>.</summary>
    public static BodySchema<HoldBody> Schema(DateOnly today, StudyStore studies) => new(
        ["studyId", "kind", "scope", "targetId", "reason", "reviewOn"],
        f =>
        {
            var studyId = f.Text("studyId", required: true, 64, StudyIds.IsWellFormed, "must be a study id.");
            var kind = f.Text("kind", required: true, 32, HoldKind.All.Contains, $"must be one of: {string.Join(", ", HoldKind.All)}.");
            var scope = f.Text("scope", required: true, 32, HoldScope.All.Contains, $"must be one of: {string.Join(", ", HoldScope.All)}.");
            var targetId = f.Text("targetId", required: scope is not HoldScope.Study, 64);
            var reason = f.Text("reason", required: true, MaxReasonLength);
            var reviewOn = f.Date("reviewOn", required: true);
            if (reviewOn < today)
            {
                f.Add("reviewOn", "must be today or later.");
            }

            return new HoldBody(studyId!, kind!, scope!, targetId, reason!, reviewOn.GetValueOrDefault());
        })
    {
        Check = async (body, f, cancellationToken) =>
        {
            if (!f.HasErrors && await TargetProblemAsync(studies, body, cancellationToken) is { } missing)
            {
                f.Add(missing.Field, missing.Message);
            }
        },
    };

    /// <summary>The hold this body places, by <paramref name="placedBy"/> at <paramref name="at"/>.</summary>
    public Hold ToHold(string placedBy, DateTimeOffset at) => new()
    {
        HoldId = HoldStore.NewId(),
        StudyId = StudyId,
        Kind = Kind,
        Scope = Scope,
        TargetId = Scope == HoldScope.Study ? StudyId : TargetId!,
        Reason = Reason,
        ReviewOn = ReviewOn,
        PlacedBy = placedBy,
        PlacedAt = at,
    };

    private static async Task<(string Field, string Message)?> TargetProblemAsync(StudyStore studies, HoldBody body, CancellationToken cancellationToken)
    {
        if (await studies.FindStudyAsync(body.StudyId, cancellationToken) is null)
        {
            return ("studyId", "is not a registered study.");
        }

        return body.Scope switch
        {
            HoldScope.Participant when await studies.FindParticipantAsync(body.StudyId, body.TargetId!, cancellationToken) is null => ("targetId", "is not a participant of the study."),
            HoldScope.Session when await studies.FindSessionAsync(body.StudyId, body.TargetId!, cancellationToken) is null => ("targetId", "is not a session of the study."),
            _ => null,
        };
    }
}
