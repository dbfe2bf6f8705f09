using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;
using static Compliance.Tests.Audit.AuditTestData;

namespace Compliance.Tests.Audit;

/// <summary><c>GET /api/audit</c> and <c>GET /api/audit/verify</c> over HTTP: the DPO only, validated parameters, and the entries a request leaves.</summary>
public sealed class AuditHttpTests(TestEnvironment env)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TheoryData<string, string?, HttpStatusCode> EveryRouteByRole
    {
        get
        {
            var data = new TheoryData<string, string?, HttpStatusCode>();
            foreach (var route in new[] { "/api/audit", "/api/audit/verify" })
            {
                data.Add(route, Role.Dpo, HttpStatusCode.OK);
                data.Add(route, Role.Researcher, HttpStatusCode.Forbidden);
                data.Add(route, Role.OnsAnalyst, HttpStatusCode.Forbidden);
                data.Add(route, Role.Transcriber, HttpStatusCode.Forbidden);
                data.Add(route, Role.Admin, HttpStatusCode.Forbidden);
                data.Add(route, null, HttpStatusCode.Unauthorized);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(EveryRouteByRole))]
    public async Task Audit_routes_admit_the_DPO_only(string route, string? role, HttpStatusCode expected)
    {
        using var response = await env.Http.SendAsync(Staff.Get(route, role), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(expected);
        if (expected != HttpStatusCode.OK)
        {
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            problem.GetProperty("type").GetString().ShouldBe(expected == HttpStatusCode.Forbidden ? "urn:compliance:problem:forbidden" : "urn:compliance:problem:unauthenticated");
        }
    }

    [Theory]
    [InlineData("/api/audit?requestId=not-a-request-id", "requestId")]
    [InlineData("/api/audit?requestId=DSR-20261125-ZZZZZZZZ%27%20or%20true%20or%20%27%27%3D%27", "requestId")]
    [InlineData("/api/audit?requestId=", "requestId")]
    [InlineData("/api/audit?studyId=%27%20or%20true%20or%20%27%27%3D%27", "studyId")]
    [InlineData("/api/audit?studyId=two%20words", "studyId")]
    [InlineData("/api/audit?studyId=-leading-dash", "studyId")]
    [InlineData("/api/audit?studyId=A1234567890123456789012345678901234567890123456789012345678901234", "studyId")]
    [InlineData("/api/audit?studyId=MPATI&studyId=OTHER", "studyId")]
    [InlineData("/api/audit?limit=0", "limit")]
    [InlineData("/api/audit?limit=1001", "limit")]
    [InlineData("/api/audit?limit=ten", "limit")]
    [InlineData("/api/audit?limit=-5", "limit")]
    [InlineData("/api/audit?study=MPATI", "study")]
    [InlineData("/api/audit/verify?chain=global", "chain")]
    public async Task A_bad_query_is_a_400_naming_the_parameter(string path, string parameter)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, Role.Dpo), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("type").GetString().ShouldBe("urn:compliance:problem:validation");
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ShouldBe([parameter]);
    }

    [Fact]
    public async Task A_submitted_request_leaves_received_then_acknowledged_entries_without_personal_data()
    {
        // Arrange
        var studyId = await StudyApi.RegisterStudyAsync(env.Http, NewStudyId());
        var email = $"alex.{Guid.NewGuid():N}@example.org";
        var body = JsonSerializer.Serialize(new { studyId, type = "query", email, name = "Alex Example", details = "What happens to my transcript?" });

        // Act
        using var submitted = await env.Http.SendAsync(Staff.PostJson("/api/requests", body), TestContext.Current.CancellationToken);
        submitted.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var requestId = (await submitted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("requestId").GetString()!;
        var (text, page) = await Eventually.GetAsync(
            () => GetAuditAsync($"/api/audit?requestId={requestId}"),
            r => r.Page.GetProperty("count").GetInt32() >= 4,
            because: "request.received, request.acknowledged, request.clock-started and the DPO's task to be audited");

        // Assert: the entries, in order, after the study's registration, with ids and codes only
        var entries = page.GetProperty("entries").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("action").GetString()).ShouldBe([AuditActions.RequestReceived, AuditActions.RequestAcknowledged, AuditActions.ClockStarted, AuditActions.TaskCreated]);
        entries.Select(e => e.GetProperty("actor").GetString()).ShouldBe([AuditActors.Participant, AuditActors.System, AuditActors.System, AuditActors.System]);
        entries.ShouldAllBe(e => e.GetProperty("requestId").GetString() == requestId && e.GetProperty("studyId").GetString() == studyId);
        entries.Select(e => e.GetProperty("sequence").GetInt64()).ShouldBe([2L, 3L, 4L, 5L]);
        entries[1].GetProperty("previousHash").GetString().ShouldBe(entries[0].GetProperty("hash").GetString());
        entries[0].GetProperty("chain").GetString().ShouldBe("study:" + studyId);
        entries[0].GetProperty("details").GetProperty("type").GetString().ShouldBe("query");
        entries[0].GetProperty("details").GetProperty("channel").GetString().ShouldBe("web");
        entries[0].GetProperty("idempotencyKey").GetString().ShouldBe($"{requestId}:received");
        entries[1].GetProperty("idempotencyKey").GetString().ShouldBe($"{requestId}:acknowledged");
        page.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        text.ShouldNotContain(email, Case.Insensitive);
        text.ShouldNotContain("@");
        text.ShouldNotContain("Alex", Case.Insensitive);
        text.ShouldNotContain("transcript", Case.Insensitive);

        // The study's chain holds exactly these, and verifies
        var (_, byStudy) = await GetAuditAsync($"/api/audit?studyId={studyId}");
        byStudy.GetProperty("entries").EnumerateArray().Skip(1).Select(e => e.GetProperty("hash").GetString())
            .ShouldBe(entries.Select(e => e.GetProperty("hash").GetString()));
        using var verify = await env.Http.SendAsync(Staff.Get("/api/audit/verify", Role.Dpo), TestContext.Current.CancellationToken);
        var verification = await verify.Content.ReadFromJsonAsync<JsonElement>(Json, TestContext.Current.CancellationToken);
        verification.GetProperty("problems").EnumerateArray().ShouldNotContain(p => p.GetProperty("chain").GetString() == "study:" + studyId);
    }

    [Fact]
    public async Task A_request_entered_by_staff_is_audited_with_their_principal_id()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http, NewStudyId());
        var body = JsonSerializer.Serialize(new { studyId, type = "erase-contact", email = "sam@example.org", receivedAt = "2026-03-03", channel = "letter", identityConfirmed = true });
        using var post = Staff.PostJson("/api/requests", body);
        post.SignIn(Role.Researcher, id: "researcher-7");

        using var submitted = await env.Http.SendAsync(post, TestContext.Current.CancellationToken);

        var requestId = (await submitted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("requestId").GetString()!;
        var received = (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, studyId, TestContext.Current.CancellationToken))[0];
        received.Action.ShouldBe(AuditActions.RequestReceived);
        received.Actor.ShouldBe("researcher-7");
        received.Details["channel"].ShouldBe("letter");
        received.Details["identityConfirmed"].ShouldBe("true");
        received.Details["receivedAt"].ShouldBe("2026-03-03T00:00:00.0000000+00:00");
    }

    [Fact]
    public async Task The_limit_bounds_the_answer_and_says_when_there_was_more()
    {
        var studyId = NewStudyId();
        await AppendAsync(new AuditLog(env.Tables, TimeProvider.System), studyId, 3);

        var (_, limited) = await GetAuditAsync($"/api/audit?studyId={studyId}&limit=2");
        var (_, whole) = await GetAuditAsync($"/api/audit?studyId={studyId}&limit=3");
        var (_, unfiltered) = await GetAuditAsync("/api/audit");

        limited.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).ShouldBe([1L, 2L]);
        limited.GetProperty("count").GetInt32().ShouldBe(2);
        limited.GetProperty("limit").GetInt32().ShouldBe(2);
        limited.GetProperty("truncated").GetBoolean().ShouldBeTrue();
        whole.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        unfiltered.GetProperty("limit").GetInt32().ShouldBe(AuditLog.DefaultLimit);
        unfiltered.GetProperty("count").GetInt32().ShouldBeLessThanOrEqualTo(AuditLog.DefaultLimit);
    }

    [Fact]
    public async Task A_study_a_request_and_the_whole_log_page_by_continuation_without_repeating_or_skipping_an_entry()
    {
        var studyId = NewStudyId();
        var requestId = $"DSR-20261206-{Guid.NewGuid().ToString("N")[..8].ToUpperInvariant()}";
        var log = new AuditLog(env.Tables, TimeProvider.System);
        await AppendAsync(log, studyId, 5);
        for (var n = 1; n <= 3; n++)
        {
            await log.AppendAsync(Event(studyId, requestId: requestId, n: 10 + n), TestContext.Current.CancellationToken);
            await log.AppendAsync(Event(NewStudyId(), requestId: requestId, n: 20 + n), TestContext.Current.CancellationToken);
        }

        // A study's chain: 8 entries, 3 pages of 3, in sequence order.
        var study = await AllPagesAsync($"/api/audit?studyId={studyId}&limit=3");
        study.Pages.ShouldBe(3);
        study.Entries.Select(e => e.GetProperty("sequence").GetInt64()).ShouldBe([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L]);

        // A request's entries across four chains, by time, 2 a page.
        var request = await AllPagesAsync($"/api/audit?requestId={requestId}&limit=2");
        request.Pages.ShouldBe(3);
        request.Entries.Select(e => e.GetProperty("details").GetProperty("n").GetString()).ShouldBe(["11", "21", "12", "22", "13", "23"]);

        // The whole log, chain by chain: every entry of the study once, and a continuation from another query is refused.
        var (_, first) = await GetAuditAsync("/api/audit?limit=200");
        var continuation = first.GetProperty("continuation").GetString();
        if (continuation is not null)
        {
            var (_, second) = await GetAuditAsync($"/api/audit?limit=200&continuation={continuation}");
            var keys = first.GetProperty("entries").EnumerateArray().Concat(second.GetProperty("entries").EnumerateArray())
                .Select(e => $"{e.GetProperty("chain").GetString()}#{e.GetProperty("sequence").GetInt64()}").ToList();
            keys.Distinct().Count().ShouldBe(keys.Count);
            using var foreign = await env.Http.SendAsync(Staff.Get($"/api/audit?studyId={studyId}&continuation={continuation}", Role.Dpo), TestContext.Current.CancellationToken);
            foreign.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        using var forged = await env.Http.SendAsync(Staff.Get("/api/audit?continuation=bm90LW91cnM", Role.Dpo), TestContext.Current.CancellationToken);
        forged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await forged.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetRawText().ShouldContain("continuation");
    }

    private async Task<(List<JsonElement> Entries, int Pages)> AllPagesAsync(string route)
    {
        var entries = new List<JsonElement>();
        var pages = 0;
        string? continuation = null;
        do
        {
            var (_, page) = await GetAuditAsync(continuation is null ? route : $"{route}&continuation={continuation}");
            entries.AddRange(page.GetProperty("entries").EnumerateArray());
            continuation = page.GetProperty("continuation").GetString();
            pages++;
        }
        while (continuation is not null && pages < 20);

        return (entries, pages);
    }

    [Fact]
    public async Task Verification_reports_chains_entries_and_problems_in_camel_case()
    {
        var studyId = NewStudyId();
        await AppendAsync(new AuditLog(env.Tables, TimeProvider.System), studyId, 2);

        using var response = await env.Http.SendAsync(Staff.Get("/api/audit/verify", Role.Dpo), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        result.GetProperty("chainsChecked").GetInt32().ShouldBeGreaterThanOrEqualTo(1);
        result.GetProperty("entriesChecked").GetInt64().ShouldBeGreaterThanOrEqualTo(2);
        var problems = result.GetProperty("problems").EnumerateArray().ToList();
        result.GetProperty("valid").GetBoolean().ShouldBe(problems.Count == 0);
        foreach (var problem in problems)
        {
            foreach (var field in new[] { "chain", "sequence", "kind", "detail" })
            {
                problem.TryGetProperty(field, out _).ShouldBeTrue($"a problem has no '{field}'");
            }
        }
    }

    private async Task<(string Text, JsonElement Page)> GetAuditAsync(string path)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, Role.Dpo), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (text, JsonSerializer.Deserialize<JsonElement>(text, Json));
    }
}
