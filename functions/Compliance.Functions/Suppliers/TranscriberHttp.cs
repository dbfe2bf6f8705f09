using Compliance.Access;
using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Functions.Studies;
using Compliance.Identity;
using Compliance.Studies;
using Compliance.Suppliers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Suppliers;

/// <summary>Transcribers' access (configuration section <c>Suppliers</c>).</summary>
public sealed class SupplierAccessOptions
{
    public const string SectionName = "Suppliers";

    /// <summary>How long a transcriber's read link to a recording works: hours, not days.</summary>
    public TimeSpan LinkValidFor { get; set; } = TimeSpan.FromHours(4);
}

/// <summary>
/// The transcriber's routes: the recordings assigned to their supplier (<c>GET /api/transcription/recordings</c>), a read
/// link to one that expires within hours, and the upload of its transcript. Only while the supplier is approved and its
/// contract current: a lapsed or suspended supplier's transcribers are refused (403) on every route and get no new link.
/// Every access, and every refusal, is audited.
/// </summary>
public sealed class TranscriberHttp(
    SupplierStore suppliers,
    SupplierContracts contracts,
    StudyStore studies,
    ArtifactStore artifacts,
    ExportLinks links,
    ArtifactUploads uploads,
    AuditLog audit,
    TimeProvider time,
    IOptions<SupplierAccessOptions> options)
{
    internal static readonly string[] TranscriberOnly = [Role.Transcriber];

    [Function(nameof(ListAssignedRecordings))]
    public async Task<IActionResult> ListAssignedRecordings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/transcription/recordings")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var (supplier, principal, denied) = await AuthorizeAsync(req, "list", null, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        var list = new List<AssignedRecording>();
        foreach (var study in await studies.ListStudiesAsync(cancellationToken))
        {
            var sessions = (await studies.ListSessionsAsync(study.StudyId, cancellationToken)).Where(s => s.SupplierId == supplier!.SupplierId).Select(s => s.SessionId).ToHashSet(StringComparer.Ordinal);
            if (sessions.Count == 0)
            {
                continue;
            }

            var all = (await artifacts.ListByStudyAsync(study.StudyId, cancellationToken)).Where(a => sessions.Contains(a.SessionId)).ToList();
            list.AddRange(all.Where(a => a.Kind == ArtifactKind.Recording).Select(a => new AssignedRecording(
                a.StudyId, a.SessionId, a.ArtifactId, a.Size, a.UploadedAt, all.Any(t => t.SessionId == a.SessionId && t.Kind == ArtifactKind.Transcript))));
        }

        await AuditAsync(principal!, supplier!.SupplierId, "list", null, cancellationToken);
        return new OkObjectResult(new AssignedRecordings(supplier.SupplierId, list.OrderBy(r => r.UploadedAt).ToList()));
    }

    [Function(nameof(GetRecordingLink))]
    public async Task<IActionResult> GetRecordingLink(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/transcription/recordings/{studyId}/{artifactId}/link")] HttpRequest req,
        string studyId,
        string artifactId,
        CancellationToken cancellationToken)
    {
        var (supplier, principal, denied) = await AuthorizeAsync(req, "link", artifactId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        var (recording, _) = await AssignedAsync(supplier!, studyId, artifactId, cancellationToken);
        if (recording is null)
        {
            return ApiProblem.NotFound("No recording with that id is assigned to your supplier.");
        }

        var expiresOn = time.GetUtcNow() + options.Value.LinkValidFor;
        var uri = await links.CreateReadLinkAsync(artifacts.BlobOf(recording), expiresOn, cancellationToken);
        await AuditAsync(principal!, supplier!.SupplierId, "link", recording.ArtifactId, cancellationToken);
        return new OkObjectResult(new RecordingLink(studyId, recording.ArtifactId, uri, expiresOn));
    }

    [Function(nameof(UploadTranscriptForRecording))]
    public async Task<IActionResult> UploadTranscriptForRecording(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/transcription/recordings/{studyId}/{artifactId}/transcript")] HttpRequest req,
        string studyId,
        string artifactId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var (supplier, principal, denied) = await AuthorizeAsync(req, "upload", artifactId, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        var (recording, session) = await AssignedAsync(supplier!, studyId, artifactId, cancellationToken);
        if (recording is null)
        {
            return ApiProblem.NotFound("No recording with that id is assigned to your supplier.");
        }

        var (transcript, problem) = await uploads.ReceiveAsync(req, session!, ArtifactKind.Transcript, principal!.Id, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        await AuditAsync(principal, supplier!.SupplierId, "upload", transcript!.ArtifactId, cancellationToken);
        return new CreatedResult((string?)null, StudyViews.From(transcript));
    }

    /// <summary>A Transcriber of a supplier whose contract is current; otherwise the 401 or 403 to answer (refusals audited).</summary>
    private async Task<(Supplier? Supplier, ClientPrincipal? Principal, IActionResult? Denied)> AuthorizeAsync(HttpRequest req, string what, string? artifactId, CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, TranscriberOnly);
        if (auth.Denied is not null)
        {
            return (null, null, auth.Denied);
        }

        var supplier = await suppliers.FindByTranscriberAsync(auth.Principal!.Id, cancellationToken);
        if (supplier is null)
        {
            return (null, null, ApiProblem.Forbidden("You are not a transcriber of any registered supplier."));
        }

        var standing = SupplierContracts.Evaluate(supplier, await contracts.PoliciesAsync(cancellationToken), UkTime.DateOf(time.GetUtcNow()));
        if (!standing.IsCurrent)
        {
            await audit.AppendAsync(
                new AuditEvent(auth.Principal.Id, AuditActions.SupplierAccessRefused)
                {
                    Details = new Dictionary<string, string> { ["supplierId"] = supplier.SupplierId, ["what"] = what, ["reason"] = standing.Refusal! },
                },
                cancellationToken);
            return (null, null, ApiProblem.Forbidden($"Your supplier's access has ended ({standing.Refusal}): its contract must be current."));
        }

        return (supplier, auth.Principal, null);
    }

    /// <summary>The recording with that id, if it is one of a session assigned to <paramref name="supplier"/>, and its session.</summary>
    private async Task<(Artifact? Recording, Session? Session)> AssignedAsync(Supplier supplier, string studyId, string artifactId, CancellationToken cancellationToken)
    {
        if (!StudyIds.IsWellFormed(studyId) || !PseudonymousId.IsWellFormed(artifactId, PseudonymousId.Artifact)
            || await artifacts.FindAsync(studyId, artifactId, cancellationToken) is not { Kind: ArtifactKind.Recording } recording
            || await studies.FindSessionAsync(studyId, recording.SessionId, cancellationToken) is not { } session
            || session.SupplierId != supplier.SupplierId)
        {
            return (null, null);
        }

        return (recording, session);
    }

    private Task<AuditEntry> AuditAsync(ClientPrincipal principal, string supplierId, string what, string? artifactId, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, string> { ["supplierId"] = supplierId, ["what"] = what };
        if (artifactId is not null)
        {
            details["artifactId"] = artifactId;
        }

        return audit.AppendAsync(new AuditEvent(principal.Id, AuditActions.SupplierAccess) { Details = details }, cancellationToken);
    }
}
