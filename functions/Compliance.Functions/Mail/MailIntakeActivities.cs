using System.Globalization;
using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Mail.Intake;
using Compliance.Mail;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail;

/// <summary>
/// The steps of a message's intake work. Each reads the stored message itself (personal data stays in storage, out of the
/// orchestration) and is idempotent by the intake key: audit entries, tasks, history steps and requests are keyed by it.
/// </summary>
public sealed class MailIntakeActivities(
    InboundMailStore inbound,
    InboundMessageReader reader,
    RequestClassifier classifier,
    RequestStore requests,
    RequestIntake intake,
    StudyPolicies policies,
    RequestCodes codes,
    TaskStore tasks,
    AuditLog audit,
    IOptions<MailOptions> mailOptions,
    IOptions<IntakeOptions> intakeOptions,
    ILogger<MailIntakeActivities> logger)
{
    /// <summary>The most of a message's own words kept as a request's details.</summary>
    public const int MaxDetailsLength = 4000;

    /// <summary>Reads the stored message and decides what intake does with it; the plan holds codes, types and ids only.</summary>
    [Function(nameof(ReadInboundMail))]
    public async Task<MailIntakePlan> ReadInboundMail([ActivityTrigger] MailStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (stored, read) = await LoadAsync(input.IntakeKey, cancellationToken);
        var mail = mailOptions.Value;
        var decision = IntakeDecisions.Decide(read, [mail.FromAddress], mail.EffectiveMessageIdDomain, classifier);
        switch (decision.Action)
        {
            case IntakeAction.Quarantine:
                return Plan(MailIntakeAction.Quarantine, decision.Reason);
            case IntakeAction.Ignore:
                return Plan(MailIntakeAction.Ignore, decision.Reason);
            case IntakeAction.Reply when await requests.FindAsync(decision.Reply!.RequestId, cancellationToken) is not null:
                return Plan(MailIntakeAction.Reply, decision.Reason, decision.Reply.RequestId);
        }

        // A new message, or one naming a request we do not have: classified like any other.
        var classification = decision.Classification ?? classifier.Classify(read.Message!);
        return classification.NeedsTriage
            ? Plan(MailIntakeAction.Triage, IntakeDecisions.TriageReason)
            : Plan(MailIntakeAction.NewRequests, IntakeDecisions.ClassifiedReason, types: classification.Intents.Select(i => i.Type).ToList());

        MailIntakePlan Plan(string action, string reason, string? requestId = null, IReadOnlyList<string>? types = null) =>
            new(action, reason, requestId, types ?? [], stored.ReceivedAt);
    }

    /// <summary>Records that a message could not be read; it stays in <c>mail-inbound</c> for staff.</summary>
    [Function(nameof(QuarantineMail))]
    public async Task QuarantineMail([ActivityTrigger] MailStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await AuditAsync(input.IntakeKey, AuditActions.MailQuarantined, "quarantined", null, cancellationToken, ("reason", input.Reason));
        logger.LogWarning("Inbound message {IntakeKey} quarantined: {Reason}", input.IntakeKey, input.Reason);
    }

    /// <summary>Records that a message starts nothing (an auto-reply, a bounce, our own mail, or staff found it asks for nothing).</summary>
    [Function(nameof(IgnoreMail))]
    public async Task IgnoreMail([ActivityTrigger] MailStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        await AuditAsync(input.IntakeKey, AuditActions.MailIgnored, "ignored", null, cancellationToken, ("reason", input.Reason));
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
            },
            cancellationToken);
        var details = new List<(string, string)> { ("taskId", task.TaskId), ("kind", input.Kind) };
        if (input.RequestId is not null)
        {
            details.Add(("requestId", input.RequestId));
        }

        await AuditAsync(input.IntakeKey, AuditActions.TaskCreated, $"task-{input.Kind}", intakeOptions.Value.StudyId, cancellationToken, [.. details]);
        if (input.Kind == TaskKind.MailTriage)
        {
            await AuditAsync(input.IntakeKey, AuditActions.MailTriage, "triage", null, cancellationToken, ("taskId", task.TaskId));
        }

        return task.TaskId;
    }

    /// <summary>
    /// Makes request <see cref="MailRequestInput.Index"/> of the message: from its sender, received when the message was,
    /// by email, with the message's own words as details; then starts its workflow (or links it as a duplicate).
    /// </summary>
    [Function(nameof(CreateRequestFromMail))]
    public async Task<string> CreateRequestFromMail([ActivityTrigger] MailRequestInput input, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (stored, read) = await LoadAsync(input.IntakeKey, cancellationToken);
        var message = read.Message ?? throw new InvalidOperationException($"Inbound message {input.IntakeKey} cannot be read.");
        var studyId = intakeOptions.Value.StudyId;
        var (_, policy) = await policies.GetAsync(studyId, cancellationToken);
        var words = ReplyText.NewText(message.Text);
        var details = string.IsNullOrWhiteSpace(message.Subject) ? words : $"{message.Subject}\n\n{words}";
        var result = await intake.SubmitAsync(
            new NewRequest(
                studyId,
                input.Type,
                message.FromAddress,
                message.FromName,
                details.Length > MaxDetailsLength ? details[..MaxDetailsLength] : details,
                RequestChannel.Email,
                stored.ReceivedAt,
                IdentityConfirmed: false,
                AuditActors.Participant,
                RequestId: RequestId.ForMessage(input.IntakeKey, input.Index, stored.ReceivedAt)),
            policy,
            input.At,
            durable,
            cancellationToken);
        var requestId = result.Record.RequestId;
        await inbound.TagStudyAsync(input.IntakeKey, studyId, cancellationToken);
        await AuditAsync(input.IntakeKey, AuditActions.MailRequestCreated, $"request-{input.Index}", studyId, cancellationToken, ("requestId", requestId), ("type", input.Type));
        return requestId;
    }

    /// <summary>
    /// Hands a reply to its request: a code verifies the requester (or confirms a rectification's new address), an answer
    /// to a clarification resumes the clock, anything else is a note. Every reply is in the request's history.
    /// </summary>
    [Function(nameof(ApplyReply))]
    public async Task<MailReplyResult> ApplyReply([ActivityTrigger] MailReplyInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (stored, read) = await LoadAsync(input.IntakeKey, cancellationToken);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var code = ReplyMatcher.Match(read.Message!, mailOptions.Value.EffectiveMessageIdDomain)?.VerificationCode;
        var at = stored.ReceivedAt;
        await inbound.TagStudyAsync(input.IntakeKey, request.StudyId, cancellationToken);
        var result = await DecideReplyAsync(request, code, at, cancellationToken);
        await requests.RecordStepAsync(request, $"reply-{input.IntakeKey}", $"reply-{result.Outcome}", AuditActors.Participant, at, cancellationToken);
        await AuditAsync(input.IntakeKey, AuditActions.MailReply, "reply", request.StudyId, cancellationToken, ("requestId", request.RequestId), ("outcome", result.Outcome));
        return result;
    }

    private async Task<MailReplyResult> DecideReplyAsync(DataSubjectRequestRecord request, string? code, DateTimeOffset at, CancellationToken cancellationToken)
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

    private async Task<(StoredInboundMail Stored, InboundReadResult Read)> LoadAsync(string intakeKey, CancellationToken cancellationToken)
    {
        var stored = await inbound.FindAsync(intakeKey, cancellationToken) ?? throw new InvalidOperationException($"Inbound message {intakeKey} is not stored.");
        await using var raw = await inbound.OpenReadAsync(intakeKey, cancellationToken);
        return (stored, await reader.ReadAsync(raw, cancellationToken));
    }

    private Task<AuditEntry> AuditAsync(string intakeKey, string action, string step, string? studyId, CancellationToken cancellationToken, params (string Key, string Value)[] details)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["intakeKey"] = intakeKey };
        foreach (var (key, value) in details)
        {
            values[key] = value;
        }

        return audit.AppendAsync(
            new AuditEvent(AuditActors.System, action) { StudyId = studyId, RequestId = intakeKey, Details = values, IdempotencyKey = $"{intakeKey}:{step}" },
            cancellationToken);
    }
}
