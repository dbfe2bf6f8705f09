using Compliance.Deadlines;

namespace Compliance.Requests;

/// <summary>
/// A stored request as staff see it (<c>GET /api/requests/{id}</c>): its fields, history and decision, where it stands against
/// its due date, and the DPO's actions it takes now, asked of the request model itself so the console never offers one the
/// API would refuse.
/// </summary>
public sealed class RequestViews(RequestLists lists, DeadlineCalculator deadlines, TimeProvider time)
{
    public RequestView From(DataSubjectRequestRecord r, IReadOnlyList<RequestHistoryEntry> history)
    {
        ArgumentNullException.ThrowIfNull(r);
        var now = time.GetUtcNow();
        return new(
            r.RequestId, r.StudyId, r.Type, r.Status, r.Channel, r.ReceivedAt, r.ClockStartedAt, r.DueDate, r.DueDateDerivation, r.ExtendedTo,
            r.PausedDays, r.Outcome, history, r.DuplicateOf, r.IsPaused, r.Decision, lists.DueStateOf(r, UkTime.DateOf(now)), AllowedActions(r, now), r.Stall);
    }

    /// <summary>The actions the request model accepts now, in <see cref="RequestAction.All"/>'s order.</summary>
    public IReadOnlyList<string> AllowedActions(DataSubjectRequestRecord r, DateTimeOffset now) =>
        RequestAction.All
            .Where(action => DataSubjectRequest.From(r).Act(
                new RequestActionRecord
                {
                    RequestId = r.RequestId,
                    ActionId = "probe",
                    Action = action,
                    Actor = "probe",
                    At = now,
                    Reason = "probe",
                    Exemption = RefusalExemption.Research,
                    Text = "probe",
                },
                deadlines) is null)
            .ToList();
}
