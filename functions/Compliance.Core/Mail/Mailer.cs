using Compliance.Requests;
using Compliance.Studies;
using MimeKit;

namespace Compliance.Mail;

/// <summary>
/// The one writer of <c>mail-outbox</c>: every email the system sends is written here, once per message key, under a name
/// and metadata of pseudonymous ids only (a request's, a study's or a supplier's thread). A request's emails go to the
/// participant at the address held for them (or to the requester when no participant is linked), or to staff and suppliers;
/// this is the only place the workflow's steps touch an address.
/// </summary>
public sealed class Mailer(StudyStore studies, StudyPolicies policies, Outbox outbox, RequestEmails emails)
{
    /// <summary>Whether the request's message with <paramref name="messageKey"/> is already in the outbox.</summary>
    public Task<bool> IsWrittenAsync(string requestId, string messageKey, CancellationToken cancellationToken) =>
        outbox.ExistsAsync(Outbox.BlobNameFor(requestId, messageKey), cancellationToken);

    /// <summary>
    /// Sends <paramref name="kind"/> to the participant's held address, else (a stranger, or a participant whose details were
    /// erased) the address the request came from. Returns false when the message
    /// was already written (a retried step), or when there is no address left to write to.
    /// </summary>
    public async Task<bool> SendToRequesterAsync(DataSubjectRequestRecord request, string kind, string messageKey, IReadOnlyDictionary<string, string> extra, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var blobName = Outbox.BlobNameFor(request.RequestId, messageKey);
        if (await outbox.ExistsAsync(blobName, cancellationToken))
        {
            return false;
        }

        var participant = request.ParticipantId is null ? null : await studies.FindParticipantAsync(request.StudyId, request.ParticipantId, cancellationToken);
        // A participant whose contact details were erased while this request was open is answered at the address the
        // request came from, which the request keeps until it is answered.
        var to = participant switch
        {
            null => EmailRecipient.Requester(request),
            { Email: not null } => EmailRecipient.Held(participant),
            { ErasedAt: not null } => EmailRecipient.Requester(request),
            _ => null,
        };
        return !string.IsNullOrEmpty(to?.Address) && await SendToAsync(request, kind, messageKey, to, extra, at, toParticipant: true, cancellationToken);
    }

    /// <summary>Sends <paramref name="kind"/> to <paramref name="to"/>; staff and supplier emails (<paramref name="toParticipant"/> false) start their own thread.</summary>
    public async Task<bool> SendToAsync(
        DataSubjectRequestRecord request,
        string kind,
        string messageKey,
        EmailRecipient to,
        IReadOnlyDictionary<string, string> extra,
        DateTimeOffset at,
        bool toParticipant,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (_, policy) = await policies.GetAsync(request.StudyId, cancellationToken);
        var message = emails.Compose(request, policy, kind, messageKey, to, at, extra, toParticipant);
        return await outbox.TryWriteAsync(Outbox.BlobNameFor(request.RequestId, messageKey), message, Outbox.MetadataFor(request.RequestId, kind), cancellationToken);
    }

    /// <summary>Writes a request's message built elsewhere (an acknowledgement, a code) unless one is there under <paramref name="messageKey"/>.</summary>
    public Task<bool> WriteForRequestAsync(string requestId, string kind, string messageKey, MimeMessage message, CancellationToken cancellationToken) =>
        outbox.TryWriteAsync(Outbox.BlobNameFor(requestId, messageKey), message, Outbox.MetadataFor(requestId, kind), cancellationToken);

    /// <summary>Whether the study's message (to its researchers or DPO) with <paramref name="messageKey"/> is already in the outbox.</summary>
    public Task<bool> IsWrittenForStudyAsync(string studyId, string messageKey, CancellationToken cancellationToken) =>
        outbox.ExistsAsync(StudyEmails.BlobNameFor(studyId, messageKey), cancellationToken);

    /// <summary>Writes a study's message (to its researchers or DPO) unless one is there under <paramref name="messageKey"/>.</summary>
    public Task<bool> WriteForStudyAsync(string studyId, string kind, string messageKey, MimeMessage message, CancellationToken cancellationToken) =>
        outbox.TryWriteAsync(StudyEmails.BlobNameFor(studyId, messageKey), message, StudyEmails.MetadataFor(studyId, kind), cancellationToken);

    /// <summary>Whether the supplier's message with <paramref name="messageKey"/> is already in the outbox.</summary>
    public Task<bool> IsWrittenForSupplierAsync(string supplierId, string messageKey, CancellationToken cancellationToken) =>
        outbox.ExistsAsync(StudyEmails.SupplierBlobNameFor(supplierId, messageKey), cancellationToken);

    /// <summary>Writes a message to a supplier (about <paramref name="studyId"/>, if one study) unless one is there under <paramref name="messageKey"/>.</summary>
    public Task<bool> WriteForSupplierAsync(string supplierId, string? studyId, string kind, string messageKey, MimeMessage message, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["supplierId"] = supplierId };
        if (studyId is not null)
        {
            metadata["studyId"] = studyId;
        }

        metadata["kind"] = kind;
        metadata["state"] = "pending";
        return outbox.TryWriteAsync(StudyEmails.SupplierBlobNameFor(supplierId, messageKey), message, metadata, cancellationToken);
    }
}
