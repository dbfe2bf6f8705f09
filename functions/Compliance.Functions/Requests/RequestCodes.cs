using Compliance.Audit;
using Compliance.Participants;
using Compliance.Requests;

namespace Compliance.Functions.Requests;

/// <summary>What a six-digit code did for its request.</summary>
public enum CodeOutcome
{
    /// <summary>Wrong, expired or locked, or no request: nothing changed.</summary>
    Rejected,

    /// <summary>It verified the requester (now, or before: the event is raised again either way).</summary>
    Verified,

    /// <summary>It confirmed a rectification's new address.</summary>
    AddressConfirmed,
}

/// <summary>A code's outcome and the moment it counts from (when the requester was verified).</summary>
public sealed record CodeResult(CodeOutcome Outcome, DateTimeOffset At);

/// <summary>
/// Checks a code against its request, however it arrived (<c>POST /api/requests/{id}/verify</c> or a reply by email): a
/// rectification waiting for its new address takes the code sent to that address, any other request the verification code
/// sent to the held address. Attempts are counted, and success is audited once; the caller tells the workflow.
/// </summary>
public sealed class RequestCodes(RequestStore requests, PendingContactChanges pendingChanges, AuditLog audit)
{
    /// <summary>Whether the request is waiting for a code: its verification, or a rectification's new address.</summary>
    public async Task<bool> ExpectsCodeAsync(DataSubjectRequestRecord request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Status == RequestStatus.AwaitingVerification
            || (request.Type == RequestType.RectifyContact && await pendingChanges.FindPendingEmailAsync(request.RequestId, cancellationToken) is { ConfirmedAt: null });
    }

    /// <summary>Checks <paramref name="code"/> for <paramref name="request"/> at <paramref name="now"/>.</summary>
    public async Task<CodeResult> CheckAsync(DataSubjectRequestRecord request, string code, int maxAttempts, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // A rectification's new address, once its code has gone out (always after identity is confirmed), is confirmed here,
        // whatever the status: a clarification pause in between must not make the code unusable.
        if (request.Type == RequestType.RectifyContact && await pendingChanges.FindPendingEmailAsync(request.RequestId, cancellationToken) is { ConfirmedAt: null })
        {
            var confirmed = await pendingChanges.CheckPendingEmailCodeAsync(request.RequestId, code, now, maxAttempts, cancellationToken);
            if (confirmed is not (CodeCheck.Verified or CodeCheck.AlreadyVerified))
            {
                return new CodeResult(CodeOutcome.Rejected, now);
            }

            await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.AddressConfirmed, "address-confirmed", AuditActors.Participant, ("field", "email")), cancellationToken);
            return new CodeResult(CodeOutcome.AddressConfirmed, now);
        }

        switch (await requests.CheckCodeAsync(request.RequestId, code, now, maxAttempts, cancellationToken))
        {
            case CodeCheck.Verified:
                await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestVerified, "verified", AuditActors.Participant), cancellationToken);
                return new CodeResult(CodeOutcome.Verified, now);
            case CodeCheck.AlreadyVerified:
                // Told again: if the first event was lost, the workflow would otherwise wait until it closes.
                return new CodeResult(CodeOutcome.Verified, request.VerifiedAt ?? now);
            default:
                return new CodeResult(CodeOutcome.Rejected, now);
        }
    }
}
