using Compliance.Functions.Http;
using Compliance.Studies;
using Compliance.Tasks;

namespace Compliance.Functions.Tasks;

/// <summary>
/// The body of <c>POST /api/tasks/{id}/complete</c>: <c>{outcome}</c>, one of the task kind's outcomes (a triage may name
/// several request types, <see cref="TaskKind.Allows"/>); an identity check found <c>verified</c> may also name the
/// participant the requester turned out to be.
/// </summary>
public sealed record TaskCompletionBody(string Outcome, string? ParticipantId)
{
    /// <summary>Whether the completion names the participant a verified requester is.</summary>
    public bool LinksParticipant => ParticipantId is not null && Outcome == TaskOutcome.Verified;

    /// <summary>The schema for completing <paramref name="task"/>; a named participant must be one of its study's in <paramref name="studies"/>.</summary>
    public static BodySchema<TaskCompletionBody> For(ManualTask task, StudyStore studies)
    {
        ArgumentNullException.ThrowIfNull(task);
        var allowed = TaskKind.Outcomes.GetValueOrDefault(task.Kind, []);
        return new(
            task.Kind == TaskKind.IdentityCheck ? ["outcome", "participantId"] : ["outcome"],
            f => new(
                f.Text("outcome", required: true, 128, o => TaskKind.Allows(task.Kind, o), $"must be one of: {string.Join(", ", allowed)}{(task.Kind == TaskKind.MailTriage ? $"; or several request types joined by '{TaskKind.TypeSeparator}'" : "")}.")!,
                f.Text("participantId", required: false, 64)))
        {
            Check = async (body, f, cancellationToken) =>
            {
                if (body.LinksParticipant && await studies.FindParticipantAsync(task.StudyId, body.ParticipantId!, cancellationToken) is null)
                {
                    f.Add("participantId", "is not a participant of the request's study.");
                }
            },
        };
    }
}
