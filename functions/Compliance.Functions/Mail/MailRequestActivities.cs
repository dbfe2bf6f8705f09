using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.Studies;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail;

/// <summary>The requests a message asks for, each made once (its id comes from the intake key and its index) and its workflow started.</summary>
public sealed class MailRequestActivities(
    RequestMessages messages,
    RequestIntake intake,
    StudyPolicies policies,
    AuditLog audit,
    IOptions<IntakeOptions> intakeOptions)
{
    /// <summary>The most of a message's own words kept as a request's details.</summary>
    public const int MaxDetailsLength = 4000;

    /// <summary>The rules detail of a request whose type staff chose in triage: no rule decided it.</summary>
    public const string TriagedByStaff = "staff-triage";

    /// <summary>
    /// Makes request <see cref="MailRequestInput.Index"/> of the message: from its sender, received when the message was,
    /// by email, with the message's own words as details; then starts its workflow (or links it as a duplicate).
    /// </summary>
    [Function(nameof(CreateRequestFromMail))]
    public async Task<string> CreateRequestFromMail([ActivityTrigger] MailRequestInput input, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (stored, read) = await messages.LoadAsync(input.IntakeKey, cancellationToken);
        var message = read.Message ?? throw new InvalidOperationException($"Inbound message {input.IntakeKey} cannot be read.");
        var studyId = intakeOptions.Value.StudyId;
        var (_, policy) = await policies.GetAsync(studyId, cancellationToken);
        var words = ReplyText.NewText(message.Text, message.Subject);
        var details = string.IsNullOrWhiteSpace(message.Subject) ? words : $"{message.Subject}\n\n{words}";
        var record = await intake.SubmitAsync(
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
            input.At,
            durable,
            cancellationToken);
        var requestId = record.RequestId;
        await messages.LinkAsync(input.IntakeKey, studyId, requestId, stored.ReceivedAt, cancellationToken);
        await audit.AppendAsync(
            MailIntakeSteps.Event(input.IntakeKey, AuditActions.MailRequestCreated, $"request-{input.Index}", studyId, ("requestId", requestId), ("type", input.Type), ("rules", RequestAuditEvents.Ids(input.Rules ?? [TriagedByStaff]))),
            cancellationToken);
        return requestId;
    }
}
