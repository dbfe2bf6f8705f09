using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Studies;

/// <summary>
/// <c>GET /api/studies</c>, <c>/participants</c> and <c>/sessions</c>, as the console reads them: contact details only to
/// the roles that may see them, no study screen for analysts or transcribers.
/// </summary>
public sealed class StudyMembersTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Participants_contact_details_go_only_to_researchers_and_the_DPO_and_sessions_list_their_material()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var email = $"m.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, "Mina Patel");
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, "interview", "2024-05-01", participantId);
        var artifactId = await StudyApi.UploadAsync(env.Http, studyId, sessionId, "recording", [9, 9, 9], "audio/wav");
        var path = $"/api/studies/{studyId}/participants";

        foreach (var role in Role.ContactReaders)
        {
            var seen = (await GetAsync(path, role)).GetProperty("participants").EnumerateArray().ShouldHaveSingleItem();
            seen.GetProperty("participantId").GetString().ShouldBe(participantId);
            seen.GetProperty("email").GetString().ShouldBe(email, role);
            seen.GetProperty("name").GetString().ShouldBe("Mina Patel");
        }

        using var byAdmin = await env.Http.SendAsync(Staff.Get(path, Role.Admin), Ct);
        var adminBody = await byAdmin.Content.ReadAsStringAsync(Ct);
        adminBody.ShouldContain(participantId);
        adminBody.ShouldNotContain(email);
        adminBody.ShouldNotContain("Mina");
        foreach (var role in new[] { Role.OnsAnalyst, Role.Transcriber })
        {
            foreach (var route in new[] { path, $"/api/studies/{studyId}/sessions" })
            {
                using var refused = await env.Http.SendAsync(Staff.Get(route, role), Ct);
                refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{role} {route}");
            }
        }

        // The list of studies holds no personal data: an analyst may pick a study from it; a transcriber has no use for it.
        using (var studies = await env.Http.SendAsync(Staff.Get("/api/studies", Role.Transcriber), Ct))
        {
            studies.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        var analystsList = await AllStudiesAsync(Role.OnsAnalyst);
        analystsList.Select(s => s.GetProperty("studyId").GetString()).ShouldContain(studyId);
        analystsList.ShouldAllBe(s => !s.GetRawText().Contains(participantId) && !s.GetRawText().Contains(email));

        var session = (await GetAsync($"/api/studies/{studyId}/sessions", Role.Researcher)).GetProperty("sessions").EnumerateArray().ShouldHaveSingleItem();
        session.GetProperty("session").GetProperty("sessionId").GetString().ShouldBe(sessionId);
        var artifact = session.GetProperty("artifacts").EnumerateArray().ShouldHaveSingleItem();
        artifact.GetProperty("artifactId").GetString().ShouldBe(artifactId);
        artifact.GetProperty("size").GetInt64().ShouldBe(3);
        var study = (await AllStudiesAsync(Role.Dpo)).Single(s => s.GetProperty("studyId").GetString() == studyId);
        study.GetProperty("deletionDate").ValueKind.ShouldBe(JsonValueKind.Null, "not yet published");
        study.GetProperty("due").GetBoolean().ShouldBeFalse();
    }

    /// <summary>Every study, page by page: the shared storage holds every test's studies.</summary>
    private async Task<List<JsonElement>> AllStudiesAsync(string role)
    {
        var all = new List<JsonElement>();
        string? continuation = null;
        do
        {
            var page = await GetAsync($"/api/studies?limit=200{(continuation is null ? "" : $"&continuation={Uri.EscapeDataString(continuation)}")}", role);
            all.AddRange(page.GetProperty("studies").EnumerateArray());
            continuation = page.GetProperty("continuation").GetString();
        }
        while (continuation is not null);

        return all;
    }

    private async Task<JsonElement> GetAsync(string path, string role)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, role), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{role} {path}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
