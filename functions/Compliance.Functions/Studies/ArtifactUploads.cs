using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Studies;

/// <summary>
/// Receives one uploaded file for a session, whoever sends it (a researcher, a supplier's transcriber): checks its content
/// type and size against the kind's limits, streams it to blob storage, indexes and audits it. A refused, empty or broken
/// upload leaves nothing behind.
/// </summary>
public sealed class ArtifactUploads(ArtifactStore artifacts, AuditLog audit, TimeProvider time, IOptions<ArtifactOptions> options, ILogger<ArtifactUploads> logger)
{
    /// <summary>The stored artifact, or the problem to answer.</summary>
    public async Task<(Artifact? Artifact, IActionResult? Problem)> ReceiveAsync(HttpRequest req, Session session, string kind, string uploadedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        ArgumentNullException.ThrowIfNull(session);
        if (!ArtifactKind.Uploadable.Contains(kind) || !options.Value.Kinds.TryGetValue(kind, out var limits))
        {
            return (null, ApiProblem.Validation(new Dictionary<string, string[]> { ["kind"] = [$"must be one of: {string.Join(", ", ArtifactKind.Uploadable)}."] }));
        }

        var contentType = req.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(contentType) || !limits.AllowedContentTypes.Contains(contentType, StringComparer.OrdinalIgnoreCase))
        {
            return (null, ApiProblem.Validation(new Dictionary<string, string[]>
            {
                ["Content-Type"] = [$"a {kind} must be one of: {string.Join(", ", limits.AllowedContentTypes)} (got '{contentType}')."],
            }));
        }

        if (req.ContentLength > limits.MaxBytes)
        {
            return (null, ApiProblem.BadRequest("body-too-large", "The file is too large.", $"A {kind} may be at most {limits.MaxBytes} bytes."));
        }

        if (req.ContentLength == 0)
        {
            return (null, EmptyBody());
        }

        try
        {
            var artifact = await artifacts.UploadAsync(session, kind, contentType, ArtifactKindOptions.ExtensionFor(contentType), req.Body, limits.MaxBytes, uploadedBy, time.GetUtcNow(), cancellationToken);
            if (artifact.Size == 0)
            {
                // A chunked body that turned out empty: nothing of it is kept.
                await artifacts.DeleteIndexAsync(artifact, CancellationToken.None);
                await artifacts.BlobOf(artifact).DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
                return (null, EmptyBody());
            }

            await audit.AppendAsync(StudyAuditEvents.ArtifactUploaded(artifact), cancellationToken);
            logger.LogInformation("Artifact {ArtifactId} ({Kind}, {Size} bytes) uploaded for session {SessionId}", artifact.ArtifactId, kind, artifact.Size, session.SessionId);
            return (artifact, null);
        }
        catch (ArtifactTooLargeException ex)
        {
            return (null, ApiProblem.BadRequest("body-too-large", "The file is too large.", $"A {kind} may be at most {ex.MaxBytes} bytes; nothing was kept."));
        }
        catch (Exception ex) when (ex is IOException or BadHttpRequestException or OperationCanceledException)
        {
            // The client went away or the body broke off: the blob was never committed, so nothing half-written remains.
            logger.LogWarning("An upload for session {SessionId} broke off; nothing was kept", session.SessionId);
            return (null, ApiProblem.BadRequest("upload-incomplete", "The upload did not arrive whole.", "Nothing was kept; send the file again."));
        }
    }

    private static ObjectResult EmptyBody() => ApiProblem.BadRequest("empty-body", "The file is empty.", "Send the file's bytes as the body.");
}
