using Compliance.Audit;
using Compliance.Deadlines;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// The activities of the <c>DataSubjectRequest</c> orchestration. Each is idempotent by a key made from the request and the
/// step (ADR 0003): a retry after a crash repeats nothing visible.
/// </summary>
public sealed class RequestActivities(
    RequestStore requests,
    StudyStore studies,
    StudyPolicies policies,
    AuditLog audit,
    RequestEmails emails,
    DeadlineCalculator deadlines,
    TaskStore tasks,
    Mailer mailer,
    RequestDecisions decisions,
    Compliance.Retention.HoldStore holds,
    ILogger<RequestActivities> logger)
{
    /// <summary>What an outcome email says when a hold keeps some of the participant's data for now.</summary>
    public const string HeldNote = "Some of your information is kept for now because the law requires it or to keep someone safe (a hold); it will be deleted as soon as that need ends.";

    /// <summary>Matches the requester to a participant by the address held for them, and decides how identity is verified.</summary>
    [Function(nameof(PrepareRequest))]
    public async Task<RequestPlan> PrepareRequest([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var participant = await studies.FindParticipantByEmailAsync(request.StudyId, request.RequesterEmail, cancellationToken);

        var mode = !VerificationMode.TypesNeedingVerification.Contains(request.Type) || request.IdentityConfirmed
            ? VerificationMode.None
            : participant is not null ? VerificationMode.CodeToHeldAddress : VerificationMode.DetailsCheck;

        var model = DataSubjectRequest.From(request);
        model.Prepare(participant?.ParticipantId, mode);
        await requests.SaveAsync(model, "prepared", "prepared", AuditActors.System, input.At, cancellationToken);
        logger.LogInformation("Request {RequestId}: verification {VerificationMode}", request.RequestId, mode);
        var v = policy.Verification;
        return new RequestPlan(mode, request.ReceivedAt, v.CodeValidFor, v.ReminderAfter, v.CloseUnverifiedAfter, request.Type);
    }

    /// <summary>Writes the acknowledgement to the outbox (once), records the request as acknowledged and audits it (once).</summary>
    [Function(nameof(AcknowledgeRequest))]
    public async Task<AcknowledgeRequestResult> AcknowledgeRequest([ActivityTrigger] AcknowledgeRequestInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var (kind, message) = emails.Acknowledgement(request, policy, input.At);
        var blobName = Outbox.BlobNameFor(request.RequestId, RequestEmails.AcknowledgementKey);
        var written = await mailer.WriteForRequestAsync(request.RequestId, kind, RequestEmails.AcknowledgementKey, message, cancellationToken);

        var model = DataSubjectRequest.From(request);
        model.Acknowledge();
        await requests.SaveAsync(model, "acknowledged", "acknowledged", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Acknowledged(request, RequestEmails.AcknowledgementKey), cancellationToken);
        logger.LogInformation("Acknowledgement of request {RequestId} is in the outbox (written now: {Written})", request.RequestId, written);
        return new AcknowledgeRequestResult(blobName, written);
    }

    /// <summary>
    /// Sends a code to the address held for the participant (never one given in the request). The code exists only in the
    /// email and, hashed, in the request row; if this step runs again after its email was written, the code in it stands and
    /// only what the first attempt did not record (history, audit) is written.
    /// </summary>
    [Function(nameof(SendVerificationCode))]
    public async Task SendVerificationCode([ActivityTrigger] VerificationCodeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var messageKey = $"{EmailKind.VerificationCode}-{input.Sequence}";
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        if (!await mailer.IsWrittenAsync(input.RequestId, messageKey, cancellationToken))
        {
            var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
            var participant = request.ParticipantId is null ? null : await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken);
            if (participant?.Email is null)
            {
                throw new InvalidOperationException($"Request {request.RequestId} has no participant address to send a code to.");
            }

            var code = VerificationCodes.New();
            var validUntil = new DateTimeOffset(policy.Verification.CodeValidFor.AddTo(input.At.UtcDateTime), TimeSpan.Zero);
            await requests.SetVerificationCodeAsync(request.RequestId, VerificationCodes.Hash(request.RequestId, code), validUntil, cancellationToken);
            var message = emails.VerificationCode(request, policy, participant.Email, participant.Name, code, validUntil, messageKey, input.At);
            await mailer.WriteForRequestAsync(request.RequestId, EmailKind.VerificationCode, messageKey, message, cancellationToken);
        }

        var model = DataSubjectRequest.From(request);
        model.AwaitCode();
        await requests.SaveAsync(model, messageKey, "verification-code-sent", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.VerificationSent, messageKey), cancellationToken);
    }

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
        await SendAsync(request, input, EmailKind.IdentityDetailsNeeded, EmailKind.IdentityDetailsNeeded, request.RequesterEmail, request.RequesterName, r => r.AwaitIdentityCheck(), cancellationToken);
    }

    /// <summary>Creates a manual task for the request (once: its id comes from the request and the kind) and audits it.</summary>
    [Function(nameof(CreateTask))]
    public async Task<string> CreateTask([ActivityTrigger] CreateTaskInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var task = await tasks.EnsureAsync(new ManualTask
        {
            TaskId = TaskStore.IdFor(request.RequestId, input.Kind),
            Workflow = WorkflowRef.Request(request.RequestId),
            StudyId = request.StudyId,
            Kind = input.Kind,
            AssigneeRole = TaskKind.AssigneeOf(input.Kind),
            CreatedAt = input.At,
            DueAt = input.DueAt,
            Status = TaskStore.Open,
        }, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.TaskCreated, $"task-{input.Kind}", AuditActors.System, ("taskId", task.TaskId), ("kind", input.Kind)), cancellationToken);
        return task.TaskId;
    }

    /// <summary>Closes a request whose identity was not confirmed in time, with a notice to the requester; nothing else is done.</summary>
    [Function(nameof(CloseUnverified))]
    public async Task CloseUnverified([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        await SendAsync(request, input, EmailKind.UnverifiedClosed, EmailKind.UnverifiedClosed, request.RequesterEmail, request.RequesterName, r => r.CloseUnverified(), cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestClosedUnverified, "closed-unverified"), cancellationToken);
    }

    /// <summary>Starts the statutory clock: the due date and its derivation from the calculator, stored on the request.</summary>
    [Function(nameof(StartClock))]
    public async Task<StartClockResult> StartClock([ActivityTrigger] StartClockInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var model = DataSubjectRequest.From(request);
        var deadline = model.StartClock(input.ClockStartAt, deadlines);
        await requests.SaveAsync(model, "clock-started", "clock-started", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ClockStarted, "clock-started", AuditActors.System, ("dueDate", deadline.DueDate is { } d ? RequestStore.FormatDate(d) : "none")), cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        return new StartClockResult(deadline.ClockStart, deadline.DueDate, policy.Deadlines.RemindBefore, policy.Deadlines.EscalateEvery);
    }

    /// <summary>Whether the request is linked to a participant, so that there is data of theirs to act on.</summary>
    [Function(nameof(CheckParticipant))]
    public async Task<ParticipantCheck> CheckParticipant([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        return new ParticipantCheck(request.ParticipantId is not null
            && await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken) is not null);
    }

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
        var outcome = input.Kind.StartsWith("outcome-", StringComparison.Ordinal) ? input.Kind["outcome-".Length..] : input.Kind;
        var model = DataSubjectRequest.From(request);
        model.Complete(outcome);
        await requests.SaveAsync(model, "completed", "completed", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestCompleted, "completed", AuditActors.System, ("outcome", outcome)), cancellationToken);

        // A participant whose contact details were erased while this request was open: its copy of them goes now it is done.
        if (request.ParticipantId is { } participantId && await studies.FindParticipantAsync(request.StudyId, participantId, cancellationToken) is { ErasedAt: not null })
        {
            await requests.EraseRequesterAsync(request.RequestId, cancellationToken);
        }
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
        await mailer.SendToAsync(request, kind, $"dpo-{input.Key}", policy.Dpo.Email, policy.Dpo.Name, extra, input.At, toParticipant: false, cancellationToken);
        await requests.RecordStepAsync(request, input.Key, escalation ? "deadline-escalation" : "deadline-reminder", AuditActors.System, input.At, cancellationToken);
        await audit.AppendAsync(
            RequestAuditEvents.Step(request, escalation ? AuditActions.DeadlineEscalation : AuditActions.DeadlineReminder, input.Key, AuditActors.System, ("dueDate", RequestStore.FormatDate(input.DueDate))),
            cancellationToken);
        logger.LogInformation("Request {RequestId}: DPO {AlarmKind} for due date {DueDate}", request.RequestId, input.Kind, input.DueDate);
    }

    /// <summary>Records the approval the DPO gave by completing the approval task, as the decision with reviewer and date.</summary>
    [Function(nameof(RecordApprovalByTask))]
    public async Task RecordApprovalByTask([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.LoadAsync(input.RequestId, cancellationToken);
        var task = await tasks.FindAsync(TaskStore.IdFor(request.Id, TaskKind.Approval), cancellationToken);
        if (request.Approve(task?.CompletedBy ?? AuditActors.System, task?.CompletedAt ?? input.At) is null)
        {
            await decisions.ApproveAsync(request, "approved-by-task", cancellationToken);
        }
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

    private static string Days(int days) => days == 1 ? "1 day" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{days} days");

    private async Task SendToHeldAddressAsync(RequestStepInput input, string kind, string messageKey, Action<DataSubjectRequest> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var participant = request.ParticipantId is null ? null : await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken);
        if (participant?.Email is null)
        {
            return;
        }

        await SendAsync(request, input, kind, messageKey, participant.Email, participant.Name, step, cancellationToken);
    }

    private async Task SendAsync(DataSubjectRequestRecord request, RequestStepInput input, string kind, string messageKey, string to, string? toName, Action<DataSubjectRequest> step, CancellationToken cancellationToken)
    {
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        await mailer.WriteForRequestAsync(request.RequestId, kind, messageKey, emails.Simple(request, policy, kind, messageKey, to, toName, input.At), cancellationToken);
        var model = DataSubjectRequest.From(request);
        step(model);
        await requests.SaveAsync(model, messageKey, messageKey, AuditActors.System, input.At, cancellationToken);
    }

}
