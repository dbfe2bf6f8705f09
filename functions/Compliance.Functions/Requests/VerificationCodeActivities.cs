using Compliance.Audit;
using Compliance.Keys;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Requests;

/// <summary>
/// A request's verification codes: each derived, not drawn, so every attempt of the step that sends one has the same code
/// (the email and the stored hash always agree), and stored with the status that accepts it before the email is written,
/// so a participant quick to type it is never refused.
/// </summary>
public sealed class VerificationCodeIssuer(RequestStore requests, ServiceKeys keys, AuditLog audit)
{
    /// <summary>The <paramref name="sequence"/>th code of the request, stored (hashed) with the status <paramref name="model"/> has; returns it.</summary>
    public async Task<string> IssueAsync(DataSubjectRequest model, int sequence, DateTimeOffset validUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        var code = VerificationCodes.FromMac(await keys.MacAsync(VerificationCodes.KeyPurpose, VerificationCodes.DerivationInput(model.Id, sequence), cancellationToken));
        await requests.SetVerificationCodeAsync(model.Id, VerificationCodes.Hash(model.Id, code), validUntil, model.State.Status, cancellationToken);
        return code;
    }

    /// <summary>Audits that the code's email is written.</summary>
    public Task RecordSentAsync(DataSubjectRequestRecord request, string messageKey, CancellationToken cancellationToken) =>
        audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.VerificationSent, messageKey), cancellationToken);
}

/// <summary>Sends a request's verification code to the address held for the participant.</summary>
public sealed class VerificationCodeActivities(
    RequestStore requests,
    StudyStore studies,
    StudyPolicies policies,
    RequestEmails emails,
    Mailer mailer,
    VerificationCodeIssuer issuer)
{
    /// <summary>
    /// Sends a code to the address held for the participant (never one given in the request). The code exists only in the
    /// email and, hashed, in the request row, written with the status that accepts it before the email; it is derived from
    /// the request and the code's number under the service key, so a step run again (or twice at once) writes the same code
    /// and the email can never carry one the request does not accept; only what an earlier attempt did not record is written.
    /// </summary>
    [Function(nameof(SendVerificationCode))]
    public async Task SendVerificationCode([ActivityTrigger] VerificationCodeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var messageKey = $"{EmailKind.VerificationCode}-{input.Sequence}";
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var model = DataSubjectRequest.From(request);
        model.AwaitCode();
        if (!await mailer.IsWrittenAsync(input.RequestId, messageKey, cancellationToken))
        {
            var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
            var participant = request.ParticipantId is null ? null : await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken);
            if (participant?.Email is null)
            {
                throw new InvalidOperationException($"Request {request.RequestId} has no participant address to send a code to.");
            }

            var validUntil = new DateTimeOffset(policy.Verification.CodeValidFor.AddTo(input.At.UtcDateTime), TimeSpan.Zero);
            var code = await issuer.IssueAsync(model, input.Sequence, validUntil, cancellationToken);
            var message = emails.VerificationCode(request, policy, EmailRecipient.Held(participant), code, validUntil, messageKey, input.At);
            await mailer.WriteForRequestAsync(request.RequestId, EmailKind.VerificationCode, messageKey, message, cancellationToken);
        }

        await requests.SaveAsync(model, messageKey, "verification-code-sent", AuditActors.System, input.At, cancellationToken);
        await issuer.RecordSentAsync(request, messageKey, cancellationToken);
    }
}
