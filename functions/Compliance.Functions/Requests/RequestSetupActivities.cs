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
    /// <summary>
    /// Matches the requester to a participant by the address held for them, decides how identity is verified, and finds the
    /// open request of the same type this one repeats, if the participant has one. This runs in the workflow, not at intake,
    /// so the intake answers in the same time whether or not the address is held (nothing it does depends on it). Run again,
    /// it keeps what the first run stored: the match and the duplicate are written with the <c>prepared</c> step, once.
    /// </summary>
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

        var duplicateOf = request.DuplicateOf;
        if (duplicateOf is null && request.ParticipantId is null && participant is not null)
        {
            duplicateOf = (await requests.FindOpenAsync(request.StudyId, participant.ParticipantId, request.Type, request.RequestId, cancellationToken))?.RequestId;
        }

        var model = DataSubjectRequest.From(request);
        model.Prepare(participant?.ParticipantId, mode, duplicateOf);
        await requests.SaveAsync(model, "prepared", "prepared", AuditActors.System, input.At, cancellationToken);
        logger.LogInformation("Request {RequestId}: verification {VerificationMode}", request.RequestId, mode);
        var v = policy.Verification;
        return new RequestPlan(mode, request.ReceivedAt, v.CodeValidFor, v.ReminderAfter, v.CloseUnverifiedAfter, request.Type, duplicateOf);
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
