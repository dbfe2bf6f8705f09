using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Studies;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Http;

/// <summary>
/// Every list of the API is paged the same way: <c>limit</c> and the <c>continuation</c> the previous page gave, walked to the
/// end with every item once and in order; a bad limit, a continuation this service did not give or an unknown parameter is a
/// 400 naming it.
/// </summary>
public sealed class ListPagingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> ListRoutes => new()
    {
        { "/api/studies", Role.Dpo },
        { "/api/tasks", Role.Dpo },
        { "/api/suppliers", Role.Dpo },
        { $"/api/studies/{TestEnvironment.StudyId}/participants", Role.Dpo },
        { $"/api/studies/{TestEnvironment.StudyId}/sessions", Role.Dpo },
        { $"/api/certificates?studyId={TestEnvironment.StudyId}", Role.Dpo },
        { $"/api/safeguarding?studyId={TestEnvironment.StudyId}", Role.Dpo },
        { $"/api/anonymised-transcripts?studyId={TestEnvironment.StudyId}", Role.OnsAnalyst },
        { $"/api/holds?studyId={TestEnvironment.StudyId}", Role.Dpo },
        { "/api/requests", Role.Dpo },
    };

    [Fact]
    public async Task A_studys_lists_walked_one_item_a_page_give_every_item_once_in_order()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var sessions = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
            var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, $"2024-07-0{i}", participant);
            sessions.Add(session);
            await StudyApi.UploadAsync(env.Http, studyId, session, ArtifactKind.Transcript, Encoding.UTF8.GetBytes("Interviewer: Hello.\nTest Participant: Hello."), "text/plain");
            using var anonymise = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions/{session}/anonymised-transcript", "{}", Role.Researcher), Ct);
            anonymise.StatusCode.ShouldBe(HttpStatusCode.Created);
            using var disclose = await env.Http.SendAsync(
                Staff.PostJson("/api/safeguarding", JsonSerializer.Serialize(new { studyId, scope = "session", targetId = session, reason = "A risk of harm", disclosed = "The session date", recipient = "police" }), Role.Researcher),
                Ct);
            disclose.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        (await WalkAsync($"/api/studies/{studyId}/participants", "participants", Role.Researcher)).Count.ShouldBe(3);
        (await WalkAsync($"/api/studies/{studyId}/sessions", "sessions", Role.Researcher)).Select(s => s.GetProperty("session").GetProperty("sessionId").GetString()).ShouldBe(sessions, "oldest session first");
        (await WalkAsync($"/api/anonymised-transcripts?studyId={studyId}", "transcripts", Role.OnsAnalyst)).Select(t => t.GetProperty("sessionId").GetString()).ShouldBe(sessions);
        var disclosures = await WalkAsync($"/api/safeguarding?studyId={studyId}", "disclosures", Role.Dpo);
        disclosures.Select(d => d.GetProperty("targetId").GetString()).ShouldBe(Enumerable.Reverse(sessions), "newest first");
        var holds = await WalkAsync($"/api/holds?studyId={studyId}", "holds", Role.Admin);
        holds.Select(h => h.GetProperty("holdId").GetString()).ShouldBe(disclosures.Select(d => d.GetProperty("holdId").GetString()), "each disclosure's hold, newest first");
        using (var release = new HttpRequestMessage(HttpMethod.Delete, $"/api/holds/{holds[0].GetProperty("holdId").GetString()}"))
        {
            release.SignIn(Role.Dpo);
            using var lift = await env.Http.SendAsync(release, Ct);
            lift.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var afterLift = await WalkAsync($"/api/holds?studyId={studyId}", "holds", Role.Dpo, limit: 2);
        afterLift.Count.ShouldBe(3, "a lifted hold stays in the list");
        afterLift[0].GetProperty("releasedBy").GetString().ShouldBe("staff-1");

        // Lists across studies: this study's items once each among everyone's.
        var reviewTasks = disclosures.Select(d => d.GetProperty("reviewTaskId").GetString()).ToList();
        var tasks = (await WalkAsync("/api/tasks", "tasks", Role.Dpo, limit: 50)).Select(t => t.GetProperty("taskId").GetString()).ToList();
        tasks.ShouldBeUnique();
        reviewTasks.ShouldBeSubsetOf(tasks);
        var studies = (await WalkAsync("/api/studies", "studies", Role.Dpo, limit: 7)).Select(s => s.GetProperty("studyId").GetString()).ToList();
        studies.ShouldBeUnique();
        studies.ShouldContain(studyId);
        studies.ShouldBe(studies.Order(StringComparer.Ordinal).ToList());
    }

    [Theory]
    [MemberData(nameof(ListRoutes))]
    public async Task A_bad_page_parameter_is_a_400_naming_it(string route, string role)
    {
        var join = route.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (query, field) in new[] { ("limit=0", "limit"), ("limit=201", "limit"), ("limit=ten", "limit"), ("continuation=not-one-of-ours", "continuation"), ("continuation=" + new string('A', 500), "continuation"), ("limti=5", "limti") })
        {
            using var response = await env.Http.SendAsync(Staff.Get($"{route}{join}{query}", role), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, $"{route} {query}");
            var problem = await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation");
            problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"{route} {query} names {field}");
        }
    }

    /// <summary>Every item of a list, read <paramref name="limit"/> at a time by following the continuations.</summary>
    private async Task<List<JsonElement>> WalkAsync(string route, string items, string role, int limit = 1)
    {
        var join = route.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var all = new List<JsonElement>();
        string? continuation = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            using var response = await env.Http.SendAsync(Staff.Get($"{route}{join}limit={limit}{(continuation is null ? "" : $"&continuation={Uri.EscapeDataString(continuation)}")}", role), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            var page = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            var found = page.GetProperty(items).EnumerateArray().ToList();
            found.Count.ShouldBeLessThanOrEqualTo(limit);
            all.AddRange(found);
            continuation = page.GetProperty("continuation").GetString();
            if (continuation is null)
            {
                return all;
            }
        }

        throw new InvalidOperationException($"{route} did not end within 1000 pages.");
    }
}
