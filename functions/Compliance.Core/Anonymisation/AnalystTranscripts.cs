using System.Text;
using Azure.Storage.Blobs.Models;
using Compliance.Audit;
using Compliance.Studies;
using Microsoft.Extensions.Logging;

namespace Compliance.Anonymisation;

/// <summary>
/// The anonymised material ONS analysts read (PRODUCT.md: "ONS analysts see anonymised material only"): a whole session's
/// transcript with every participant's name, address, phone number and postcode and the policy's redaction list removed,
/// stored apart from the raw transcript as an <see cref="ArtifactKind.AnonymisedTranscript"/> of the session, so deletion
/// (withdrawal, erasure, the retention sweep) finds it as it finds the transcript. A researcher prepares it; preparing again
/// (say, after adding a name to the redaction list) replaces the earlier copy. See docs/anonymisation.md.
/// </summary>
public sealed class AnalystTranscripts(StudyStore studies, ArtifactStore artifacts, StudyPolicies policies, AuditLog audit, TimeProvider time, ILogger<AnalystTranscripts> logger)
{
    /// <summary>The media type analysts' copies are stored with: plain text, one turn per line, whatever the source's format.</summary>
    public const string ContentType = "text/plain; charset=utf-8";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Anonymises the session's latest transcript whole, stores the copy, removes earlier copies and audits it; null when the
    /// session has no transcript to anonymise (none uploaded, or none in a format the anonymiser reads).
    /// </summary>
    public async Task<PreparedTranscript?> PrepareAsync(Session session, string preparedBy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var held = await artifacts.ListBySessionAsync(session.StudyId, session.SessionId, cancellationToken);
        var source = held
            .Where(a => a.Kind == ArtifactKind.Transcript && TranscriptFormats.TryGet(a.ContentType, a.BlobName, out _))
            .OrderByDescending(a => a.UploadedAt).ThenByDescending(a => a.ArtifactId, StringComparer.Ordinal)
            .FirstOrDefault();
        if (source is null)
        {
            return null;
        }

        TranscriptFormats.TryGet(source.ContentType, source.BlobName, out var format);
        var (_, policy) = await policies.GetAsync(session.StudyId, cancellationToken);
        var everyone = (await studies.ListParticipantsAsync(session.StudyId, cancellationToken)).ToDictionary(p => p.ParticipantId, StringComparer.Ordinal);
        AnonymisedTranscript result;
        var content = (await artifacts.BlobOf(source).DownloadContentAsync(cancellationToken)).Value.Content;
        using (var stream = content.ToStream())
        {
            try
            {
                result = TranscriptAnonymiser.Anonymise(stream, format, SessionAnonymisation.OptionsFor(session, ownParticipantId: null, everyone, policy));
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }

        var bytes = Utf8.GetBytes(result.Text + "\n");
        using var upload = new MemoryStream(bytes, writable: false);
        var copy = await artifacts.UploadAsync(session, ArtifactKind.AnonymisedTranscript, ContentType, ".txt", upload, bytes.LongLength, preparedBy, time.GetUtcNow(), cancellationToken);

        var earlier = held.Where(a => a.Kind == ArtifactKind.AnonymisedTranscript).ToList();
        foreach (var old in earlier)
        {
            await artifacts.BlobOf(old).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
            await artifacts.DeleteIndexAsync(old, cancellationToken);
        }

        var removals = result.CountByCategory().ToDictionary(c => c.Key.ToString(), c => c.Value, StringComparer.Ordinal);
        await audit.AppendAsync(StudyAuditEvents.TranscriptAnonymised(copy, source.ArtifactId, removals, earlier.Select(a => a.ArtifactId).ToList()), cancellationToken);
        logger.LogInformation("Session {SessionId} of study {StudyId}: transcript {SourceId} anonymised for analysts as {ArtifactId}", session.SessionId, session.StudyId, source.ArtifactId, copy.ArtifactId);

        return new PreparedTranscript(ViewOf(copy, session), source.ArtifactId, removals, result.TurnsKept, result.UnattributedTurns, SessionAnonymisation.NeedsReview(session, result), earlier.Count);
    }

    /// <summary>The study's analysts' copies, by session date.</summary>
    public async Task<IReadOnlyList<AnonymisedTranscriptView>> ListAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var sessions = (await studies.ListSessionsAsync(studyId, cancellationToken)).ToDictionary(s => s.SessionId, StringComparer.Ordinal);
        return (await artifacts.ListByStudyAsync(studyId, cancellationToken))
            .Where(a => a.Kind == ArtifactKind.AnonymisedTranscript && sessions.ContainsKey(a.SessionId))
            .Select(a => ViewOf(a, sessions[a.SessionId]))
            .OrderBy(v => v.SessionDate).ThenBy(v => v.SessionId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// The text of one analysts' copy; null for an id that is not one (a raw transcript's id included: analysts never get
    /// anything but an anonymised copy by this path).
    /// </summary>
    public async Task<string?> ReadAsync(string studyId, string artifactId, CancellationToken cancellationToken = default)
    {
        var artifact = await artifacts.FindAsync(studyId, artifactId, cancellationToken);
        if (artifact is not { Kind: ArtifactKind.AnonymisedTranscript })
        {
            return null;
        }

        try
        {
            var content = await artifacts.BlobOf(artifact).DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToString();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null; // deleted a moment ago (a sweep, a withdrawal): its index row goes next
        }
    }

    private static AnonymisedTranscriptView ViewOf(Artifact a, Session s) =>
        new(a.StudyId, a.SessionId, a.ArtifactId, s.Kind, s.Date, a.UploadedAt, a.Size, a.Sha256);
}
