using Compliance.Audit;
using Compliance.Mail;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Requests;

/// <summary>
/// The end of a <c>DataSubjectRequest</c>: the outcome email and the closing of the request. Each is idempotent by a key made
/// from the request and the step (ADR 0003): a retry after a crash repeats nothing visible.
/// </summary>
public sealed class RequestActivities(
    RequestStore requests,
    StudyStore studies,
    Compliance.Retention.HoldStore holds,
    Mailer mailer,
    AuditLog audit,
    RequesterDetailsEraser requesterDetails)
{
    /// <summary>What an outcome email says when a hold keeps some of the participant's data for now.</summary>
    public const string HeldNote = "Some of your information is kept for now because the law requires it or to keep someone safe (a hold); it will be deleted as soon as that need ends.";

    /// <summary>Writes the outcome email (once) and, when asked, closes the request as completed with that outcome.</summary>
    [Function(nameof(SendOutcome))]
    public async Task SendOutcome([ActivityTrigger] OutcomeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        if (input.Kind == EmailKind.OutcomeWithdraw)
        {
            extra["sharedMaterialNote"] = await TookPartInFocusGroupAsync(request, cancellationToken)
                ? "A group discussion's shared recording also holds other people's voices, so it stays; your part of it is removed by hand."
                : string.Empty;
        }

        if (input.Kind is EmailKind.OutcomeWithdraw or EmailKind.OutcomeEraseContact)
        {
            extra["heldNote"] = await IsHeldAsync(request, input.Kind == EmailKind.OutcomeWithdraw, cancellationToken) ? HeldNote : string.Empty;
        }

        await mailer.SendToRequesterAsync(request, input.Kind, "outcome", extra, input.At, cancellationToken);
        await requests.RecordStepAsync(request, "outcome-sent", "outcome-sent", AuditActors.System, input.At, cancellationToken);
        if (input.Close)
        {
            await CompleteRequest(input, cancellationToken);
        }
    }

    /// <summary>Closes the request as completed, with its outcome (the outcome email's kind without the <c>outcome-</c> prefix).</summary>
    [Function(nameof(CompleteRequest))]
    public async Task CompleteRequest([ActivityTrigger] OutcomeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var outcome = RequestOutcomes.Of(input.Kind);
        var model = DataSubjectRequest.From(request);
        model.Complete(outcome);
        await requests.SaveAsync(model, "completed", "completed", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestCompleted, "completed", AuditActors.System, ("outcome", outcome)), cancellationToken);

        // A participant whose contact details were erased while this request was open: its copy of them goes now it is done.
        await requesterDetails.EraseIfContactErasedAsync(request, cancellationToken);
    }

    private async Task<bool> TookPartInFocusGroupAsync(DataSubjectRequestRecord request, CancellationToken cancellationToken) =>
        request.ParticipantId is { } participantId
        && (await studies.ListSessionsAsync(request.StudyId, cancellationToken)).Any(s => s.Kind == SessionKind.FocusGroup && s.ParticipantIds.Contains(participantId));

    /// <summary>
    /// Whether a hold keeps some of the participant's data: their contact details (a participant or study hold), or, for
    /// <paramref name="material"/>, a session they took part in.
    /// </summary>
    private async Task<bool> IsHeldAsync(DataSubjectRequestRecord request, bool material, CancellationToken cancellationToken)
    {
        if (request.ParticipantId is not { } participantId)
        {
            return false;
        }

        var active = await holds.ListActiveAsync(request.StudyId, cancellationToken);
        if (active.Any(h => h.Covers(request.StudyId, null, [participantId])))
        {
            return true;
        }

        return material && (await studies.ListSessionsAsync(request.StudyId, cancellationToken))
            .Where(s => s.ParticipantIds.Contains(participantId))
            .Any(s => active.Any(h => h.Covers(request.StudyId, s.SessionId, [participantId])));
    }
}
