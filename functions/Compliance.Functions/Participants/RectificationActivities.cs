using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Mail;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Participants;

/// <summary>A rectification: the new address confirmed by a code first, then the change applied. Each is idempotent.</summary>
public sealed class RectificationActivities(
    RequestStore requests,
    StudyStore studies,
    StudyPolicies policies,
    PendingContactChanges pendingChanges,
    Mailer mailer,
    AuditLog audit)
{
    /// <summary>When a rectification gives a new email address, sends a code to that address; it replaces the old one only once confirmed.</summary>
    [Function(nameof(RequestAddressConfirmation))]
    public async Task<AddressConfirmationPlan> RequestAddressConfirmation([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        if (request.RequestedChange?.Email is not { } newEmail)
        {
            return new AddressConfirmationPlan(false, policy.Verification.CodeValidFor);
        }

        if (!await mailer.IsWrittenAsync(request.RequestId, EmailKind.AddressConfirmation, cancellationToken))
        {
            var code = VerificationCodes.New();
            var validUntil = new DateTimeOffset(policy.Verification.CodeValidFor.AddTo(input.At.UtcDateTime), TimeSpan.Zero);
            await pendingChanges.SetPendingEmailAsync(request.RequestId, request.StudyId, request.ParticipantId!, newEmail, PendingContactChanges.HashCode(request.RequestId, code), validUntil, cancellationToken);
            var extra = new Dictionary<string, string>(StringComparer.Ordinal) { ["code"] = code, ["codeValidUntil"] = RequestEmails.FormatMoment(validUntil) };
            await mailer.SendToAsync(request, EmailKind.AddressConfirmation, EmailKind.AddressConfirmation, EmailRecipient.Unconfirmed(newEmail), extra, input.At, toParticipant: true, cancellationToken);
        }

        await requests.SaveAsync(DataSubjectRequest.From(request, r => r.AwaitAddressConfirmation()), "address-confirmation-sent", "address-confirmation-sent", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.AddressConfirmationSent, "address-confirmation-sent"), cancellationToken);
        return new AddressConfirmationPlan(true, policy.Verification.CodeValidFor);
    }

    /// <summary>
    /// Applies the rectification: name and phone as asked, the new address only if it was confirmed. False when there was
    /// nothing the workflow could apply by itself (no structured change, or only an address that was never confirmed).
    /// </summary>
    [Function(nameof(UpdateContact))]
    public async Task<bool> UpdateContact([ActivityTrigger] UpdateContactInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        if (request.RequestedChange is not { } change)
        {
            return false;
        }

        var applied = false;
        if (change.Email is not null)
        {
            if (input.EmailConfirmed)
            {
                await pendingChanges.ApplyPendingEmailAsync(request.RequestId, input.At, cancellationToken);
                applied = true;
            }
            else
            {
                await pendingChanges.DiscardPendingEmailAsync(request.RequestId, cancellationToken);
            }
        }

        if (change.Name is not null || change.Phone is not null)
        {
            await studies.UpdateContactAsync(request.StudyId, request.ParticipantId!, change.Name, change.Phone, email: null, input.At, cancellationToken);
            applied = true;
        }

        if (applied)
        {
            await requests.SaveAsync(DataSubjectRequest.From(request, r => r.ContinueWork()), "contact-updated", "contact-updated", AuditActors.System, input.At, cancellationToken);
            await audit.AppendAsync(
                RequestAuditEvents.Step(request, AuditActions.ContactUpdated, "contact-updated", AuditActors.System, ("fields", Fields(change, input.EmailConfirmed))),
                cancellationToken);
        }

        return applied;
    }

    private static string Fields(ContactCorrection change, bool emailConfirmed) =>
        RequestAuditEvents.Ids(new[] { change.Name is null ? null : "name", change.Phone is null ? null : "phone", change.Email is not null && emailConfirmed ? "email" : null }.OfType<string>());
}
