using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Participants;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Suppliers;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Participants;

/// <summary>
/// The withdrawal rule, the Art. 19 notice to the transcription suppliers, and the deletion certificate of a withdrawal or
/// an erasure. Each is idempotent: a retry refuses, sends or writes nothing twice.
/// </summary>
public sealed class ParticipantActivities(
    RequestStore requests,
    StudyPolicies policies,
    RequestDecisions decisions,
    SupplierNotifier notifier,
    CertificateIssuer certificates,
    AuditLog audit)
{
    /// <summary>Scope of a supplier notice after a withdrawal: the session's recordings and transcripts.</summary>
    public const string SessionMaterial = SupplierNotifier.SessionMaterial;

    /// <summary>Scope of a supplier notice after an erasure of contact details.</summary>
    public const string ContactDetails = SupplierNotifier.ContactDetails;

    /// <summary>
    /// Applies the notice's rule (clock start before the cut-off, analysis not started). When it fails, the request is refused
    /// here, by rule, with the research exemption and the reason in plain words.
    /// </summary>
    [Function(nameof(CheckWithdrawal))]
    public async Task<WithdrawalCheck> CheckWithdrawal([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var (study, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var clockStart = UkTime.DateOf(request.ClockStartedAt ?? request.ReceivedAt);
        var decision = WithdrawalEligibility.Decide(policy, study, clockStart);
        var model = DataSubjectRequest.From(request);
        if (!decision.Eligible && model.Refuse(AuditActors.System, input.At, decision.Exemption, decision.Reason) is null)
        {
            await decisions.RefuseAsync(model, "withdrawal-ineligible", cancellationToken);
        }

        return new WithdrawalCheck(decision.Eligible);
    }

    /// <summary>
    /// The deletion certificate of a withdrawal or an erasure (<see cref="CertificateIssuer.IssueForRequestAsync"/>), once
    /// the supplier has confirmed, or was not told, or its time ran out.
    /// </summary>
    [Function(nameof(IssueRequestCertificate))]
    public async Task<string> IssueRequestCertificate([ActivityTrigger] RequestStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        var told = await notifier.SuppliersToTellAsync(request, request.Type == RequestType.Withdraw ? SessionMaterial : ContactDetails, cancellationToken);
        var id = await certificates.IssueForRequestAsync(request, told, input.At, cancellationToken);
        await audit.AppendAsync(RequestAuditEvents.Step(request, AuditActions.CertificateIssued, "certificate", AuditActors.System, ("certificateId", id)), cancellationToken);
        return id;
    }

    /// <summary>
    /// Art. 19: tells each supplier that transcribed one of the participant's sessions which sessions' material to delete
    /// (session ids only). Notified when at least one supplier was involved, so the workflow waits for its confirmation, until
    /// the policy's <c>suppliers.confirmDeletionWithin</c> has passed.
    /// </summary>
    [Function(nameof(NotifySuppliers))]
    public async Task<SupplierNotice> NotifySuppliers([ActivityTrigger] SupplierNoticeInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var request = await requests.GetAsync(input.RequestId, cancellationToken);
        if (await notifier.NotifyForRequestAsync(request, input.Scope, input.At, cancellationToken) == 0)
        {
            return new SupplierNotice(false);
        }

        await requests.RecordStepAsync(request, "suppliers-notified", "suppliers-notified", AuditActors.System, input.At, cancellationToken);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        return new SupplierNotice(true, policy.Suppliers.ConfirmBy(input.At));
    }
}
