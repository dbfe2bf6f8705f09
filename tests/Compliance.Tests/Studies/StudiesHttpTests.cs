using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Studies;
using Compliance.Storage;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Studies;

/// <summary>Registering studies, participants and sessions, and recording publication, over HTTP against Azurite.</summary>
public sealed class StudiesHttpTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_study_is_registered_with_its_policy_file_then_updated()
    {
        var studyId = StudyApi.NewStudyId();
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/studies/{studyId}")
        {
            Content = JsonContent.Create(new { title = "PSMPS follow-up", endOfDataCollection = "2024-08-30", policyFile = "mpati" }),
        };
        put.SignIn(Role.Admin);

        using var created = await env.Http.SendAsync(put, Ct);

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var view = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        view.GetProperty("policySource").GetString().ShouldBe("mpati");
        view.GetProperty("noticeVersion").GetString().ShouldBe("PSMPS-QUAL-2024");
        view.GetProperty("endOfDataCollection").GetString().ShouldBe("2024-08-30");

        using var again = new HttpRequestMessage(HttpMethod.Put, $"/api/studies/{studyId}")
        {
            Content = JsonContent.Create(new { title = "PSMPS follow-up", endOfDataCollection = "2024-08-30", analysisStartedOn = "2024-09-10", policyFile = "mpati" }),
        };
        again.SignIn(Role.Researcher);
        using var updated = await env.Http.SendAsync(again, Ct);

        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stored = await new StudyStore(env.Tables).FindStudyAsync(studyId, Ct);
        stored!.AnalysisStartedOn.ShouldBe(new DateOnly(2024, 9, 10));
        stored.PolicyText.ShouldContain("cutOff: 2024-09-02");
    }

    [Fact]
    public async Task An_inline_policy_is_validated_and_its_mistakes_named()
    {
        var policy = new YamlDotNet.Serialization.DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, object>>(File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml")));
        ((Dictionary<object, object>)policy["withdrawal"])["cutOff"] = "2 Sept";
        policy.Remove("ico");
        using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/studies/{StudyApi.NewStudyId()}")
        {
            Content = JsonContent.Create(new { title = "Inline", endOfDataCollection = "2024-08-30", policy }),
        };
        put.SignIn(Role.Admin);

        using var response = await env.Http.SendAsync(put, Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation")).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe(["policy.withdrawal.cutOff", "policy.ico"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_study_registered_with_its_policy_as_text_is_read_back_with_that_text_and_its_mistakes_are_named_by_field()
    {
        var yaml = File.ReadAllText(Path.Combine(Repository.Root, "policies", "mpati.yaml"));
        var studyId = StudyApi.NewStudyId();
        using var wrong = await env.Http.SendAsync(Put($"/api/studies/{studyId}", JsonSerializer.Serialize(new { title = "As text", endOfDataCollection = "2024-08-30", policyText = yaml.Replace("cutOff: 2024-09-02", "cutOff: 2 Sept", StringComparison.Ordinal) }), Role.Researcher), Ct);
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await RouteAuthorizationTests.ShouldBeProblemAsync(wrong, "validation")).GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["policy.withdrawal.cutOff"]);

        var changed = yaml.Replace("cutOff: 2024-09-02", "cutOff: 2024-10-01", StringComparison.Ordinal);
        using var put = await env.Http.SendAsync(Put($"/api/studies/{studyId}", JsonSerializer.Serialize(new { title = "As text", endOfDataCollection = "2024-08-30", policyText = changed }), Role.Researcher), Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync(Ct));

        foreach (var role in Role.RequestHandlers)
        {
            using var get = await env.Http.SendAsync(Staff.Get($"/api/studies/{studyId}", role), Ct);
            get.StatusCode.ShouldBe(HttpStatusCode.OK);
            var detail = await get.Content.ReadFromJsonAsync<JsonElement>(Ct);
            detail.GetProperty("study").GetProperty("policySource").GetString().ShouldBe("inline");
            detail.GetProperty("study").GetProperty("title").GetString().ShouldBe("As text");
            detail.GetProperty("policyText").GetString().ShouldBe(changed.Trim());
        }

        foreach (var role in new[] { Role.OnsAnalyst, Role.Transcriber })
        {
            using var refused = await env.Http.SendAsync(Staff.Get($"/api/studies/{studyId}", role), Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            using var files = await env.Http.SendAsync(Staff.Get("/api/policies", role), Ct);
            files.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using var unknown = await env.Http.SendAsync(Staff.Get("/api/studies/NOSUCH0STUDY", Role.Dpo), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var list = await env.Http.SendAsync(Staff.Get("/api/policies", Role.Researcher), Ct);
        var mpati = (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("policies").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "mpati");
        mpati.GetProperty("text").GetString().ShouldBe(yaml);
        mpati.GetProperty("noticeVersion").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData("""{"endOfDataCollection":"2024-08-30","policyFile":"mpati"}""", "title")]
    [InlineData("""{"title":"x","endOfDataCollection":"30/08/2024","policyFile":"mpati"}""", "endOfDataCollection")]
    [InlineData("""{"title":"x","endOfDataCollection":"2024-08-30","policyFile":"nope"}""", "policyFile")]
    [InlineData("""{"title":"x","endOfDataCollection":"2024-08-30"}""", "policy")]
    [InlineData("""{"title":"x","endOfDataCollection":"2024-08-30","policyFile":"mpati","policy":{}}""", "policy")]
    [InlineData("""{"title":"x","endOfDataCollection":"2024-08-30","policyFile":"mpati","policyText":"a: 1"}""", "policy")]
    [InlineData("""{"title":"x","endOfDataCollection":"2024-08-30","policyText":"a: [1"}""", "policy.(file)")]
    [InlineData("""{"title":"x","endOfDataCollection":"2024-08-30","policyFile":"mpati","owner":"me"}""", "owner")]
    public async Task A_bad_study_body_names_the_field(string body, string field)
    {
        using var response = await env.Http.SendAsync(Put($"/api/studies/{StudyApi.NewStudyId()}", body, Role.Admin), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation")).GetProperty("errors");
        errors.TryGetProperty(field, out _).ShouldBeTrue(errors.ToString());
    }

    [Theory]
    [InlineData("x' or true or ''='")]
    [InlineData("has space")]
    public async Task A_malformed_study_id_is_a_400_on_put_and_a_404_elsewhere(string id)
    {
        using var put = await env.Http.SendAsync(Put($"/api/studies/{Uri.EscapeDataString(id)}", """{"title":"x","endOfDataCollection":"2024-08-30","policyFile":"mpati"}""", Role.Admin), Ct);
        using var participant = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{Uri.EscapeDataString(id)}/participants", """{"name":"A","email":"a@example.org"}""", Role.Researcher), Ct);

        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        participant.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Participants_get_pseudonymous_ids_and_the_notice_version_and_are_matched_by_normalised_email()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var email = $"Jo.Bloggs.{Guid.NewGuid():N}@Example.ORG";

        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, "Jo Bloggs");
        using var duplicate = await env.Http.SendAsync(
            Staff.PostJson($"/api/studies/{studyId}/participants", JsonSerializer.Serialize(new { name = "Jo", email = "  " + email.ToLowerInvariant() }), Role.Researcher), Ct);

        PseudonymousId.IsWellFormed(participantId, PseudonymousId.Participant).ShouldBeTrue();
        duplicate.StatusCode.ShouldBe(HttpStatusCode.Conflict, "spaces are trimmed and case is ignored when matching");
        using var duplicateTrimmed = await env.Http.SendAsync(
            Staff.PostJson($"/api/studies/{studyId}/participants", JsonSerializer.Serialize(new { name = "Jo", email = email.ToUpperInvariant() }), Role.Researcher), Ct);
        duplicateTrimmed.StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var store = new StudyStore(env.Tables);
        var stored = await store.FindParticipantByEmailAsync(studyId, email.ToUpperInvariant(), Ct);
        stored!.ParticipantId.ShouldBe(participantId);
        stored.NoticeVersion.ShouldBe("PSMPS-QUAL-2024");
        stored.DoNotContact.ShouldBeFalse();
        (await store.FindParticipantByEmailAsync(studyId, "x' or true or ''='", Ct)).ShouldBeNull();
    }

    [Theory]
    [InlineData("""{"name":"A"}""", "email")]
    [InlineData("""{"name":"A","email":"not-an-address"}""", "email")]
    [InlineData("""{"email":"a@example.org"}""", "name")]
    [InlineData("""{"name":"A","email":"a@example.org","phone":"call me"}""", "phone")]
    public async Task A_bad_participant_names_the_field(string body, string field)
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);

        using var response = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/participants", body, Role.Researcher), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation")).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Sessions_are_checked_against_their_kind_and_the_study_participants()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var p1 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var p2 = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var otherStudy = await StudyApi.RegisterStudyAsync(env.Http);
        var stranger = await StudyApi.RegisterParticipantAsync(env.Http, otherStudy);

        var interview = await StudyApi.RegisterSessionAsync(env.Http, studyId, "interview", "2024-07-15", p1);
        var focusGroup = await StudyApi.RegisterSessionAsync(env.Http, studyId, "focus-group", "2024-07-22", p1, p2);

        (await new StudyStore(env.Tables).FindSessionAsync(studyId, focusGroup, Ct))!.ParticipantIds.ShouldBe([p1, p2]);
        PseudonymousId.IsWellFormed(interview, PseudonymousId.Session).ShouldBeTrue();
        foreach (var (body, field) in new[]
                 {
                     (JsonSerializer.Serialize(new { kind = "interview", date = "2024-07-15", participantIds = new[] { p1, p2 } }), "participantIds"),
                     (JsonSerializer.Serialize(new { kind = "focus-group", date = "2024-07-15", participantIds = new[] { p1 } }), "participantIds"),
                     (JsonSerializer.Serialize(new { kind = "interview", date = "2024-07-15", participantIds = new[] { stranger } }), "participantIds"),
                     (JsonSerializer.Serialize(new { kind = "seminar", date = "2024-07-15", participantIds = new[] { p1 } }), "kind"),
                     (JsonSerializer.Serialize(new { kind = "interview", date = "2999-01-01", participantIds = new[] { p1 } }), "date"),
                     (JsonSerializer.Serialize(new { kind = "interview", date = "2024-07-15", participantIds = new[] { "Jo Bloggs" } }), "participantIds"),
                 })
        {
            using var response = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions", body, Role.Researcher), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body);
            (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation")).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(body);
        }
    }

    [Fact]
    public async Task Publication_is_recorded_once_it_has_happened()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http, endOfDataCollection: "2024-08-30");

        using var future = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2999-01-01"}""", Role.Dpo), Ct);
        using var early = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2024-08-01"}""", Role.Dpo), Ct);
        using var ok = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2024-11-20"}""", Role.Researcher), Ct);

        future.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        early.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await new StudyStore(env.Tables).FindStudyAsync(studyId, Ct))!.PublishedOn.ShouldBe(new DateOnly(2024, 11, 20));
    }

    public static TheoryData<string, string, string[]> RoutesAndRoles => new()
    {
        { "PUT", "/api/studies/{study}", [Role.Admin, Role.Researcher] },
        { "POST", "/api/studies/{study}/participants", [Role.Researcher] },
        { "POST", "/api/studies/{study}/sessions", [Role.Researcher] },
        { "POST", "/api/studies/{study}/sessions/{session}/artifacts?kind=notes", [Role.Researcher] },
        { "POST", "/api/studies/{study}/publication", [Role.Researcher, Role.Dpo] },
    };

    [Theory]
    [MemberData(nameof(RoutesAndRoles))]
    public async Task Every_study_route_admits_its_roles_only(string method, string template, string[] allowed)
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var session = await StudyApi.RegisterSessionAsync(env.Http, studyId, "interview", "2024-07-15", participant);
        var path = template.Replace("{study}", studyId, StringComparison.Ordinal).Replace("{session}", session, StringComparison.Ordinal);

        foreach (var role in Role.All.Append(null))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
            if (role is not null)
            {
                request.SignIn(role);
            }

            using var response = await env.Http.SendAsync(request, Ct);

            if (role is null)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{method} {template} without a principal");
            }
            else if (allowed.Contains(role))
            {
                response.StatusCode.ShouldNotBeOneOf([HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden], $"{method} {template} as {role}");
            }
            else
            {
                response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {template} as {role}");
            }
        }
    }

    private static HttpRequestMessage Put(string path, string json, string role)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.SignIn(role);
        return request;
    }
}
