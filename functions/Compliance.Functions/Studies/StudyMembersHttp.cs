using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Functions.Studies;

/// <summary>
/// A study's participants (<c>GET /api/studies/{id}/participants</c>: contact details only to Researcher and Dpo) and its
/// sessions with their uploaded material (<c>GET /api/studies/{id}/sessions</c>), for staff who handle requests.
/// </summary>
public sealed class StudyMembersHttp(StudyStore studies, ArtifactStore artifacts)
{
    [Function(nameof(ListParticipants))]
    public async Task<IActionResult> ListParticipants(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies/{id}/participants")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (principal, study, problem) = await FindAsync(req, id, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var withContactDetails = principal!.Roles.Any(Role.ContactReaders.Contains);
        var participants = (await studies.ListParticipantsAsync(study!.StudyId, cancellationToken))
            .OrderBy(p => p.RegisteredAt)
            .Select(p => StudyViews.From(p, withContactDetails))
            .ToList();
        return new OkObjectResult(new ParticipantList(participants));
    }

    [Function(nameof(ListSessions))]
    public async Task<IActionResult> ListSessions(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/studies/{id}/sessions")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (_, study, problem) = await FindAsync(req, id, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var material = (await artifacts.ListByStudyAsync(study!.StudyId, cancellationToken)).ToLookup(a => a.SessionId, StringComparer.Ordinal);
        var sessions = (await studies.ListSessionsAsync(study.StudyId, cancellationToken))
            .OrderBy(s => s.Date).ThenBy(s => s.SessionId, StringComparer.Ordinal)
            .Select(s => new SessionWithArtifacts(StudyViews.From(s), material[s.SessionId].OrderBy(a => a.UploadedAt).Select(StudyViews.From).ToList()))
            .ToList();
        return new OkObjectResult(new SessionList(sessions));
    }

    private Task<StaffTarget<Study>> FindAsync(HttpRequest req, string id, CancellationToken cancellationToken) =>
        StaffRoute.FindAsync(req, Role.RequestHandlers, StudyIds.IsWellFormed(id), () => studies.FindStudyAsync(id, cancellationToken), "There is no study with that id.");
}
