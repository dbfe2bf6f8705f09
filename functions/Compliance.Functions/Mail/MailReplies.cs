using System.Globalization;
using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Requests;
using Compliance.Studies;

namespace Compliance.Functions.Mail;

/// <summary>
/// What a reply to a request does: a code verifies the requester (or confirms a rectification's new address), an answer to
/// a clarification resumes the clock, anything else is a note. In Functions because the codes are (<see cref="RequestCodes"/>).
/// </summary>
public sealed class MailReplies(RequestStore requests, StudyPolicies policies, RequestCodes codes)
{
    public async Task<MailReplyResult> DecideAsync(DataSubjectRequestRecord request, string? code, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        if (code is not null && RequestStatus.IsOpen(request.Status) && await codes.ExpectsCodeAsync(request, cancellationToken))
        {
            var result = await codes.CheckAsync(request, code, policy.Verification.MaxAttempts, at, cancellationToken);
            switch (result.Outcome)
            {
                case CodeOutcome.Verified:
                    return new MailReplyResult(MailReplyOutcome.Verified, result.At);
                case CodeOutcome.AddressConfirmed:
                    return new MailReplyResult(MailReplyOutcome.AddressConfirmed, result.At);
            }
        }

        if (request.IsPaused && RequestStatus.IsOpen(request.Status))
        {
            // The participant's answer to a clarification: their own action, resuming the clock, keyed by the message.
            var actionId = string.Create(CultureInfo.InvariantCulture, $"R{at.UtcDateTime:yyyyMMddHHmmss}-{PseudonymousId.DerivedChars(request.RequestId + "/" + at.Ticks, 12)}");
            await requests.TryAddActionAsync(
                new RequestActionRecord { RequestId = request.RequestId, ActionId = actionId, Action = RequestAction.Resume, Actor = AuditActors.Participant, At = at },
                cancellationToken);
            return new MailReplyResult(MailReplyOutcome.Resumed, at, actionId);
        }

        return new MailReplyResult(MailReplyOutcome.Noted, at);
    }
}
