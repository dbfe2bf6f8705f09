using Compliance.Audit;
using Compliance.Mail.Intake;
using Compliance.Mail;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail;

/// <summary>A reply to one of our emails, handed to its request (<see cref="MailReplies"/>) and recorded in its history. Idempotent by the intake key.</summary>
public sealed class MailReplyActivities(
    RequestMessages messages,
    RequestStore requests,
    MailReplies replies,
    AuditLog audit,
    IOptions<MailOptions> mailOptions)
{
    /// <summary>
    /// Hands a reply to its request: a code verifies the requester (or confirms a rectification's new address), an answer
    /// to a clarification resumes the clock, anything else is a note. Every reply is in the request's history.
    /// </summary>
    [Function(nameof(ApplyReply))]
    public async Task<MailReplyResult> ApplyReply([ActivityTrigger] MailReplyInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (stored, read) = await messages.LoadAsync(input.IntakeKey, cancellationToken);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var code = ReplyMatcher.Match(read.Message!, mailOptions.Value.EffectiveMessageIdDomain)?.VerificationCode;
        var at = stored.ReceivedAt;
        await messages.LinkAsync(input.IntakeKey, request.StudyId, request.RequestId, stored.ReceivedAt, cancellationToken);
        var result = await replies.DecideAsync(request, code, at, cancellationToken);
        await requests.RecordStepAsync(request, $"reply-{input.IntakeKey}", $"reply-{result.Outcome}", AuditActors.Participant, at, cancellationToken);
        await audit.AppendAsync(MailIntakeSteps.Event(input.IntakeKey, AuditActions.MailReply, "reply", request.StudyId, ("requestId", request.RequestId), ("outcome", result.Outcome)), cancellationToken);
        return result;
    }
}
