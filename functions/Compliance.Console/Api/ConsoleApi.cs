using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Compliance.Anonymisation;
using Compliance.Audit;
using Compliance.Console.Identity;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Reporting;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Suppliers;
using Compliance.Tasks;
using Microsoft.AspNetCore.Components;

namespace Compliance.Console.Api;

/// <summary>
/// The HTTP API as the console calls it (docs/api.md): one method per route it uses, each giving the answer or its problem. A
/// 401 means the session has ended: the console goes to sign in.
/// </summary>
public sealed class ConsoleApi(HttpClient http, SessionState session, NavigationManager navigation)
{
    /// <summary>One page of requests, soonest due first (<c>GET /api/requests?order=due</c>).</summary>
    public Task<ApiResult<RequestPage>> ListRequestsAsync(RequestFilter filter, string? continuation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var query = new List<string> { "order=due", $"open={(filter.OpenOnly ? "true" : "false")}", "limit=25" };
        Add(query, "studyId", filter.StudyId);
        Add(query, "type", filter.Type);
        Add(query, "status", filter.Status);
        Add(query, "channel", filter.Channel);
        Add(query, "continuation", continuation);
        return SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/requests?" + string.Join('&', query)), ConsoleJson.Default.RequestPage, cancellationToken);
    }

    /// <summary>A request with its history, due state and the actions it allows now (<c>GET /api/requests/{id}</c>).</summary>
    public Task<ApiResult<RequestView>> GetRequestAsync(string requestId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/requests/{Uri.EscapeDataString(requestId)}"), ConsoleJson.Default.RequestView, cancellationToken);

    /// <summary>A DPO action on a request (<c>POST /api/requests/{id}/{action}</c>) with its fields.</summary>
    public Task<ApiResult<RequestActionResponse>> ActAsync(string requestId, string action, Dictionary<string, string> fields, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"api/requests/{Uri.EscapeDataString(requestId)}/{Uri.EscapeDataString(action)}")
            {
                Content = JsonContent.Create(fields, ConsoleJson.Default.DictionaryStringString),
            },
            ConsoleJson.Default.RequestActionResponse,
            cancellationToken);

    /// <summary>The request's emails, oldest first (<c>GET /api/requests/{id}/emails</c>; Dpo and Researcher).</summary>
    public Task<ApiResult<RequestCorrespondenceView>> GetEmailsAsync(string requestId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/requests/{Uri.EscapeDataString(requestId)}/emails"), ConsoleJson.Default.RequestCorrespondenceView, cancellationToken);

    /// <summary>Puts a failed email back in the queue (<c>POST /api/requests/{id}/emails/{key}/resend</c>; Dpo).</summary>
    public Task<ApiResult<EmailView>> ResendAsync(string requestId, string messageKey, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, $"api/requests/{Uri.EscapeDataString(requestId)}/emails/{Uri.EscapeDataString(messageKey)}/resend"), ConsoleJson.Default.EmailView, cancellationToken);

    /// <summary>Open tasks, oldest due first (<c>GET /api/tasks</c>; Dpo, Researcher, Admin).</summary>
    public Task<ApiResult<TaskList>> ListOpenTasksAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync("api/tasks?status=open", ConsoleJson.Default.TaskList, l => l.Tasks, l => l.Continuation, (all, _) => new TaskList(all), cancellationToken);

