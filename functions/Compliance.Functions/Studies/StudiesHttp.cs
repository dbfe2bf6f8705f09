using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Policies;
using Compliance.Studies;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Studies;

/// <summary>The routes researchers use to register studies, participants, sessions and material, and to record publication.</summary>
public sealed class StudiesHttp(
    StudyStore studies,
    ArtifactUploads uploads,
    AuditLog audit,
    PolicyCatalog policies,
    TimeProvider time,
    IOptions<HttpOptions> httpOptions,
    ILogger<StudiesHttp> logger)
{
    internal static readonly string[] StudyRoles = [Role.Admin, Role.Researcher];
    internal static readonly string[] ResearcherRoles = [Role.Researcher];
    internal static readonly string[] PublicationRoles = [Role.Researcher, Role.Dpo];

    /// <summary><c>PUT /api/studies/{id}</c>: registers or updates a study and the policy it runs under.</summary>
    [Function(nameof(PutStudy))]
    public async Task<IActionResult> PutStudy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/studies/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var schema = StudyBody.Schema(policies);
        var (principal, body, problem) = await StaffRoute.ReadAsync(req, StudyRoles, StudyIds.IsWellFormed(id), "must be letters, digits, '-' or '_', at most 64.", schema, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var study = body!.ToStudy(id, await studies.FindStudyAsync(id, cancellationToken), time.GetUtcNow());
        var created = await studies.UpsertStudyAsync(study, cancellationToken);
        await audit.AppendAsync(StudyAuditEvents.StudyRegistered(study, principal!.Id, created), cancellationToken);
        logger.LogInformation("Study {StudyId} {Change} with policy {PolicySource} version {PolicyVersion}", id, created ? "registered" : "updated", study.PolicySource, study.PolicyVersion);
        var view = StudyViews.From(study);
        return created ? new CreatedResult($"/api/studies/{id}", view) : new OkObjectResult(view);
    }

    /// <summary><c>POST /api/studies/{id}/participants</c>: registers a participant and returns their pseudonymous id.</summary>
    [Function(nameof(RegisterParticipant))]
    public async Task<IActionResult> RegisterParticipant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/studies/{id}/participants")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (study, principal, body, problem) = await FindStudyAndReadAsync(req, id, ResearcherRoles, ParticipantBody.Schema, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var participant = body!.ToParticipant(study!.StudyId, time.GetUtcNow());
        if (!await studies.TryAddParticipantAsync(participant, cancellationToken))
        {
            return ApiProblem.Create(StatusCodes.Status409Conflict, "conflict", "Already registered.", "The study already has a participant with that email address.");
        }

        await audit.AppendAsync(StudyAuditEvents.ParticipantRegistered(participant, principal!.Id), cancellationToken);
        logger.LogInformation("Participant {ParticipantId} registered in study {StudyId}", participant.ParticipantId, participant.StudyId);
        return new CreatedResult(
            $"/api/studies/{study.StudyId}/participants/{participant.ParticipantId}",
            new { participant.ParticipantId, participant.StudyId, participant.NoticeVersion });
    }

    /// <summary><c>POST /api/studies/{id}/sessions</c>: registers an interview or focus group.</summary>
    [Function(nameof(RegisterSession))]
    public async Task<IActionResult> RegisterSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/studies/{id}/sessions")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var (study, principal, body, problem) = await FindStudyAndReadAsync(req, id, ResearcherRoles, s => SessionBody.Schema(studies, s.StudyId, today), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var session = body!.ToSession(study!.StudyId, time.GetUtcNow());
        await studies.AddSessionAsync(session, cancellationToken);
        await audit.AppendAsync(StudyAuditEvents.SessionRegistered(session, principal!.Id), cancellationToken);
        logger.LogInformation("Session {SessionId} ({Kind}) registered in study {StudyId}", session.SessionId, session.Kind, session.StudyId);
        return new CreatedResult($"/api/studies/{study.StudyId}/sessions/{session.SessionId}", StudyViews.From(session));
    }

    /// <summary>
    /// <c>POST /api/studies/{id}/sessions/{sid}/artifacts?kind=</c>: streams a recording, transcript or note to blob storage
    /// (never buffering the whole file), with its size and SHA-256 recorded.
    /// </summary>
    [Function(nameof(UploadArtifact))]
    public async Task<IActionResult> UploadArtifact(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/studies/{id}/sessions/{sid}/artifacts")] HttpRequest req,
        string id,
        string sid,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var (principal, study, problem) = await FindStudyAsync(req, id, ResearcherRoles, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var session = PseudonymousId.IsWellFormed(sid, PseudonymousId.Session) ? await studies.FindSessionAsync(study!.StudyId, sid, cancellationToken) : null;
        if (session is null)
        {
            return ApiProblem.NotFound("The study has no session with that id.");
        }

        var (artifact, uploadProblem) = await uploads.ReceiveAsync(req, session, req.Query["kind"].ToString(), principal!.Id, cancellationToken);
        return uploadProblem ?? new CreatedResult($"/api/studies/{study!.StudyId}/sessions/{session.SessionId}/artifacts/{artifact!.ArtifactId}", StudyViews.From(artifact));
    }

    /// <summary><c>POST /api/studies/{id}/publication</c>: records the date the study's report was published.</summary>
    [Function(nameof(RecordPublication))]
    public async Task<IActionResult> RecordPublication(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/studies/{id}/publication")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (study, principal, body, problem) = await FindStudyAndReadAsync(req, id, PublicationRoles, s => PublicationBody.Schema(s, now), cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var publishedOn = body!.PublishedOn;
        await studies.RecordPublicationAsync(study!.StudyId, publishedOn, now, cancellationToken);
        await audit.AppendAsync(StudyAuditEvents.PublicationRecorded(study.StudyId, publishedOn, principal!.Id), cancellationToken);
        logger.LogInformation("Publication of study {StudyId} recorded", study.StudyId);
        return new OkObjectResult(StudyViews.From(study with { PublishedOn = publishedOn, UpdatedAt = now }));
    }

    /// <summary>The checks of <see cref="FindStudyAsync"/>, then the body by the schema <paramref name="schemaFor"/> the study gives.</summary>
    private async Task<(Study? Study, ClientPrincipal? Principal, T? Body, IActionResult? Problem)> FindStudyAndReadAsync<T>(
        HttpRequest req,
        string id,
        IReadOnlyCollection<string> roles,
        Func<Study, BodySchema<T>> schemaFor,
        CancellationToken cancellationToken)
        where T : class
    {
        var (principal, study, denied) = await FindStudyAsync(req, id, roles, cancellationToken);
        if (denied is not null)
        {
            return (null, null, null, denied);
        }

        var (body, problem) = await JsonBody.ReadAsync(req, schemaFor(study!), httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        return problem is not null ? (null, null, null, problem) : (study, principal, body, null);
    }

    /// <summary>The principal check, then the study: 401/403 before anything else, then 404 for a malformed or unknown id.</summary>
    private Task<StaffTarget<Study>> FindStudyAsync(HttpRequest req, string id, IReadOnlyCollection<string> roles, CancellationToken cancellationToken) =>
        StaffRoute.FindAsync(req, roles, StudyIds.IsWellFormed(id), () => studies.FindStudyAsync(id, cancellationToken), "There is no study with that id.");
}
