using Compliance.Audit;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail;

/// <summary>A message that starts no request: quarantined or ignored, and the staff task for it. Idempotent by the intake key.</summary>
public sealed class MailTaskActivities(
    InboundMailStore inbound,
    TaskStore tasks,
    AuditLog audit,
    IOptions<IntakeOptions> intakeOptions,
    ILogger<MailTaskActivities> logger)
{
    /// <summary>Records that a message could not be read; it stays in <c>mail-inbound</c> for staff.</summary>
    [Function(nameof(QuarantineMail))]
    public async Task QuarantineMail([ActivityTrigger] MailStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await audit.AppendAsync(MailIntakeSteps.Event(input.IntakeKey, AuditActions.MailQuarantined, "quarantined", null, ("reason", input.Reason)), cancellationToken);
        logger.LogWarning("Inbound message {IntakeKey} quarantined: {Reason}", input.IntakeKey, input.Reason);
    }

    /// <summary>Records that a message starts nothing (an auto-reply, a bounce, our own mail, or staff found it asks for nothing).</summary>
    [Function(nameof(IgnoreMail))]
    public async Task IgnoreMail([ActivityTrigger] MailStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await audit.AppendAsync(MailIntakeSteps.Event(input.IntakeKey, AuditActions.MailIgnored, "ignored", null, ("reason", input.Reason)), cancellationToken);
    }

    /// <summary>A staff task for the message (triage, quarantine, a reply to read); its id is made from the intake key and kind.</summary>
    [Function(nameof(CreateMailTask))]
    public async Task<string> CreateMailTask([ActivityTrigger] MailTaskInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var stored = await inbound.FindAsync(input.IntakeKey, cancellationToken) ?? throw new InvalidOperationException($"Inbound message {input.IntakeKey} is not stored.");
        var task = await tasks.EnsureAsync(
            new ManualTask
            {
                TaskId = TaskStore.IdFor(input.IntakeKey, input.Kind),
                Workflow = WorkflowRef.MailIntake(input.IntakeKey),
                StudyId = intakeOptions.Value.StudyId,
                Kind = input.Kind,
                AssigneeRole = TaskKind.AssigneeOf(input.Kind),
                CreatedAt = input.At,
                DueAt = stored.ReceivedAt + intakeOptions.Value.TaskDueAfter,
                Status = TaskStore.Open,
                Reason = input.Reason,
                Suggested = input.Suggested ?? [],
                Rules = input.Rules ?? [],
            },
            cancellationToken);
        var details = new List<(string, string)> { ("taskId", task.TaskId), ("kind", input.Kind) };
        if (input.RequestId is not null)
        {
            details.Add(("requestId", input.RequestId));
        }

        await audit.AppendAsync(MailIntakeSteps.Event(input.IntakeKey, AuditActions.TaskCreated, $"task-{input.Kind}", intakeOptions.Value.StudyId, [.. details]), cancellationToken);
        if (input.Kind == TaskKind.MailTriage)
        {
            // Why a person reads it: the reason, the types offered and the rules found (rule ids only, never the message's words).
            await audit.AppendAsync(
                MailIntakeSteps.Event(input.IntakeKey, AuditActions.MailTriage, "triage", null, ("taskId", task.TaskId), ("why", input.Reason ?? "unknown"), ("offered", RequestAuditEvents.Ids(input.Suggested ?? [])), ("rules", RequestAuditEvents.Ids(input.Rules ?? []))),
                cancellationToken);
        }

        return task.TaskId;
    }
}