    /// <summary>Completes a task with an outcome its kind takes (<c>POST /api/tasks/{id}/complete</c>; the task's role).</summary>
    public Task<ApiResult<TaskView>> CompleteTaskAsync(string taskId, TaskCompletionRequest completion, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Post, $"api/tasks/{Uri.EscapeDataString(taskId)}/complete")
            {
                Content = JsonContent.Create(completion, ConsoleJson.Default.TaskCompletionRequest),
            },
            ConsoleJson.Default.TaskView,
            cancellationToken);

    /// <summary>Every study with its dates on the way to deletion (<c>GET /api/studies</c>).</summary>
    public Task<ApiResult<StudyList>> ListStudiesAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync("api/studies", ConsoleJson.Default.StudyList, l => l.Studies, l => l.Continuation, (all, _) => new StudyList(all), cancellationToken);

    /// <summary>What is deleted when and what holds keep (<c>GET /api/studies/{id}/retention</c>).</summary>
    public Task<ApiResult<RetentionPlanView>> GetRetentionPlanAsync(string studyId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/studies/{Uri.EscapeDataString(studyId)}/retention"), ConsoleJson.Default.RetentionPlanView, cancellationToken);

    /// <summary>The study's sweep as it stands (<c>GET /api/studies/{id}/retention/sweep</c>).</summary>
    public Task<ApiResult<SweepView>> GetSweepAsync(string studyId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/studies/{Uri.EscapeDataString(studyId)}/retention/sweep"), ConsoleJson.Default.SweepView, cancellationToken);

    /// <summary>Starts the study's sweep now if it is due (<c>POST /api/retention/run</c>; Dpo, Admin).</summary>
    public Task<ApiResult<SweepStarts>> RunSweepAsync(string studyId, CancellationToken cancellationToken = default) =>
        SendAsync(Post("api/retention/run", JsonContent.Create(new RunRetentionRequest(studyId), ConsoleJson.Default.RunRetentionRequest)), ConsoleJson.Default.SweepStarts, cancellationToken);

    /// <summary>Places a hold (<c>POST /api/holds</c>; Dpo).</summary>
    public Task<ApiResult<HoldView>> PlaceHoldAsync(PlaceHoldRequest hold, CancellationToken cancellationToken = default) =>
        SendAsync(Post("api/holds", JsonContent.Create(hold, ConsoleJson.Default.PlaceHoldRequest)), ConsoleJson.Default.HoldView, cancellationToken);

    /// <summary>Lifts a hold (<c>DELETE /api/holds/{id}</c>; Dpo).</summary>
    public Task<ApiResult<HoldView>> ReleaseHoldAsync(string holdId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"api/holds/{Uri.EscapeDataString(holdId)}"), ConsoleJson.Default.HoldView, cancellationToken);

    /// <summary>Records the report's publication date (<c>POST /api/studies/{id}/publication</c>; Researcher, Dpo).</summary>
    public async Task<ProblemView?> RecordPublicationAsync(string studyId, string publishedOn, CancellationToken cancellationToken = default) =>
        (await SendRawAsync(Post($"api/studies/{Uri.EscapeDataString(studyId)}/publication", JsonContent.Create(new PublicationRequest(publishedOn), ConsoleJson.Default.PublicationRequest)), cancellationToken)).Problem;

    /// <summary>A deletion certificate as stored: JSON, or its text rendering (<c>GET /api/certificates/{id}</c>; Dpo).</summary>
    public async Task<ApiResult<string>> GetCertificateAsync(string certificateId, bool text, CancellationToken cancellationToken = default)
    {
        var result = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/certificates/{Uri.EscapeDataString(certificateId)}{(text ? "?format=text" : "")}"), cancellationToken);
        return new(result.Value?.Body, result.Problem);
    }

    /// <summary>The study's deletion certificates, newest first (<c>GET /api/certificates?studyId=</c>; Dpo).</summary>
    public Task<ApiResult<CertificateList>> ListCertificatesAsync(string studyId, CancellationToken cancellationToken = default) =>
        AllPagesAsync($"api/certificates?studyId={Uri.EscapeDataString(studyId)}", ConsoleJson.Default.CertificateList, l => l.Certificates, l => l.Continuation, (all, first) => new CertificateList(first.StudyId, all), cancellationToken);

    /// <summary>The study's safeguarding records (<c>GET /api/safeguarding?studyId=</c>; Dpo, Researcher).</summary>
    public Task<ApiResult<DisclosureList>> ListDisclosuresAsync(string studyId, CancellationToken cancellationToken = default) =>
        AllPagesAsync($"api/safeguarding?studyId={Uri.EscapeDataString(studyId)}", ConsoleJson.Default.DisclosureList, l => l.Disclosures, l => l.Continuation, (all, first) => new DisclosureList(first.StudyId, all), cancellationToken);

    /// <summary>A page of audit entries of a request (or an email's intake key) and/or a study, after <paramref name="continuation"/> (<c>GET /api/audit</c>; Dpo).</summary>
    public Task<ApiResult<AuditQueryResponse>> QueryAuditAsync(string? requestId, string? studyId, string? continuation = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        Add(query, "requestId", requestId);
        Add(query, "studyId", studyId);
        Add(query, "continuation", continuation);
        return SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/audit" + (query.Count == 0 ? "" : "?" + string.Join('&', query))), ConsoleJson.Default.AuditQueryResponse, cancellationToken);
    }

    /// <summary>Walks every chain and reports the first problem of each (<c>GET /api/audit/verify</c>; Dpo).</summary>
    public Task<ApiResult<AuditVerification>> VerifyAuditAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/audit/verify"), ConsoleJson.Default.AuditVerification, cancellationToken);

    /// <summary>A study's request figures for a period (<c>GET /api/reports/requests</c>; Dpo); the API's default period when dates are null.</summary>
    public Task<ApiResult<RequestReport>> GetReportAsync(string studyId, DateOnly? from, DateOnly? to, bool csv, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, ReportPath(studyId, from, to, csv)), ConsoleJson.Default.RequestReport, cancellationToken);

    /// <summary>The same figures as CSV.</summary>
    public async Task<ApiResult<string>> GetReportCsvAsync(string studyId, DateOnly? from, DateOnly? to, CancellationToken cancellationToken = default)
    {
        var result = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, ReportPath(studyId, from, to, csv: true)), cancellationToken);
        return new(result.Value?.Body, result.Problem);
    }

    private static string ReportPath(string studyId, DateOnly? from, DateOnly? to, bool csv)
    {
        var query = new List<string>();
        Add(query, "studyId", studyId);
        Add(query, "from", from?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Add(query, "to", to?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Add(query, "format", csv ? "csv" : null);
        return "api/reports/requests?" + string.Join('&', query);
    }

    /// <summary>Every supplier and its contract's standing (<c>GET /api/suppliers</c>; Dpo, Admin).</summary>
    public Task<ApiResult<SupplierList>> ListSuppliersAsync(CancellationToken cancellationToken = default) =>
        AllPagesAsync("api/suppliers", ConsoleJson.Default.SupplierList, l => l.Suppliers, l => l.Continuation, (all, _) => new SupplierList(all), cancellationToken);

    /// <summary>The recordings assigned to the transcriber's supplier (<c>GET /api/transcription/recordings</c>; Transcriber).</summary>
    public Task<ApiResult<AssignedRecordings>> ListAssignedRecordingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/transcription/recordings"), ConsoleJson.Default.AssignedRecordings, cancellationToken);

    /// <summary>A read link to one assigned recording, valid for hours (Transcriber).</summary>
    public Task<ApiResult<RecordingLink>> GetRecordingLinkAsync(string studyId, string artifactId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/transcription/recordings/{Uri.EscapeDataString(studyId)}/{Uri.EscapeDataString(artifactId)}/link"), ConsoleJson.Default.RecordingLink, cancellationToken);

    /// <summary>Where a transcript of an assigned recording is uploaded (the body is the file).</summary>
    public static string TranscriptUploadPath(string studyId, string artifactId) =>
        $"api/transcription/recordings/{Uri.EscapeDataString(studyId)}/{Uri.EscapeDataString(artifactId)}/transcript";

    /// <summary>A study's participants; contact details only for Researcher and Dpo (<c>GET /api/studies/{id}/participants</c>).</summary>
    public Task<ApiResult<ParticipantList>> ListParticipantsAsync(string studyId, CancellationToken cancellationToken = default) =>
        AllPagesAsync($"api/studies/{Uri.EscapeDataString(studyId)}/participants", ConsoleJson.Default.ParticipantList, l => l.Participants, l => l.Continuation, (all, _) => new ParticipantList(all), cancellationToken);

    /// <summary>A study's sessions and their material (<c>GET /api/studies/{id}/sessions</c>).</summary>
    public Task<ApiResult<SessionList>> ListSessionsAsync(string studyId, CancellationToken cancellationToken = default) =>
        AllPagesAsync($"api/studies/{Uri.EscapeDataString(studyId)}/sessions", ConsoleJson.Default.SessionList, l => l.Sessions, l => l.Continuation, (all, _) => new SessionList(all), cancellationToken);

    /// <summary>Registers a participant (<c>POST /api/studies/{id}/participants</c>; Researcher); the problem when refused.</summary>
    public async Task<ProblemView?> RegisterParticipantAsync(string studyId, RegisterParticipantRequest participant, CancellationToken cancellationToken = default) =>
        (await SendRawAsync(Post($"api/studies/{Uri.EscapeDataString(studyId)}/participants", JsonContent.Create(participant, ConsoleJson.Default.RegisterParticipantRequest)), cancellationToken)).Problem;

    /// <summary>Registers a session (<c>POST /api/studies/{id}/sessions</c>; Researcher); the problem when refused.</summary>
    public async Task<ProblemView?> RegisterSessionAsync(string studyId, RegisterSessionRequest session, CancellationToken cancellationToken = default) =>
        (await SendRawAsync(Post($"api/studies/{Uri.EscapeDataString(studyId)}/sessions", JsonContent.Create(session, ConsoleJson.Default.RegisterSessionRequest)), cancellationToken)).Problem;

    /// <summary>One study and the policy text it runs under (<c>GET /api/studies/{id}</c>).</summary>
    public Task<ApiResult<StudyDetail>> GetStudyAsync(string studyId, CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, $"api/studies/{Uri.EscapeDataString(studyId)}"), ConsoleJson.Default.StudyDetail, cancellationToken);

    /// <summary>The policy files a study can run under, with their text (<c>GET /api/policies</c>).</summary>
    public Task<ApiResult<PolicyFileList>> ListPoliciesAsync(CancellationToken cancellationToken = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/policies"), ConsoleJson.Default.PolicyFileList, cancellationToken);

    /// <summary>Registers or updates a study (<c>PUT /api/studies/{id}</c>; Admin, Researcher).</summary>
    public Task<ApiResult<StudyView>> PutStudyAsync(string studyId, RegisterStudyRequest study, CancellationToken cancellationToken = default) =>
        SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"api/studies/{Uri.EscapeDataString(studyId)}") { Content = JsonContent.Create(study, ConsoleJson.Default.RegisterStudyRequest) },
            ConsoleJson.Default.StudyView,
            cancellationToken);

    /// <summary>A study's anonymised transcripts (<c>GET /api/anonymised-transcripts?studyId=</c>; OnsAnalyst, Researcher, Dpo).</summary>
    public Task<ApiResult<AnonymisedTranscriptList>> ListAnonymisedTranscriptsAsync(string studyId, CancellationToken cancellationToken = default) =>
        AllPagesAsync($"api/anonymised-transcripts?studyId={Uri.EscapeDataString(studyId)}", ConsoleJson.Default.AnonymisedTranscriptList, l => l.Transcripts, l => l.Continuation, (all, first) => new AnonymisedTranscriptList(first.StudyId, all), cancellationToken);

    /// <summary>The text of one anonymised transcript.</summary>
    public async Task<ApiResult<string>> ReadAnonymisedTranscriptAsync(string studyId, string artifactId, CancellationToken cancellationToken = default)
    {
        var result = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, $"api/anonymised-transcripts/{Uri.EscapeDataString(studyId)}/{Uri.EscapeDataString(artifactId)}"), cancellationToken);
        return new(result.Value?.Body, result.Problem);
    }

    /// <summary>Anonymises a session's latest transcript for analysts (<c>POST …/anonymised-transcript</c>; Researcher).</summary>
    public Task<ApiResult<PreparedTranscript>> PrepareAnonymisedTranscriptAsync(string studyId, string sessionId, CancellationToken cancellationToken = default) =>
        SendAsync(
            Post($"api/studies/{Uri.EscapeDataString(studyId)}/sessions/{Uri.EscapeDataString(sessionId)}/anonymised-transcript", new StringContent("{}", System.Text.Encoding.UTF8, "application/json")),
            ConsoleJson.Default.PreparedTranscript,
            cancellationToken);

    /// <summary>Where a session's recording, transcript or notes are uploaded (the body is the file).</summary>
    public static string ArtifactUploadPath(string studyId, string sessionId, string kind) =>
        $"api/studies/{Uri.EscapeDataString(studyId)}/sessions/{Uri.EscapeDataString(sessionId)}/artifacts?kind={Uri.EscapeDataString(kind)}";

    /// <summary>The largest page the API gives, asked for by lists the console shows whole.</summary>
    private const int PageSize = 200;

    /// <summary>
    /// A list the console shows whole (a study's sessions, the suppliers, the studies in a picker), read page by page from the
    /// API (which pages every list) until its last page; the requests queue is the one list paged on screen.
    /// </summary>
    private async Task<ApiResult<TList>> AllPagesAsync<TList, TItem>(
        string path, JsonTypeInfo<TList> type, Func<TList, IReadOnlyList<TItem>> itemsOf, Func<TList, string?> continuationOf, Func<IReadOnlyList<TItem>, TList, TList> combine, CancellationToken cancellationToken)
    {
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var all = new List<TItem>();
        TList? first = default;
        string? continuation = null;
        do
        {
            var page = await SendAsync(
                new HttpRequestMessage(HttpMethod.Get, $"{path}{separator}limit={PageSize}{(continuation is null ? "" : $"&continuation={Uri.EscapeDataString(continuation)}")}"),
                type,
                cancellationToken);
            if (page.Value is null)
            {
                return page;
            }

            first ??= page.Value;
            all.AddRange(itemsOf(page.Value));
            continuation = continuationOf(page.Value);
        }
        while (continuation is not null);

        return new(combine(all, first!), null);
    }

    private static HttpRequestMessage Post(string path, HttpContent content) => new(HttpMethod.Post, path) { Content = content };

    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var result = await SendRawAsync(request, cancellationToken);
        return result.Value is null
            ? new(default, result.Problem)
            : new(JsonSerializer.Deserialize(result.Value.Body, type), null);
    }

    /// <summary>Sends the request; the body of a success as text, or the problem.</summary>
    private async Task<ApiResult<RawAnswer>> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException)
            {
                return new(default, ProblemView.Unexpected(null));
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    session.Expire();
                    navigation.NavigateTo(session.SignInUrl, forceLoad: !session.LocalSignIn);
                }

                if (response.IsSuccessStatusCode)
                {
                    return new(new RawAnswer(await response.Content.ReadAsStringAsync(cancellationToken)), null);
                }

                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? await response.Content.ReadFromJsonAsync(ConsoleJson.Default.ProblemView, cancellationToken)
                    : null;
                return new(default, problem ?? ProblemView.Unexpected((int)response.StatusCode));
            }
        }
    }

    private static void Add(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }
}

/// <summary>A successful answer's body, as sent.</summary>
public sealed record RawAnswer(string Body);

/// <summary>The work queue's filters; empty means any.</summary>
public sealed class RequestFilter
{
    public string? StudyId { get; set; }

    public string? Type { get; set; }

    public string? Status { get; set; }

    public string? Channel { get; set; }

    public bool OpenOnly { get; set; } = true;
}
