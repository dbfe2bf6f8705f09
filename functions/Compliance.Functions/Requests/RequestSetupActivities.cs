using Compliance.Audit;
using Compliance.Deadlines;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Compliance.Functions.Requests;

/// <summary>
/// Setting a request up: matching the requester to a participant, the statutory clock, and whether there is a participant
/// to act on. Each is idempotent (ADR 0003).
/// </summary>
public sealed class RequestSetupActivities(
    RequestStore requests,
    StudyStore studies,
    StudyPolicies policies,
    DeadlineCalculator deadlines,
    AuditLog audit,
    ILogger<RequestSetupActivities> logger)
{
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
}
