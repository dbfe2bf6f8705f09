using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;

namespace Compliance.Tests.Infrastructure;

/// <summary>Registers studies, participants and sessions over HTTP for tests, each study with an id of its own.</summary>
public static class StudyApi
{
    public static string NewStudyId() => "T" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<string> RegisterStudyAsync(HttpClient http, string? studyId = null, string endOfDataCollection = "2024-08-30")
    {
        studyId ??= NewStudyId();
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/studies/{studyId}")
        {
            Content = JsonContent.Create(new { title = "A test study", endOfDataCollection, policyFile = "mpati" }),
        };
        put.SignIn(Role.Researcher);
        using var response = await http.SendAsync(put, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
        return studyId;
    }

    /// <summary>Registers a study under the MPATI policy with some values changed (e.g. short verification periods for tests).</summary>
    public static async Task<string> RegisterStudyWithPolicyChangesAsync(HttpClient http, params (string From, string To)[] changes)
    {
        var studyId = NewStudyId();
        var yaml = File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml"));
        foreach (var (from, to) in changes)
        {
            yaml.ShouldContain(from);
            yaml = yaml.Replace(from, to, StringComparison.Ordinal);
        }

        return await RegisterStudyWithPolicyAsync(http, yaml, studyId);
    }

    /// <summary>Registers a study under the policy <paramref name="yaml"/> (a whole policy file's text), carried inline.</summary>
    public static async Task<string> RegisterStudyWithPolicyAsync(HttpClient http, string yaml, string? studyId = null, string endOfDataCollection = "2024-08-30")
    {
        studyId ??= NewStudyId();
        var policy = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(yaml);
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/studies/{studyId}")
        {
            Content = JsonContent.Create(new { title = "A test study", endOfDataCollection, policy }),
        };
        put.SignIn(Role.Researcher);
        using var response = await http.SendAsync(put, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return studyId;
    }

    public static async Task<string> RegisterParticipantAsync(HttpClient http, string studyId, string? email = null, string name = "Test Participant")
    {
        using var post = Staff.PostJson($"/api/studies/{studyId}/participants", JsonSerializer.Serialize(new { name, email = email ?? $"p.{Guid.NewGuid():N}@example.org" }), Role.Researcher);
        using var response = await http.SendAsync(post, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("participantId").GetString()!;
    }

    public static Task<string> RegisterSessionAsync(HttpClient http, string studyId, string kind, string date, params string[] participantIds) =>
        RegisterSessionWithSupplierAsync(http, studyId, kind, date, supplierId: null, participantIds);

    public static async Task<string> RegisterSessionWithSupplierAsync(HttpClient http, string studyId, string kind, string date, string? supplierId, params string[] participantIds)
    {
        using var post = Staff.PostJson($"/api/studies/{studyId}/sessions", JsonSerializer.Serialize(new { kind, date, participantIds, supplierId }), Role.Researcher);
        using var response = await http.SendAsync(post, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("sessionId").GetString()!;
    }

    /// <summary>Uploads an artifact and returns its id.</summary>
    public static async Task<string> UploadAsync(HttpClient http, string studyId, string sessionId, string kind, byte[] content, string contentType)
    {
        using var upload = Upload(studyId, sessionId, kind, content, contentType);
        using var response = await http.SendAsync(upload, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("artifactId").GetString()!;
    }

    /// <summary>Registers (or updates) a supplier with an address for its deletion notices.</summary>
    public static Task RegisterSupplierAsync(HttpClient http, string supplierId, string email) =>
        PutSupplierAsync(http, supplierId, "Test Transcriptions", email, "2024-05-01");

    /// <summary>Registers (or updates) an approved supplier whose contract was signed on <paramref name="contractSignedOn"/>, with its transcribers' principal ids.</summary>
    public static async Task PutSupplierAsync(HttpClient http, string supplierId, string name, string email, string contractSignedOn, params string[] transcribers)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/suppliers/{supplierId}")
        {
            Content = transcribers.Length == 0
                ? JsonContent.Create(new { name, email, approved = true, contractSignedOn })
                : JsonContent.Create(new { name, email, approved = true, contractSignedOn, transcribers }),
        };
        put.SignIn(Role.Dpo);
        using var response = await http.SendAsync(put, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBeOneOf(HttpStatusCode.Created, HttpStatusCode.OK);
    }

    public static HttpRequestMessage Upload(string studyId, string sessionId, string kind, byte[] content, string contentType, string? role = Role.Researcher)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/studies/{studyId}/sessions/{sessionId}/artifacts?kind={kind}") { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        if (role is not null)
        {
            request.SignIn(role);
        }

        return request;
    }
}
