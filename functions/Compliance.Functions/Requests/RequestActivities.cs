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
    Outbox outbox,
    RequestEmails emails,
    DeadlineCalculator deadlines,
    TaskStore tasks,
    ILogger<RequestActivities> logger)
{
    /// <summary>Matches the requester to a participant by the address held for them, and decides how identity is verified.</summary>
    [Function(nameof(PrepareRequest))]
    public async Task<RequestPlan> PrepareRequest([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await FindAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var participant = await studies.FindParticipantByEmailAsync(request.StudyId, request.RequesterEmail, cancellationToken);

        var mode = !VerificationMode.TypesNeedingVerification.Contains(request.Type) || request.IdentityConfirmed
            ? VerificationMode.None
            : participant is not null ? VerificationMode.CodeToHeldAddress : VerificationMode.DetailsCheck;

        await requests.RecordStepAsync(
            request.RequestId,
            "prepared",
            new RequestHistoryEntry(input.At, "prepared", request.Status, AuditActors.System),
            new Dictionary<string, object?> { ["ParticipantId"] = participant?.ParticipantId, ["VerificationMode"] = mode },
            cancellationToken);
        logger.LogInformation("Request {RequestId}: verification {VerificationMode}", request.RequestId, mode);
        var v = policy.Verification;
        return new RequestPlan(mode, request.ReceivedAt, v.CodeValidFor, v.ReminderAfter, v.CloseUnverifiedAfter);
    }

    /// <summary>Writes the acknowledgement to the outbox (once), records the request as acknowledged and audits it (once).</summary>
    [Function(nameof(AcknowledgeRequest))]
    public async Task<AcknowledgeRequestResult> AcknowledgeRequest([ActivityTrigger] AcknowledgeRequestInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await FindAsync(input.RequestId, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var (kind, message) = emails.Acknowledgement(request, policy, input.At);
        var blobName = Outbox.BlobNameFor(request.RequestId, RequestEmails.AcknowledgementKey);
        var written = await outbox.TryWriteAsync(blobName, message, Metadata(request.RequestId, kind), cancellationToken);

        await requests.RecordStepAsync(request.RequestId, "acknowledged", new RequestHistoryEntry(input.At, "acknowledged", RequestStatus.Acknowledged, AuditActors.System), cancellationToken: cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Acknowledged(request, RequestEmails.AcknowledgementKey), cancellationToken);
        logger.LogInformation("Acknowledgement of request {RequestId} is in the outbox (written now: {Written})", request.RequestId, written);
        return new AcknowledgeRequestResult(blobName, written);
    }

    /// <summary>
    /// Sends a code to the address held for the participant (never one given in the request). The code exists only in the
    /// email and, hashed, in the request row; if this step runs again after its email was written, it changes nothing.
    /// </summary>
    [Function(nameof(SendVerificationCode))]
    public async Task SendVerificationCode([ActivityTrigger] VerificationCodeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var messageKey = $"{EmailKind.VerificationCode}-{input.Sequence}";
        var blobName = Outbox.BlobNameFor(input.RequestId, messageKey);
        if (await outbox.ExistsAsync(blobName, cancellationToken))
        {
            return;
        }

        var request = await FindAsync(input.RequestId, cancellationToken);
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
        await outbox.TryWriteAsync(blobName, message, Metadata(request.RequestId, EmailKind.VerificationCode), cancellationToken);
        await requests.RecordStepAsync(
            request.RequestId,
            messageKey,
            new RequestHistoryEntry(input.At, "verification-code-sent", RequestStatus.AwaitingVerification, AuditActors.System),
            cancellationToken: cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.VerificationSent, messageKey), cancellationToken);
    }

    /// <summary>Reminds the participant, at the held address, that the code is waiting.</summary>
    [Function(nameof(SendVerificationReminder))]
    public Task SendVerificationReminder([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken) =>
        SendToHeldAddressAsync(input, EmailKind.VerificationReminder, "verification-reminder", RequestStatus.AwaitingVerification, cancellationToken);

    /// <summary>Asks a requester whose address matched no participant for details only a participant would know.</summary>
    [Function(nameof(AskForIdentityDetails))]
    public async Task AskForIdentityDetails([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await FindAsync(input.RequestId, cancellationToken);
        await SendAsync(request, input, EmailKind.IdentityDetailsNeeded, EmailKind.IdentityDetailsNeeded, request.RequesterEmail, request.RequesterName, RequestStatus.AwaitingIdentityCheck, cancellationToken);
    }

    /// <summary>Creates a manual task for the request (once: its id comes from the request and the kind) and audits it.</summary>
    [Function(nameof(CreateTask))]
    public async Task<string> CreateTask([ActivityTrigger] CreateTaskInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await FindAsync(input.RequestId, cancellationToken);
        var task = await tasks.EnsureAsync(new ManualTask
        {
            TaskId = TaskStore.IdFor(request.RequestId, input.Kind),
            RequestId = request.RequestId,
            StudyId = request.StudyId,
            Kind = input.Kind,
            AssigneeRole = Identity.Role.Dpo,
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
        var request = await FindAsync(input.RequestId, cancellationToken);
        await SendAsync(request, input, EmailKind.UnverifiedClosed, EmailKind.UnverifiedClosed, request.RequesterEmail, request.RequesterName, RequestStatus.ClosedUnverified, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.RequestClosedUnverified, "closed-unverified"), cancellationToken);
    }

    /// <summary>Starts the statutory clock: the due date and its derivation from the calculator, stored on the request.</summary>
    [Function(nameof(StartClock))]
    public async Task<StartClockResult> StartClock([ActivityTrigger] StartClockInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await FindAsync(input.RequestId, cancellationToken);
        var receivedOn = UkTime.DateOf(request.ReceivedAt);
        var confirmedOn = input.IdentityHadToBeConfirmed ? UkTime.DateOf(input.ClockStartAt) : (DateOnly?)null;
        var deadline = deadlines.Calculate(new DeadlineInput(receivedOn, confirmedOn < receivedOn ? receivedOn : confirmedOn));
        await requests.RecordStepAsync(
            request.RequestId,
            "clock-started",
            new RequestHistoryEntry(input.At, "clock-started", RequestStatus.InProgress, AuditActors.System),
            new Dictionary<string, object?>
            {
                ["ClockStartedAt"] = input.ClockStartAt,
                ["DueDate"] = deadline.DueDate is { } due ? RequestStore.FormatDate(due) : null,
                ["DueDateDerivation"] = System.Text.Json.JsonSerializer.Serialize(deadline.Derivation),
                ["PausedDays"] = deadline.PausedDays,
            },
            cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.ClockStarted, "clock-started", AuditActors.System, ("dueDate", deadline.DueDate is { } d ? RequestStore.FormatDate(d) : "none")), cancellationToken);
        return new StartClockResult(deadline.ClockStart, deadline.DueDate);
    }

    private async Task SendToHeldAddressAsync(RequestStepInput input, string kind, string messageKey, string status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await FindAsync(input.RequestId, cancellationToken);
        var participant = request.ParticipantId is null ? null : await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken);
        if (participant?.Email is null)
        {
            return;
        }

        await SendAsync(request, input, kind, messageKey, participant.Email, participant.Name, status, cancellationToken);
    }

    private async Task SendAsync(DataSubjectRequestRecord request, RequestStepInput input, string kind, string messageKey, string to, string? toName, string status, CancellationToken cancellationToken)
    {
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        await outbox.TryWriteAsync(
            Outbox.BlobNameFor(request.RequestId, messageKey),
            emails.Simple(request, policy, kind, messageKey, to, toName, input.At),
            Metadata(request.RequestId, kind),
            cancellationToken);
        await requests.RecordStepAsync(request.RequestId, messageKey, new RequestHistoryEntry(input.At, messageKey, status, AuditActors.System), cancellationToken: cancellationToken);
    }

    private async Task<DataSubjectRequestRecord> FindAsync(string requestId, CancellationToken cancellationToken) =>
        await requests.FindAsync(requestId, cancellationToken) ?? throw new InvalidOperationException($"Request {requestId} is not recorded.");

    private static Dictionary<string, string> Metadata(string requestId, string kind) =>
        new() { ["requestId"] = requestId, ["kind"] = kind, ["state"] = "pending" };
}
