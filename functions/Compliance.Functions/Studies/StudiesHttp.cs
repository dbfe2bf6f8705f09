using System.Globalization;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Functions.Http;
using Compliance.Identity;
using Compliance.Mail;
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
    private static readonly string[] StudyRoles = [Role.Admin, Role.Researcher];
    private static readonly string[] ResearcherRoles = [Role.Researcher];
    private static readonly string[] PublicationRoles = [Role.Researcher, Role.Dpo];

    /// <summary><c>PUT /api/studies/{id}</c>: registers or updates a study and the policy it runs under.</summary>
    [Function(nameof(PutStudy))]
    public async Task<IActionResult> PutStudy(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "studies/{id}")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, StudyRoles);
        if (auth.Denied is not null)
        {
            return auth.Denied;
        }

        if (!StudyIds.IsWellFormed(id))
        {
            return ApiProblem.Validation(new Dictionary<string, string[]> { ["id"] = ["must be letters, digits, '-' or '_', at most 64."] });
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        using (document)
        {
            var fields = new JsonFields(document!.RootElement, ["title", "endOfDataCollection", "analysisStartedOn", "policyFile", "policy"]);
            var title = fields.Text("title", required: true, 200);
            var endOfCollection = fields.Date("endOfDataCollection", required: true);
            var analysisStarted = fields.Date("analysisStartedOn", required: false);
            var policyFile = fields.Text("policyFile", required: false, 64);
            var inline = fields.Mapping("policy", required: false);

            StudyPolicy? policy = null;
            string? policyText = null;
            if ((policyFile is null) == (inline is null))
            {
                fields.Add("policy", "give either 'policyFile' (the name of a file under policies/) or 'policy' (the policy itself), not both.");
            }
            else if (policyFile is not null)
            {
                if (!policies.TryGet(policyFile, out policy, out policyText))
                {
                    fields.Add("policyFile", $"names no policy file; known: {string.Join(", ", policies.Names)}.");
                }
            }
            else
            {
                policyText = inline!.Value.GetRawText();
                var (parsed, errors) = PolicyReader.TryRead(policyText);
                policy = parsed;
                foreach (var error in errors)
                {
                    fields.Add($"policy.{error.Field}", error.Message);
                }
            }

            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }

            var now = time.GetUtcNow();
            var existing = await studies.FindStudyAsync(id, cancellationToken);
            var study = new Study
            {
                StudyId = id,
                Title = title!,
                PolicySource = policyFile ?? "inline",
                PolicyText = policyText!,
                PolicyVersion = policy!.PolicyVersion,
                NoticeVersion = policy.Notice.Version,
                EndOfDataCollection = endOfCollection!.Value,
                AnalysisStartedOn = analysisStarted,
                PublishedOn = existing?.PublishedOn,
                RegisteredAt = existing?.RegisteredAt ?? now,
                UpdatedAt = now,
            };
            var created = await studies.UpsertStudyAsync(study, cancellationToken);
            await audit.AppendAsync(StudyAuditEvents.StudyRegistered(study, auth.Principal!.Id, created), cancellationToken);
            logger.LogInformation("Study {StudyId} {Change} with policy {PolicySource} version {PolicyVersion}", id, created ? "registered" : "updated", study.PolicySource, study.PolicyVersion);
            var view = StudyView.From(study);
            return created ? new CreatedResult($"/api/studies/{id}", view) : new OkObjectResult(view);
        }
    }

    /// <summary><c>POST /api/studies/{id}/participants</c>: registers a participant and returns their pseudonymous id.</summary>
    [Function(nameof(RegisterParticipant))]
    public async Task<IActionResult> RegisterParticipant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{id}/participants")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (study, principal, document, denied) = await AuthorizeStudyAndReadBodyAsync(req, id, ResearcherRoles, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        using (document)
        {
            var fields = new JsonFields(document!.RootElement, ["name", "email", "phone", "noticeVersion"]);
            var name = fields.Text("name", required: true, 200);
            var email = fields.Text("email", required: true, 254, EmailAddresses.IsPlain, "must be a single email address such as name@example.org.");
            var phone = fields.Text("phone", required: false, 32, IsPhone, "must be a phone number: digits, spaces and + ( ) - only.");
            var noticeVersion = fields.Text("noticeVersion", required: false, 64) ?? study!.NoticeVersion;
            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }

            var participant = new Participant
            {
                StudyId = study!.StudyId,
                ParticipantId = PseudonymousId.New(PseudonymousId.Participant),
                Name = name,
                Email = email,
                Phone = phone,
                NoticeVersion = noticeVersion,
                RegisteredAt = time.GetUtcNow(),
            };
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
    }

    /// <summary><c>POST /api/studies/{id}/sessions</c>: registers an interview or focus group.</summary>
    [Function(nameof(RegisterSession))]
    public async Task<IActionResult> RegisterSession(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{id}/sessions")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (study, principal, document, denied) = await AuthorizeStudyAndReadBodyAsync(req, id, ResearcherRoles, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        using (document)
        {
            var fields = new JsonFields(document!.RootElement, ["kind", "date", "participantIds", "supplierId"]);
            var kind = fields.Text("kind", required: true, 32, k => SessionKind.All.Contains(k), $"must be one of: {string.Join(", ", SessionKind.All)}.");
            var date = fields.Date("date", required: true);
            var participantIds = fields.StringArray("participantIds", required: true, 50, p => PseudonymousId.IsWellFormed(p, PseudonymousId.Participant), "must be participant ids such as P-7KQ2M9XA.");
            var supplierId = fields.Text("supplierId", required: false, 64, StudyIds.IsWellFormed, "must be letters, digits, '-' or '_'.");
            if (kind == SessionKind.Interview && participantIds is { Count: not 1 })
            {
                fields.Add("participantIds", "an interview has exactly one participant.");
            }
            else if (kind == SessionKind.FocusGroup && participantIds is { Count: < 2 })
            {
                fields.Add("participantIds", "a focus group has two or more participants.");
            }

            if (date is { } d && d > DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime))
            {
                fields.Add("date", "must not be in the future: sessions are registered once they have taken place.");
            }

            foreach (var participantId in fields.HasErrors ? [] : participantIds!)
            {
                if (await studies.FindParticipantAsync(study!.StudyId, participantId, cancellationToken) is null)
                {
                    fields.Add("participantIds", $"{participantId} is not a participant of this study.");
                }
            }

            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }

            var session = new Session
            {
                StudyId = study!.StudyId,
                SessionId = PseudonymousId.New(PseudonymousId.Session),
                Kind = kind!,
                Date = date!.Value,
                ParticipantIds = participantIds!,
                SupplierId = supplierId,
                RegisteredAt = time.GetUtcNow(),
            };
            await studies.AddSessionAsync(session, cancellationToken);
            await audit.AppendAsync(StudyAuditEvents.SessionRegistered(session, principal!.Id), cancellationToken);
            logger.LogInformation("Session {SessionId} ({Kind}) registered in study {StudyId}", session.SessionId, session.Kind, session.StudyId);
            return new CreatedResult($"/api/studies/{study.StudyId}/sessions/{session.SessionId}", SessionView.From(session));
        }
    }

    /// <summary>
    /// <c>POST /api/studies/{id}/sessions/{sid}/artifacts?kind=</c>: streams a recording, transcript or note to blob storage
    /// (never buffering the whole file), with its size and SHA-256 recorded.
    /// </summary>
    [Function(nameof(UploadArtifact))]
    public async Task<IActionResult> UploadArtifact(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{id}/sessions/{sid}/artifacts")] HttpRequest req,
        string id,
        string sid,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(req);
        var (study, principal, denied) = await AuthorizeStudyAsync(req, id, ResearcherRoles, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        var session = PseudonymousId.IsWellFormed(sid, PseudonymousId.Session) ? await studies.FindSessionAsync(study!.StudyId, sid, cancellationToken) : null;
        if (session is null)
        {
            return ApiProblem.NotFound("The study has no session with that id.");
        }

        var (artifact, problem) = await uploads.ReceiveAsync(req, session, req.Query["kind"].ToString(), principal!.Id, cancellationToken);
        return problem ?? new CreatedResult($"/api/studies/{study!.StudyId}/sessions/{session.SessionId}/artifacts/{artifact!.ArtifactId}", ArtifactView.From(artifact));
    }

    /// <summary><c>POST /api/studies/{id}/publication</c>: records the date the study's report was published.</summary>
    [Function(nameof(RecordPublication))]
    public async Task<IActionResult> RecordPublication(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "studies/{id}/publication")] HttpRequest req,
        string id,
        CancellationToken cancellationToken)
    {
        var (study, principal, document, denied) = await AuthorizeStudyAndReadBodyAsync(req, id, PublicationRoles, cancellationToken);
        if (denied is not null)
        {
            return denied;
        }

        using (document)
        {
            var fields = new JsonFields(document!.RootElement, ["publishedOn"]);
            var publishedOn = fields.Date("publishedOn", required: true);
            var now = time.GetUtcNow();
            if (publishedOn is { } p && p > DateOnly.FromDateTime(now.UtcDateTime))
            {
                fields.Add("publishedOn", "must not be in the future: record publication once the report is out.");
            }
            else if (publishedOn is { } q && q < study!.EndOfDataCollection)
            {
                fields.Add("publishedOn", $"must not be before the end of data collection ({study.EndOfDataCollection.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}).");
            }

            if (fields.HasErrors)
            {
                return ApiProblem.Validation(fields.Errors);
            }

            await studies.RecordPublicationAsync(study!.StudyId, publishedOn!.Value, now, cancellationToken);
            await audit.AppendAsync(StudyAuditEvents.PublicationRecorded(study.StudyId, publishedOn.Value, principal!.Id), cancellationToken);
            logger.LogInformation("Publication of study {StudyId} recorded", study.StudyId);
            return new OkObjectResult(StudyView.From(study with { PublishedOn = publishedOn, UpdatedAt = now }));
        }
    }

    /// <summary>The principal and study checks of <see cref="AuthorizeStudyAsync"/>, then the JSON body (the caller disposes it).</summary>
    private async Task<(Study? Study, ClientPrincipal? Principal, System.Text.Json.JsonDocument? Body, IActionResult? Denied)> AuthorizeStudyAndReadBodyAsync(
        HttpRequest req,
        string id,
        IReadOnlyCollection<string> roles,
        CancellationToken cancellationToken)
    {
        var (study, principal, denied) = await AuthorizeStudyAsync(req, id, roles, cancellationToken);
        if (denied is not null)
        {
            return (null, null, null, denied);
        }

        var (document, problem) = await JsonBody.ReadObjectAsync(req, httpOptions.Value.MaxJsonBodyBytes, cancellationToken);
        return problem is not null ? (null, null, null, problem) : (study, principal, document, null);
    }

    /// <summary>The principal check, then the study: 401/403 before anything else, then 400 for a malformed id and 404 for an unknown one.</summary>
    private async Task<(Study? Study, ClientPrincipal? Principal, IActionResult? Denied)> AuthorizeStudyAsync(HttpRequest req, string id, IReadOnlyCollection<string> roles, CancellationToken cancellationToken)
    {
        var auth = StaffAuthorization.Require(req, roles);
        if (auth.Denied is not null)
        {
            return (null, null, auth.Denied);
        }

        var study = StudyIds.IsWellFormed(id) ? await studies.FindStudyAsync(id, cancellationToken) : null;
        return study is null ? (null, null, ApiProblem.NotFound("There is no study with that id.")) : (study, auth.Principal, null);
    }

    private static bool IsPhone(string phone) => phone.Count(char.IsDigit) >= 6 && phone.All(c => char.IsDigit(c) || c is ' ' or '+' or '(' or ')' or '-');
}

