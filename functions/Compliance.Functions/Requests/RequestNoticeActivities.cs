using Compliance.Audit;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>The acknowledgement to the requester and the DPO's deadline reminders and escalations; each written once (ADR 0003).</summary>
public sealed class RequestNoticeActivities(
    RequestStore requests,
    StudyPolicies policies,
    RequestEmails emails,
    Mailer mailer,
    AuditLog audit,
    ILogger<RequestNoticeActivities> logger)
{
    /// <summary>Writes the acknowledgement to the outbox (once), records the request as acknowledged and audits it (once).</summary>
    [Function(nameof(AcknowledgeRequest))]
    public async Task<AcknowledgeRequestResult> AcknowledgeRequest([ActivityTrigger] AcknowledgeRequestInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var (kind, message) = await emails.AcknowledgementAsync(request, policy, input.At, cancellationToken);
        var blobName = Outbox.BlobNameFor(request.RequestId, RequestEmails.AcknowledgementKey);
        var written = await mailer.WriteForRequestAsync(request.RequestId, kind, RequestEmails.AcknowledgementKey, message, cancellationToken);

        var model = DataSubjectRequest.From(request);
        model.Acknowledge();
        await requests.SaveAsync(model, "acknowledged", "acknowledged", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Acknowledged(request, RequestEmails.AcknowledgementKey), cancellationToken);
        logger.LogInformation("Acknowledgement of request {RequestId} is in the outbox (written now: {Written})", request.RequestId, written);
        return new AcknowledgeRequestResult(blobName, written);
    }

    /// <summary>Reminds the DPO that a request is due soon, or tells them it is overdue; once per alarm key.</summary>
    [Function(nameof(RemindDpo))]
    public async Task RemindDpo([ActivityTrigger] DeadlineAlarmInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var today = UkTime.DateOf(input.At);
        var escalation = input.Kind == "escalation";
        var extra = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["dueDate"] = RequestStore.FormatDate(input.DueDate),
            ["daysLeft"] = Days(input.DueDate.DayNumber - today.DayNumber),
            ["daysOverdue"] = Days(today.DayNumber - input.DueDate.DayNumber),
            ["escalateEvery"] = policy.Deadlines.EscalateEvery.ToString(),
            ["status"] = request.Status,
            ["type"] = request.Type,
            ["studyId"] = request.StudyId,
        };
        var kind = escalation ? EmailKind.DpoDeadlineEscalation : EmailKind.DpoDeadlineReminder;
        await mailer.SendToAsync(request, kind, $"dpo-{input.Key}", EmailRecipient.OnRecord(policy.Dpo.Email, policy.Dpo.Name), extra, input.At, toParticipant: false, cancellationToken);
        await requests.RecordStepAsync(request, input.Key, escalation ? "deadline-escalation" : "deadline-reminder", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(
            RequestAuditEvents.Step(request, escalation ? AuditActions.DeadlineEscalation : AuditActions.DeadlineReminder, input.Key, AuditActors.System, ("dueDate", RequestStore.FormatDate(input.DueDate))),
            cancellationToken);
        logger.LogInformation("Request {RequestId}: DPO {AlarmKind} for due date {DueDate}", request.RequestId, input.Kind, input.DueDate);
    }

    private static string Days(int days) => days == 1 ? "1 day" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{days} days");
}
