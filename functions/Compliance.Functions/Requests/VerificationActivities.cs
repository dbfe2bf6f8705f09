using Compliance.Audit;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Requests;

/// <summary>
/// Verifying a requester's identity: a code to the address held for the participant, its reminder, the details check for a
/// requester no address matched, and the closing of a request never verified. Each is idempotent (ADR 0003).
/// </summary>
public sealed class VerificationActivities(
    RequestStore requests,
    StudyStore studies,
    StudyPolicies policies,
    RequestEmails emails,
    Mailer mailer,
    AuditLog audit)
{
    /// <summary>Reminds the participant, at the held address, that the code is waiting.</summary>
    [Function(nameof(SendVerificationReminder))]
    public Task SendVerificationReminder([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken) =>
        SendToHeldAddressAsync(input, EmailKind.VerificationReminder, "verification-reminder", r => r.AwaitCode(), cancellationToken);

    /// <summary>Asks a requester whose address matched no participant for details only a participant would know.</summary>
    [Function(nameof(AskForIdentityDetails))]
    public async Task AskForIdentityDetails([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        await SendAsync(request, input, EmailKind.IdentityDetailsNeeded, EmailKind.IdentityDetailsNeeded, EmailRecipient.Requester(request), r => r.AwaitIdentityCheck(), cancellationToken);
    }

    /// <summary>Closes a request whose identity was not confirmed in time, with a notice to the requester; nothing else is done.</summary>
    [Function(nameof(CloseUnverified))]
    public async Task CloseUnverified([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        await SendAsync(request, input, EmailKind.UnverifiedClosed, EmailKind.UnverifiedClosed, EmailRecipient.Requester(request), r => r.CloseUnverified(), cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestClosedUnverified, "closed-unverified"), cancellationToken);
    }

    private async Task SendToHeldAddressAsync(RequestStepInput input, string kind, string messageKey, Action<DataSubjectRequest> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var participant = request.ParticipantId is null ? null : await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken);
        if (participant?.Email is null)
        {
            return;
        }

        await SendAsync(request, input, kind, messageKey, EmailRecipient.Held(participant), step, cancellationToken);
    }

    private async Task SendAsync(DataSubjectRequestRecord request, RequestStepInput input, string kind, string messageKey, EmailRecipient to, Action<DataSubjectRequest> step, CancellationToken cancellationToken)
    {
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        await mailer.WriteForRequestAsync(request.RequestId, kind, messageKey, emails.Simple(request, policy, kind, messageKey, to, input.At), cancellationToken);
        var model = DataSubjectRequest.From(request);
        step(model);
        await requests.SaveAsync(model, messageKey, messageKey, AuditActors.System, input.At, cancellationToken);
    }
}