/// <summary>A study as the API shows it: its dates and policy, by version.</summary>
public sealed record StudyView(string StudyId, string Title, string PolicySource, string PolicyVersion, string NoticeVersion, DateOnly EndOfDataCollection, DateOnly? AnalysisStartedOn, DateOnly? PublishedOn, DateTimeOffset RegisteredAt, DateTimeOffset UpdatedAt)
{
    public static StudyView From(Study s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.StudyId, s.Title, s.PolicySource, s.PolicyVersion, s.NoticeVersion, s.EndOfDataCollection, s.AnalysisStartedOn, s.PublishedOn, s.RegisteredAt, s.UpdatedAt);
    }
}

/// <summary>A session as the API shows it.</summary>
public sealed record SessionView(string SessionId, string StudyId, string Kind, DateOnly Date, IReadOnlyList<string> ParticipantIds, string? SupplierId)
{
    public static SessionView From(Session s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.SessionId, s.StudyId, s.Kind, s.Date, s.ParticipantIds, s.SupplierId);
    }
}

/// <summary>An artifact as the API shows it: where it is, how big, and its checksum.</summary>
public sealed record ArtifactView(string ArtifactId, string StudyId, string SessionId, string Kind, string Container, string BlobName, string ContentType, long Size, string Sha256, DateTimeOffset UploadedAt)
{
    public static ArtifactView From(Artifact a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.ArtifactId, a.StudyId, a.SessionId, a.Kind, a.Container, a.BlobName, a.ContentType, a.Size, a.Sha256, a.UploadedAt);
    }
}
