using Compliance.Mail.Intake;
using Compliance.Mail;
using Compliance.Functions.Telemetry;
using Compliance.Requests;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail;

/// <summary>
/// The first step of a message's intake work: reading the stored message (personal data stays in storage, out of the
/// orchestration) and deciding what intake does with it.
/// </summary>
public sealed class MailIntakeActivities(
    InboundMailStore inbound,
    InboundMessageReader reader,
    RequestClassifier classifier,
    RequestStore requests,
    IOptions<MailOptions> mailOptions,
    ComplianceMetrics metrics)
{
    /// <summary>
    /// Reads the stored message and decides what intake does with it; the plan holds codes, types and ids only. The decision
    /// is counted (<see cref="ComplianceMetrics.IntakeOutcomes"/>).
    /// </summary>
    [Function(nameof(ReadInboundMail))]
    public async Task<MailIntakePlan> ReadInboundMail([ActivityTrigger] MailStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = await DecideAsync(input, cancellationToken);
        metrics.IntakeOutcome(plan.Action);
        return plan;
    }

    private async Task<MailIntakePlan> DecideAsync(MailStepInput input, CancellationToken cancellationToken)
    {
        var (stored, read) = await inbound.LoadAsync(reader, input.IntakeKey, cancellationToken);
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
            ? Plan(MailIntakeAction.Triage, IntakeDecisions.TriageReasonOf(classification)) with { Why = classification.TriageWhy, Offered = classification.Offered, Rules = classification.Rules }
            : Plan(MailIntakeAction.NewRequests, IntakeDecisions.ClassifiedReason, types: classification.Intents.Select(i => i.Type).ToList()) with { Rules = classification.Rules };

        MailIntakePlan Plan(string action, string reason, string? requestId = null, IReadOnlyList<string>? types = null) =>
            new(action, reason, requestId, types ?? [], stored.ReceivedAt);
    }
}
