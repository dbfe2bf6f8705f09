using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Paging;
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

        var (page, badQuery) = PageQuery.ReadAlone(req.Query);
        if (badQuery is not null)
        {
            return badQuery;
        }

        var withContactDetails = principal!.Roles.Any(Role.ContactReaders.Contains);
        return PageQuery.Answer(
            (await studies.ListParticipantsAsync(study!.StudyId, cancellationToken)).Select(p => StudyViews.From(p, withContactDetails)),
            p => $"{KeysetPaging.Ascending(p.RegisteredAt)}|{p.ParticipantId}",
            page,
            (participants, next) => new ParticipantList(participants, next));
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

        var (page, badQuery) = PageQuery.ReadAlone(req.Query);
        if (badQuery is not null)
        {
            return badQuery;
        }

        var material = (await artifacts.ListByStudyAsync(study!.StudyId, cancellationToken)).ToLookup(a => a.SessionId, StringComparer.Ordinal);
        return PageQuery.Answer(
            (await studies.ListSessionsAsync(study.StudyId, cancellationToken))
                .Select(s => new SessionWithArtifacts(StudyViews.From(s), material[s.SessionId].OrderBy(a => a.UploadedAt).Select(StudyViews.From).ToList())),
            s => $"{KeysetPaging.Ascending(s.Session.Date)}|{s.Session.SessionId}",
            page,
            (sessions, next) => new SessionList(sessions, next));
    }

    private Task<StaffTarget<Study>> FindAsync(HttpRequest req, string id, CancellationToken cancellationToken) =>
        StaffRoute.FindAsync(req, Role.RequestHandlers, StudyIds.IsWellFormed(id), () => studies.FindStudyAsync(id, cancellationToken), "There is no study with that id.");
}
