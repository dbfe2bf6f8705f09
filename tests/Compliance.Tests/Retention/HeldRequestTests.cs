using System.Net;
using System.Text.Json;
using Compliance.Audit;
using Compliance.SelfHost.Demo;
using Compliance.Functions.Requests;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Retention;

/// <summary>
/// A hold keeps what it covers from a request too: an erasure keeps a held participant's contact details (and stops
/// contacting them), a withdrawal keeps a held session's material, and the outcome email says so in plain words.
/// </summary>
public sealed class HeldRequestTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_erasure_keeps_the_contact_details_a_hold_covers_and_says_so()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var email = $"held.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, DemoData.People[0].Name);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@supplier.example");
        await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", supplierId, participantId);
        var holdId = await PlaceHoldAsync(studyId, HoldScope.Participant, participantId);

        var requestId = await api.SubmitConfirmedAsync(studyId, RequestType.EraseContact, email);
        await api.WaitForStatusAsync(requestId, RequestStatus.Completed);

        var participant = (await new StudyStore(env.Tables).FindParticipantAsync(studyId, participantId, Ct))!;
        participant.Email.ShouldBe(email, "the hold keeps the contact details");
        participant.DoNotContact.ShouldBeTrue("but the participant is not contacted again");
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain(RequestActivities.HeldNote);
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.ContactKeptForHold && e.Details["holds"] == holdId);
        audit.ShouldNotContain(e => e.Action == AuditActions.ContactErased);
        await api.WaitForWorkflowAsync(requestId);
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/DC-{requestId}", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, "the certificate is written as the workflow ends");
        var certificate = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        certificate.GetProperty("contactDetailsErased").EnumerateArray().ShouldBeEmpty();
        certificate.GetProperty("participantsHeld").EnumerateArray().Select(p => p.GetString()).ShouldBe([participantId]);
        certificate.GetProperty("recipientsTold").EnumerateArray().ShouldBeEmpty("the supplier keeps a held participant's contact details too");
        (await api.EmailKeysAsync(requestId)).ShouldNotContain($"supplier-notice-{supplierId}");
        certificate.GetProperty("verification").GetProperty("result").GetString().ShouldBe("passed");
    }

    [Fact]
    public async Task A_withdrawal_keeps_a_held_sessions_material_and_says_so()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var email = $"held.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, DemoData.People[0].Name);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@supplier.example");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", supplierId, participantId);
        var recording = await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, System.Text.Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        var access = await api.SubmitConfirmedAsync(studyId, RequestType.Access, email);
        await api.WaitForStatusAsync(access, RequestStatus.Completed);
        await PlaceHoldAsync(studyId, HoldScope.Session, sessionId);

        var requestId = await api.SubmitConfirmedAsync(studyId, RequestType.Withdraw, email);
        await api.CompleteTaskAsync(requestId, TaskKind.Approval, TaskOutcome.Approved);
        await api.WaitForStatusAsync(requestId, RequestStatus.Completed);

        (await new ArtifactStore(env.Tables, env.Blobs).FindAsync(studyId, recording, Ct)).ShouldNotBeNull("the held session's recording stays");
        (await env.Blobs.GetBlobContainerClient(Compliance.Storage.StorageLayout.Containers.Exports).GetBlobClient(Compliance.Access.AccessExportBuilder.PackageBlobName(studyId, access)).ExistsAsync(Ct)).Value
            .ShouldBeTrue("the access package holds the held session's transcript, so it stays too");
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain(RequestActivities.HeldNote);
        var deletion = (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct)).Single(e => e.Action == AuditActions.ResearchDataDeleted);
        deletion.Details["keptForHold"].Split('+').ShouldContain(recording);
        await api.WaitForWorkflowAsync(requestId);
        (await api.EmailKeysAsync(requestId)).ShouldNotContain($"supplier-notice-{supplierId}", "the supplier keeps its copies of a held session too");
    }

    [Fact]
    public async Task A_hold_on_the_whole_study_keeps_even_a_strangers_request_details_from_the_sweep()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var stranger = $"stranger.{Guid.NewGuid():N}@example.org";
        var query = await api.SubmitAsync(new { studyId, type = RequestType.Query, email = stranger, name = "Sam Stranger" });
        await api.CompleteTaskAsync(query, TaskKind.DpoReview, TaskOutcome.Resolved);
        await api.WaitForStatusAsync(query, RequestStatus.Completed);
        using (var publish = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", """{"publishedOn":"2024-09-30"}""", Role.Researcher), Ct))
        {
            publish.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        await PlaceHoldAsync(studyId, HoldScope.Study, studyId);

        using (var run = await env.Http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo), Ct))
        {
            run.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await Eventually.GetAsync(
            () => env.Durable.GetInstanceAsync(Compliance.Functions.Retention.RetentionSweepOrchestration.InstanceIdFor(studyId), Ct),
            i => i is { IsCompleted: true },
            because: "the sweep to finish");
        var request = await api.Store.GetAsync(query, Ct);
        request.RequesterEmail.ShouldBe(stranger, "a hold on the study keeps everything of it");
        request.RequesterName.ShouldBe("Sam Stranger");
    }

    private async Task<string> PlaceHoldAsync(string studyId, string scope, string targetId)
    {
        using var response = await env.Http.SendAsync(
            Staff.PostJson("/api/holds", JsonSerializer.Serialize(new { studyId, kind = HoldKind.Legal, scope, targetId, reason = "Litigation", reviewOn = "2099-01-01" }), Role.Dpo),
            Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("holdId").GetString()!;
    }
}
