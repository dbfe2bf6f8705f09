using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.SelfHost.Demo;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Anonymisation;

/// <summary>
/// The anonymised copies ONS analysts read: a researcher prepares a session's, analysts list and read them, and nothing
/// else (a raw transcript by its id, a recording, contact details) comes out of these routes.
/// </summary>
public sealed class AnalystTranscriptTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_researcher_anonymises_a_focus_group_and_an_analyst_reads_it_without_any_participants_details()
    {
        var (studyId, sessionId, transcriptId, people) = await FocusGroupAsync();

        using var prepare = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions/{sessionId}/anonymised-transcript", "{}", Role.Researcher), Ct);
        prepare.StatusCode.ShouldBe(HttpStatusCode.Created, await prepare.Content.ReadAsStringAsync(Ct));
        var prepared = await prepare.Content.ReadFromJsonAsync<JsonElement>(Ct);
        prepared.GetProperty("sourceArtifactId").GetString().ShouldBe(transcriptId);
        prepared.GetProperty("removals").GetProperty("Phone").GetInt32().ShouldBe(1);
        prepared.GetProperty("turnsKept").GetInt32().ShouldBe(8, "a whole session keeps every turn, the moderator's too");
        var copyId = prepared.GetProperty("transcript").GetProperty("artifactId").GetString()!;

        var list = await GetJsonAsync($"/api/anonymised-transcripts?studyId={studyId}", Role.OnsAnalyst);
        var listed = list.GetProperty("transcripts").EnumerateArray().ShouldHaveSingleItem();
        listed.GetProperty("artifactId").GetString().ShouldBe(copyId);
        listed.GetProperty("sessionKind").GetString().ShouldBe(SessionKind.FocusGroup);
        listed.TryGetProperty("participantIds", out _).ShouldBeFalse("analysts need no participant ids");

        using var read = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts/{studyId}/{copyId}", Role.OnsAnalyst), Ct);
        read.StatusCode.ShouldBe(HttpStatusCode.OK);
        read.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        var text = await read.Content.ReadAsStringAsync(Ct);
        text.ShouldContain("Clear goals.");
        text.ShouldContain("Training matters more than anything.");
        foreach (var (name, email, phone) in people)
        {
            foreach (var part in name.Split(' '))
            {
                text.ShouldNotContain(part, Case.Insensitive);
            }

            text.ShouldNotContain(email, Case.Insensitive);
            text.ShouldNotContain(phone);
        }

        var audit = (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct)).Single(e => e.Action == AuditActions.TranscriptAnonymised);
        audit.Details["sourceArtifactId"].ShouldBe(transcriptId);
        audit.Details["artifactId"].ShouldBe(copyId);
        audit.Actor.ShouldBe("staff-1");

        // The raw transcript is not served by the analysts' route, whoever asks.
        foreach (var role in Role.AnonymisedReaders)
        {
            using var raw = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts/{studyId}/{transcriptId}", role), Ct);
            raw.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }

        // Preparing again replaces the copy: one per session, the earlier one gone.
        using var again = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions/{sessionId}/anonymised-transcript", "{}", Role.Researcher), Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("replaced").GetInt32().ShouldBe(1);
        (await GetJsonAsync($"/api/anonymised-transcripts?studyId={studyId}", Role.OnsAnalyst)).GetProperty("transcripts").EnumerateArray().ShouldHaveSingleItem()
            .GetProperty("artifactId").GetString().ShouldNotBe(copyId);
        using var old = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts/{studyId}/{copyId}", Role.OnsAnalyst), Ct);
        old.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(Role.Dpo)]
    [InlineData(Role.OnsAnalyst)]
    [InlineData(Role.Admin)]
    [InlineData(Role.Transcriber)]
    public async Task Only_a_researcher_prepares_an_analysts_copy(string role)
    {
        var (studyId, sessionId, _, _) = await FocusGroupAsync();
        using var response = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions/{sessionId}/anonymised-transcript", "{}", role), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData(Role.Admin)]
    [InlineData(Role.Transcriber)]
    [InlineData(null)]
    public async Task Roles_without_anonymised_material_are_refused_the_list_and_the_text(string? role)
    {
        using var list = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts?studyId={TestEnvironment.StudyId}", role), Ct);
        using var read = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts/{TestEnvironment.StudyId}/A-00000000", role), Ct);
        var expected = role is null ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
        list.StatusCode.ShouldBe(expected);
        read.StatusCode.ShouldBe(expected);
    }

    [Fact]
    public async Task Bad_parameters_unknown_studies_and_sessions_without_a_transcript_are_answered_plainly()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", participant);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");

        using var noTranscript = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions/{sessionId}/anonymised-transcript", "{}", Role.Researcher), Ct);
        noTranscript.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await noTranscript.Content.ReadAsStringAsync(Ct)).ShouldContain("no-transcript");
        using var noSession = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/sessions/S-00000000/anonymised-transcript", "{}", Role.Researcher), Ct);
        noSession.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var missing = await env.Http.SendAsync(Staff.Get("/api/anonymised-transcripts", Role.OnsAnalyst), Ct);
        missing.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await missing.Content.ReadAsStringAsync(Ct)).ShouldContain("studyId");
        using var unknown = await env.Http.SendAsync(Staff.Get("/api/anonymised-transcripts?studyId=NOSUCHSTUDY", Role.OnsAnalyst), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var misspelt = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts?studyId={studyId}&study=x", Role.OnsAnalyst), Ct);
        misspelt.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var notAnId = await env.Http.SendAsync(Staff.Get($"/api/anonymised-transcripts/{studyId}/..%2Fx", Role.OnsAnalyst), Ct);
        notAnId.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await GetJsonAsync($"/api/anonymised-transcripts?studyId={studyId}", Role.OnsAnalyst)).GetProperty("transcripts").GetArrayLength().ShouldBe(0);
    }

    /// <summary>A study of its own with the demo focus group: three participants with phones, its transcript uploaded.</summary>
    private async Task<(string StudyId, string SessionId, string TranscriptId, IReadOnlyList<(string Name, string Email, string Phone)> People)> FocusGroupAsync()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var people = DemoData.People.Skip(1).ToList();
        var ids = new List<string>();
        foreach (var (name, email, phone) in people)
        {
            using var post = Staff.PostJson($"/api/studies/{studyId}/participants", JsonSerializer.Serialize(new { name, email, phone }), Role.Researcher);
            using var response = await env.Http.SendAsync(post, Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Created);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("participantId").GetString()!);
        }

        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.FocusGroup, "2024-07-12", [.. ids]);
        var transcriptId = await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.FocusGroupTranscript), "text/plain");
        return (studyId, sessionId, transcriptId, people);
    }

    private async Task<JsonElement> GetJsonAsync(string path, string role)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, role), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
