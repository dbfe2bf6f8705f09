using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Anonymisation;
using Compliance.Policies;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Studies;
using Microsoft.Extensions.Logging;

namespace Compliance.Access;

/// <summary>
/// Builds the package an access request delivers: the contact details held, a statement of what the study does with them,
/// and the requester's own contributions from each transcript, anonymised; its redaction log is stored apart. See docs/access.md.
/// </summary>
public sealed class AccessExportBuilder(
    StudyStore studies,
    ArtifactStore artifacts,
    StudyPolicies policies,
    BlobServiceClient blobs,
    TimeProvider time,
    ILogger<AccessExportBuilder> logger)
{
    public const string PackageFileName = "access-package.zip";
    public const string RedactionLogFileName = "redaction-log.json";

    private const string Sha256Key = "sha256";
    private const string SessionIdsKey = "sessionIds";
    private const string ReviewSessionIdsKey = "reviewSessionIds";

    private static readonly JsonSerializerOptions LogJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly BlobContainerClient exports = blobs.GetBlobContainerClient(StorageLayout.Containers.Exports);
    private readonly BlobContainerClient redactionLogs = blobs.GetBlobContainerClient(StorageLayout.Containers.RedactionLogs);

    /// <summary>The package's blob name: <c>{studyId}/{requestId}/access-package.zip</c>.</summary>
    public static string PackageBlobName(string studyId, string requestId) => $"{studyId}/{requestId}/{PackageFileName}";

    /// <summary>The folders an access request's package and redaction log are in, as (container, prefix).</summary>
    public static IReadOnlyList<(string Container, string Prefix)> FoldersOf(string studyId, string requestId) =>
        [(Storage.StorageLayout.Containers.Exports, $"{studyId}/{requestId}/"), (Storage.StorageLayout.Containers.RedactionLogs, $"{studyId}/{requestId}/")];

    /// <summary>The redaction log's blob name: <c>{studyId}/{requestId}/redaction-log.json</c>.</summary>
    public static string RedactionLogBlobName(string studyId, string requestId) => $"{studyId}/{requestId}/{RedactionLogFileName}";

    /// <summary>
    /// Which of the participant's sessions have at least one uploaded transcript, which do not, and the earliest moment the
    /// export may be built: the latest session's date plus the policy's <c>access.transcriptAvailableAfterSession</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The study is not registered.</exception>
    public async Task<TranscriptReadiness> CheckTranscriptsAsync(string studyId, string participantId, CancellationToken cancellationToken = default)
    {
        var (_, policy) = await policies.GetAsync(studyId, cancellationToken);
        var sessions = await SessionsOfAsync(studyId, participantId, cancellationToken);
        var with = new List<string>();
        var without = new List<string>();
        foreach (var session in sessions)
        {
            var transcripts = (await artifacts.ListBySessionAsync(studyId, session.SessionId, cancellationToken))
                .Where(a => a.Kind == ArtifactKind.Transcript);
            (transcripts.Any() ? with : without).Add(session.SessionId);
        }

        var earliest = sessions.Count == 0 ? (DateTimeOffset?)null : AvailableFrom(sessions.Max(s => s.Date), policy.Access.TranscriptAvailableAfterSession);
        return new TranscriptReadiness(with, without, earliest);
    }

    /// <summary>
    /// Writes the request's package to <c>exports</c> and its redaction log to <c>redaction-logs</c>, or, when the package is
    /// already there (a retried activity), returns it as it is: one request, one package.
    /// </summary>
    /// <exception cref="ArgumentException">An id that is not well formed.</exception>
    /// <exception cref="InvalidOperationException">The study or the participant is not registered.</exception>
    public async Task<AccessExport> BuildAsync(string studyId, string requestId, string participantId, CancellationToken cancellationToken = default)
    {
        // The ids make blob names, so each must be an id and nothing else.
        if (!StudyIds.IsWellFormed(studyId))
        {
            throw new ArgumentException("Not a study id.", nameof(studyId));
        }

        if (!RequestId.IsWellFormed(requestId))
        {
            throw new ArgumentException("Not a request id.", nameof(requestId));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(participantId);
        var package = exports.GetBlobClient(PackageBlobName(studyId, requestId));
        var logName = RedactionLogBlobName(studyId, requestId);
        if (await ExistingAsync(package, logName, cancellationToken) is { } existing)
        {
            logger.LogInformation("Access export of request {RequestId} was already built; it is returned as it is", requestId);
            return existing;
        }

        var (study, policy) = await policies.GetAsync(studyId, cancellationToken);
        var participant = await studies.FindParticipantAsync(studyId, participantId, cancellationToken)
            ?? throw new InvalidOperationException($"Participant {participantId} is not registered in study {studyId}.");
        var everyone = (await studies.ListParticipantsAsync(studyId, cancellationToken)).ToDictionary(p => p.ParticipantId, StringComparer.Ordinal);
        var sessions = await SessionsOfAsync(studyId, participantId, cancellationToken);
        var now = time.GetUtcNow();

        var transcriptFiles = new List<(string Name, byte[] Content)>();
        var described = new List<PackageSession>();
        var logs = new List<TranscriptRedactionLog>();
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var session in sessions)
        {
            var held = await artifacts.ListBySessionAsync(studyId, session.SessionId, cancellationToken);
            var entries = new List<string>();
            var unread = false;
            var options = SessionAnonymisation.OptionsFor(session, participantId, everyone, policy);
            foreach (var transcript in held.Where(a => a.Kind == ArtifactKind.Transcript).OrderBy(a => a.UploadedAt).ThenBy(a => a.ArtifactId, StringComparer.Ordinal))
            {
                var (file, log) = await AnonymiseAsync(session, transcript, options, taken, cancellationToken);
                logs.Add(log);
                if (file is { } made)
                {
                    transcriptFiles.Add(made);
                    entries.Add(made.Name);
                }
                else
                {
                    unread = true;
                }
            }

            var counts = held.GroupBy(a => a.Kind, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            described.Add(new PackageSession(session, entries, counts, unread));
        }

        List<(string Name, byte[] Content)> files =
        [
            (AccessPackageText.ReadMeEntry, Utf8.GetBytes(AccessPackageText.ReadMe(study, policy, participant, requestId, described, UkTime.DateOf(now)))),
            (AccessPackageText.ContactDetailsEntry, Utf8.GetBytes(AccessPackageText.ContactDetails(participant))),
            .. transcriptFiles,
        ];
        var zip = Zip(files, now);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(zip));
        var sessionIds = logs.Where(l => l.PackageEntry is not null).Select(l => l.SessionId).Distinct(StringComparer.Ordinal).ToList();
        var review = logs.Where(l => l.NeedsReview).Select(l => l.SessionId).Distinct(StringComparer.Ordinal).ToList();

        // The log first: a package, once there, is never rewritten, so its log must already be in place beside it.
        var redactionLog = new AccessRedactionLog(studyId, requestId, participantId, now, logs);
        await redactionLogs.GetBlobClient(logName).UploadAsync(
            new BinaryData(JsonSerializer.SerializeToUtf8Bytes(redactionLog, LogJson)),
            new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                Metadata = new Dictionary<string, string> { ["studyId"] = studyId, ["requestId"] = requestId },
            },
            cancellationToken);

        var metadata = new Dictionary<string, string> { ["studyId"] = studyId, ["requestId"] = requestId, [Sha256Key] = sha256 };
        if (sessionIds.Count > 0)
        {
            metadata[SessionIdsKey] = string.Join(',', sessionIds);
        }

        if (review.Count > 0)
        {
            metadata[ReviewSessionIdsKey] = string.Join(',', review);
        }

        try
        {
            await package.UploadAsync(
                new BinaryData(zip),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/zip", ContentDisposition = $"attachment; filename=\"{PackageFileName}\"" },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            // Another attempt of the same step finished first; its package is the request's.
            logger.LogInformation("Access export of request {RequestId} was already built; it is returned as it is", requestId);
            return await ExistingAsync(package, logName, cancellationToken)
                ?? throw new InvalidOperationException($"The access package of request {requestId} exists but cannot be read.", ex);
        }

        logger.LogInformation("Access export of request {RequestId} built: {SessionCount} sessions, {ReviewCount} to review, {Size} bytes", requestId, sessionIds.Count, review.Count, zip.LongLength);
        return new AccessExport(exports.Name, package.Name, zip.LongLength, sha256, sessionIds, logName) { SessionsToReview = review };
    }

    /// <summary>The start of the UK day on which the transcript is available: the session date plus the period.</summary>
    internal static DateTimeOffset AvailableFrom(DateOnly sessionDate, Period after) =>
        after.IsSubDay ? UkTime.StartOf(sessionDate) + after.ToTimeSpan() : UkTime.StartOf(after.AddTo(sessionDate));

    private async Task<IReadOnlyList<Session>> SessionsOfAsync(string studyId, string participantId, CancellationToken cancellationToken) =>
        (await studies.ListSessionsAsync(studyId, cancellationToken))
            .Where(s => s.ParticipantIds.Contains(participantId, StringComparer.Ordinal))
            .OrderBy(s => s.Date)
            .ThenBy(s => s.SessionId, StringComparer.Ordinal)
            .ToList();

    private async Task<((string Name, byte[] Content)? File, TranscriptRedactionLog Log)> AnonymiseAsync(
        Session session, Artifact transcript, AnonymisationOptions options, ISet<string> taken, CancellationToken cancellationToken)
    {
        if (!TranscriptFormats.TryGet(transcript.ContentType, transcript.BlobName, out var format))
        {
            return Unread();
        }

        var content = (await blobs.GetBlobContainerClient(transcript.Container).GetBlobClient(transcript.BlobName).DownloadContentAsync(cancellationToken)).Value.Content;
        using var stream = content.ToStream();
        AnonymisedTranscript result;
        try
        {
            result = TranscriptAnonymiser.Anonymise(stream, format, options);
        }
        catch (InvalidDataException)
        {
            return Unread();
        }

        // Only a one-to-one interview may be taken whole when no turns are recognised (docs/anonymisation.md).
        var needsReview = SessionAnonymisation.NeedsReview(session, result);
        var (extension, bytes) = format == TranscriptFormat.Docx ? (".docx", result.ToDocx()) : (".txt", Utf8.GetBytes(result.Text + "\n"));
        var entry = AccessPackageText.TranscriptEntry(session, extension, taken);
        var log = new TranscriptRedactionLog(
            session.SessionId, transcript.ArtifactId, transcript.Sha256, session.Kind, entry, needsReview,
            result.TurnsKept, result.TurnsLeftOut, result.UnattributedTurns, result.TurnsRecognised, result.CountByCategory(), result.Log);
        return ((entry, bytes), log);

        // A transcript the anonymiser cannot read is left out and flagged, rather than failing the whole export.
        ((string, byte[])?, TranscriptRedactionLog) Unread()
        {
            logger.LogWarning("Transcript {ArtifactId} of session {SessionId} could not be read for an access export; the session needs review", transcript.ArtifactId, session.SessionId);
            return (null, new TranscriptRedactionLog(
                session.SessionId, transcript.ArtifactId, transcript.Sha256, session.Kind, PackageEntry: null, NeedsReview: true,
                0, 0, 0, TurnsRecognised: false, new Dictionary<RedactionCategory, int>(), []));
        }
    }

    /// <summary>A zip of the files in order; every entry stamped with the UK time of preparation.</summary>
    private static byte[] Zip(IEnumerable<(string Name, byte[] Content)> files, DateTimeOffset preparedAt)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: Encoding.UTF8))
        {
            // Zip entries keep a local time without a zone; the participant reads it as UK time.
            var stamp = UkTime.ToUkTime(preparedAt);
            foreach (var (name, content) in files)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = stamp;
                using var writer = entry.Open();
                writer.Write(content);
            }
        }

        return stream.ToArray();
    }

    /// <summary>The package as already written, with its log; null when there is none yet.</summary>
    private async Task<AccessExport?> ExistingAsync(BlobClient package, string logName, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await package.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        var sha256 = properties.Metadata.TryGetValue(Sha256Key, out var recorded)
            ? recorded
            : Convert.ToHexStringLower(SHA256.HashData((await package.DownloadContentAsync(cancellationToken)).Value.Content.ToArray()));
        return new AccessExport(exports.Name, package.Name, properties.ContentLength, sha256, Ids(properties.Metadata, SessionIdsKey), logName)
        {
            SessionsToReview = Ids(properties.Metadata, ReviewSessionIdsKey),
        };
    }

    private static List<string> Ids(IDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var value) ? [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries)] : [];
}
