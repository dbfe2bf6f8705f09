using Compliance.Anonymisation;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Paging;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Anonymisation;

/// <summary>
/// The anonymised copies of transcripts: a researcher prepares a session's (<c>POST …/anonymised-transcript</c>); ONS
/// analysts, researchers and the DPO list and read them. Nothing here serves a raw transcript, a recording or a note.
/// </summary>
public sealed class AnonymisedTranscriptsHttp(StudyStore studies, AnalystTranscripts transcripts)
{
    internal static readonly string[] Preparers = [Role.Researcher];

    [Function(nameof(PrepareAnonymisedTranscript))]
    public async Task<IActionResult> PrepareAnonymisedTranscript(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/studies/{id}/sessions/{sid}/anonymised-transcript")] HttpRequest req,
        string id,
        string sid,
        CancellationToken cancellationToken)
    {
        var (principal, session, problem) = await StaffRoute.FindAsync(
            req, Preparers, StudyIds.IsWellFormed(id) && StudyIds.IsWellFormed(sid), () => studies.FindSessionAsync(id, sid, cancellationToken), "There is no such session in that study.");
        if (problem is not null)
        {
            return problem;
        }

        var prepared = await transcripts.PrepareAsync(session!, principal!.Id, cancellationToken);
        return prepared is null
            ? ApiProblem.Create(StatusCodes.Status409Conflict, "no-transcript", "The session has no transcript to anonymise.", "Upload the session's transcript (plain text or .docx) first.")
            : new ObjectResult(prepared) { StatusCode = StatusCodes.Status201Created };
    }

    [Function(nameof(ListAnonymisedTranscripts))]
    public async Task<IActionResult> ListAnonymisedTranscripts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/anonymised-transcripts")] HttpRequest req,
        CancellationToken cancellationToken)
    {
        var (_, query, problem) = await StaffRoute.StudyFromQueryAsync(req, Role.AnonymisedReaders, async id => await studies.FindStudyAsync(id, cancellationToken) is not null);
        if (problem is not null)
        {
            return problem;
        }

        return PageQuery.Answer(
            await transcripts.ListAsync(query!.StudyId, cancellationToken),
            t => $"{KeysetPaging.Ascending(t.SessionDate)}|{t.SessionId}|{t.ArtifactId}",
            query.Page,
            (page, next) => new AnonymisedTranscriptList(query.StudyId, page, next));
    }

    [Function(nameof(ReadAnonymisedTranscript))]
    public async Task<IActionResult> ReadAnonymisedTranscript(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/anonymised-transcripts/{studyId}/{artifactId}")] HttpRequest req,
        string studyId,
        string artifactId,
        CancellationToken cancellationToken)
    {
        var (_, text, problem) = await StaffRoute.FindAsync(
            req,
            Role.AnonymisedReaders,
            StudyIds.IsWellFormed(studyId) && PseudonymousId.IsWellFormed(artifactId, PseudonymousId.Artifact),
            () => transcripts.ReadAsync(studyId, artifactId, cancellationToken),
            "There is no anonymised transcript with that id.");
        return problem ?? new ContentResult { Content = text, ContentType = AnalystTranscripts.ContentType, StatusCode = StatusCodes.Status200OK };
    }
}
