using Compliance.Requests;

namespace Compliance.Mail.Intake;

/// <summary>
/// Inbound messages as the request steps use them: read from storage, and linked to the request they made or replied to,
/// which tags the message with its study (so the study's retention sweep deletes it) and puts it in the request's
/// correspondence (<see cref="RequestStore.LinkMessageAsync"/>). One place for both, so no linked message escapes the sweep.
/// </summary>
public sealed class RequestMessages(InboundMailStore inbound, InboundMessageReader reader, RequestStore requests)
{
    /// <summary>Reads the stored message; it stays in storage, out of the orchestration.</summary>
    public Task<(StoredInboundMail Stored, InboundReadResult Read)> LoadAsync(string intakeKey, CancellationToken cancellationToken = default) =>
        inbound.LoadAsync(reader, intakeKey, cancellationToken);

    /// <summary>Links the message to the request of <paramref name="studyId"/>: the study's tag, then the request's correspondence. Idempotent.</summary>
    public async Task LinkAsync(string intakeKey, string studyId, string requestId, DateTimeOffset receivedAt, CancellationToken cancellationToken = default)
    {
        await inbound.TagStudyAsync(intakeKey, studyId, cancellationToken);
        await requests.LinkMessageAsync(requestId, intakeKey, receivedAt, cancellationToken);
    }
}
