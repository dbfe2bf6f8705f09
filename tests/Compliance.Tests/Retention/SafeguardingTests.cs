using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Retention;

/// <summary>
/// The safeguarding break-glass route: a researcher's disclosure is recorded with who, why, what and to whom, places a
/// safeguarding hold that keeps the material from deletion, gives the DPO a review task, and is audited without its words.
/// </summary>
public sealed class SafeguardingTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_disclosure_is_recorded_holds_the_material_and_asks_the_DPO_to_review_it()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", participantId);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");

        using var response = await PostAsync(new { studyId, scope = "participant", targetId = participantId, reason = "Spoke of self-harm plans", disclosed = "Name and phone number, the session date", recipient = "ons" }, Role.Researcher);

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var disclosureId = answer.GetProperty("disclosureId").GetString()!;
        var holdId = answer.GetProperty("holdId").GetString()!;

        var disclosure = (await new DisclosureStore(env.Tables).FindAsync(studyId, disclosureId, Ct))!;
        disclosure.Reason.ShouldBe("Spoke of self-harm plans");
        disclosure.WhatDisclosed.ShouldBe("Name and phone number, the session date");
        disclosure.Recipient.ShouldBe(DisclosureRecipient.Ons);
        disclosure.DisclosedBy.ShouldBe("staff-1");

        var hold = (await new HoldStore(env.Tables).ListActiveAsync(studyId, Ct)).ShouldHaveSingleItem();
        hold.HoldId.ShouldBe(holdId);
        hold.Kind.ShouldBe(HoldKind.Safeguarding);
        hold.Covers(studyId, sessionId, [participantId]).ShouldBeTrue();

        using (var tasks = await env.Http.SendAsync(Staff.Get($"/api/tasks?requestId={disclosureId}", Role.Dpo), Ct))
        {
            var task = (await tasks.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasks").EnumerateArray().ShouldHaveSingleItem();
            task.GetProperty("kind").GetString().ShouldBe(TaskKind.SafeguardingReview);
            task.GetProperty("assigneeRole").GetString().ShouldBe(Role.Dpo);
            using var done = await env.Http.SendAsync(Staff.PostJson($"/api/tasks/{task.GetProperty("taskId").GetString()}/complete", JsonSerializer.Serialize(new { outcome = TaskOutcome.Reviewed }), Role.Dpo), Ct);
            done.StatusCode.ShouldBe(HttpStatusCode.OK, "a review resumes no workflow, and needs none");
        }

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct);
        var entry = audit.Single(e => e.Action == AuditActions.SafeguardingDisclosure);
        entry.Actor.ShouldBe("staff-1");
        entry.Details["disclosureId"].ShouldBe(disclosureId);
        entry.Details["recipient"].ShouldBe(DisclosureRecipient.Ons);
        entry.Details["holdId"].ShouldBe(holdId);
        audit.ShouldContain(e => e.Action == AuditActions.HoldPlaced && e.Details["holdId"] == holdId);
        audit.ShouldNotContain(e => e.Details.Values.Any(v => v.Contains("harm", StringComparison.OrdinalIgnoreCase) || v.Contains("phone", StringComparison.OrdinalIgnoreCase)), "the why and what stay in the Disclosures table");

        // The record, words and all, for the DPO and the researchers; for no one else.
        foreach (var role in Role.ContactReaders)
        {
            using var list = await env.Http.SendAsync(Staff.Get($"/api/safeguarding?studyId={studyId}", role), Ct);
            list.StatusCode.ShouldBe(HttpStatusCode.OK);
            var record = (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("disclosures").EnumerateArray().ShouldHaveSingleItem();
            record.GetProperty("disclosureId").GetString().ShouldBe(disclosureId);
            record.GetProperty("reason").GetString().ShouldBe("Spoke of self-harm plans");
            record.GetProperty("recipient").GetString().ShouldBe(DisclosureRecipient.Ons);
            record.GetProperty("holdId").GetString().ShouldBe(holdId);
        }

        foreach (var role in new[] { Role.Admin, Role.OnsAnalyst, Role.Transcriber })
        {
            using var refused = await env.Http.SendAsync(Staff.Get($"/api/safeguarding?studyId={studyId}", role), Ct);
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using var noStudy = await env.Http.SendAsync(Staff.Get("/api/safeguarding", Role.Dpo), Ct);
        noStudy.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var unknown = await env.Http.SendAsync(Staff.Get("/api/safeguarding?studyId=NOSUCH0STUDY", Role.Dpo), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_researchers_record_disclosures_and_bad_input_is_named()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId);
        var body = new { studyId, scope = "participant", targetId = participantId, reason = "Risk of harm", disclosed = "Name", recipient = "police" };

        foreach (var role in new[] { Role.Dpo, Role.OnsAnalyst, Role.Transcriber, Role.Admin })
        {
            using var denied = await PostAsync(body, role);
            denied.StatusCode.ShouldBe(HttpStatusCode.Forbidden, role);
        }

        using (var anonymous = await env.Http.SendAsync(Staff.PostJson("/api/safeguarding", JsonSerializer.Serialize(body)), Ct))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using (var unknown = await PostAsync(body with { targetId = "P-NOSUCH00" }, Role.Researcher))
        {
            unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await unknown.Content.ReadAsStringAsync(Ct)).ShouldContain("targetId");
        }

        using (var other = await PostAsync(body with { recipient = "other" }, Role.Researcher))
        {
            other.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a recipient of 'other' must be named in recipientDetails");
            (await other.Content.ReadAsStringAsync(Ct)).ShouldContain("recipientDetails");
        }

        (await new HoldStore(env.Tables).ListActiveAsync(studyId, Ct)).ShouldBeEmpty("nothing refused placed a hold");
    }

    private Task<HttpResponseMessage> PostAsync(object body, string role) =>
        env.Http.SendAsync(Staff.PostJson("/api/safeguarding", JsonSerializer.Serialize(body), role), Ct);
}
