using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Microsoft.DurableTask.Client;
using MimeKit;

namespace Compliance.Tests.Infrastructure;

/// <summary>
/// Drives data-subject requests through a host's HTTP API as participants and staff would, and reads what they leave in
/// storage (request rows, the outbox). One per host under test.
/// </summary>
/// <remarks>A host in another process has no engine client here (<c>durable: null</c>); its workflows are read from the task hub's tables.</remarks>
public sealed partial class RequestApi(HttpClient http, TableServiceClient tables, BlobServiceClient blobs, DurableTaskClient? durable)
{
    public RequestApi(TestEnvironment env)
        : this(env.Http, env.Tables, env.Blobs, env.Durable)
    {
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Outbox Outbox { get; } = new(blobs);

    public RequestStore Store { get; } = new(tables);

    /// <summary>Submits a request with any body (anonymous unless <paramref name="role"/>); returns its id.</summary>
    public async Task<string> SubmitAsync(object body, string? role = null)
    {
        using var response = await http.SendAsync(Staff.PostJson("/api/requests", JsonSerializer.Serialize(body), role), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requestId").GetString()!;
    }

    /// <summary>
    /// A request entered by the DPO with identity already confirmed: no code, the clock starts at <paramref name="receivedAt"/>;
    /// with <paramref name="details"/>, the requester's own words.
    /// </summary>
    public Task<string> SubmitConfirmedAsync(string studyId, string type, string email, string? receivedAt = null, object? changes = null, string? details = null) =>
        SubmitAsync(
            (changes, details) switch
            {
                (null, null) => new { studyId, type, email, channel = "letter", identityConfirmed = true, receivedAt },
                (_, null) => new { studyId, type, email, channel = "letter", identityConfirmed = true, receivedAt, changes },
                _ => (object)new { studyId, type, email, channel = "letter", identityConfirmed = true, receivedAt, changes, details },
            },
            Role.Dpo);

    public Task<HttpResponseMessage> VerifyAsync(string requestId, string code) =>
        http.SendAsync(Staff.PostJson($"/api/requests/{Uri.EscapeDataString(requestId)}/verify", JsonSerializer.Serialize(new { code })), Ct);

    /// <summary><c>POST /api/requests/{id}/{action}</c> as the DPO (or <paramref name="role"/>).</summary>
    public Task<HttpResponseMessage> ActAsync(string requestId, string action, object? body = null, string role = Role.Dpo) =>
        http.SendAsync(Staff.PostJson($"/api/requests/{Uri.EscapeDataString(requestId)}/{action}", JsonSerializer.Serialize(body ?? new { }), role), Ct);

    /// <summary>Acts and expects the action to be accepted.</summary>
    public async Task ActOkAsync(string requestId, string action, object? body = null)
    {
        using var response = await ActAsync(requestId, action, body);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
    }

    public async Task<DataSubjectRequestRecord> WaitForStatusAsync(string requestId, string status, TimeSpan? timeout = null) =>
        (await Eventually.GetAsync(() => Store.FindAsync(requestId, Ct), r => r?.Status == status, timeout, because: $"request {requestId} to be {status}"))!;

    public async Task<DataSubjectRequestRecord> WaitForAsync(string requestId, Func<DataSubjectRequestRecord, bool> condition, string because) =>
        (await Eventually.GetAsync(() => Store.FindAsync(requestId, Ct), r => r is not null && condition(r), because: because))!;

    /// <summary>Waits for the request's orchestration to finish and returns its output.</summary>
    public async Task<OrchestrationMetadata> WaitForWorkflowAsync(string requestId, TimeSpan? timeout = null)
    {
        var client = durable ?? throw new InvalidOperationException("This host runs in another process: read its workflows from the task hub's tables.");
        return (await Eventually.GetAsync(() => client.GetInstanceAsync(requestId, true, Ct), i => i is { IsCompleted: true }, timeout ?? TimeSpan.FromSeconds(90), $"the workflow of {requestId} to finish"))!;
    }

    /// <summary>The message with <paramref name="messageKey"/>, once it is in the outbox.</summary>
    public async Task<MimeMessage> EmailAsync(string requestId, string messageKey, TimeSpan? timeout = null)
    {
        var name = Outbox.BlobNameFor(requestId, messageKey);
        await Eventually.GetAsync(() => Outbox.ExistsAsync(name, Ct), exists => exists, timeout, because: $"the {messageKey} email of {requestId}");
        return await Outbox.ReadAsync(name, Ct);
    }

    /// <summary>The message keys of the request's emails in the outbox.</summary>
    public async Task<IReadOnlyList<string>> EmailKeysAsync(string requestId) =>
        (await Outbox.ListAsync($"requests/{requestId}/", Ct)).Select(n => n[$"requests/{requestId}/".Length..^".eml".Length]).Order(StringComparer.Ordinal).ToList();

    /// <summary>The six-digit code of an email (verification or address confirmation), read as the participant would read it.</summary>
    public async Task<string> CodeAsync(string requestId, string messageKey = "verification-code-1") =>
        CodeLine().Match((await EmailAsync(requestId, messageKey)).TextBody!).Groups[1].Value;

    /// <summary>
    /// The open task of <paramref name="kind"/> for the request, once the workflow has created it. A 5xx (storage failing
    /// past the SDK's retries, under the fault tests and the soak) is read again, as the DPO's work queue would be refreshed.
    /// </summary>
    public async Task<JsonElement> OpenTaskAsync(string requestId, string kind, TimeSpan? timeout = null)
    {
        var page = await Eventually.GetAsync(
            async () =>
            {
                using var response = await http.SendAsync(Staff.Get($"/api/tasks?requestId={requestId}", Role.Dpo), Ct);
                if ((int)response.StatusCode >= 500)
                {
                    return (JsonElement?)null;
                }

                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            },
            p => p is { } found && found.GetProperty("tasks").EnumerateArray().Any(t => t.GetProperty("kind").GetString() == kind),
            timeout,
            because: $"a {kind} task for {requestId}");
        return page!.Value.GetProperty("tasks").EnumerateArray().First(t => t.GetProperty("kind").GetString() == kind);
    }

    /// <summary>Completes the request's open task of <paramref name="kind"/> as its assignee role, once the workflow has created it.</summary>
    public async Task CompleteTaskAsync(string requestId, string kind, string outcome, object? extra = null)
    {
        var task = await OpenTaskAsync(requestId, kind);
        var role = task.GetProperty("assigneeRole").GetString()!;
        var body = extra is null ? JsonSerializer.Serialize(new { outcome }) : MergeOutcome(outcome, extra);
        using var response = await http.SendAsync(Staff.PostJson($"/api/tasks/{Uri.EscapeDataString(task.GetProperty("taskId").GetString()!)}/complete", body, role), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary><c>GET /api/requests/{id}</c> as the DPO.</summary>
    public async Task<JsonElement> ViewAsync(string requestId)
    {
        using var response = await http.SendAsync(Staff.Get($"/api/requests/{requestId}", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static string MergeOutcome(string outcome, object extra)
    {
        var fields = JsonSerializer.SerializeToNode(extra)!.AsObject();
        fields["outcome"] = outcome;
        return fields.ToJsonString();
    }

    [GeneratedRegex(@"^\s+([0-9]{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();
}
