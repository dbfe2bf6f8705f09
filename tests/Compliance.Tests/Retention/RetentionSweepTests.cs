using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using Compliance.Audit;
using Compliance.SelfHost.Demo;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Retention;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Retention;

/// <summary>
/// Retention sweeps against Azurite and the engine: a study past its deletion date is swept completely (snapshots, exports,
/// mail and contact details included) and certified; a study before it is untouched; holds keep what they cover until
/// they are lifted; a second sweep deletes nothing twice; another study whose id starts the same is untouched.
/// </summary>
public sealed class RetentionSweepTests(TestEnvironment env)
{
    private const string LongAgo = "2024-07-10";
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_study_past_its_deletion_date_is_swept_completely_and_certified_without_personal_data()
    {
        var study = await StudyWithMaterialAsync();
        var snapshot = await env.Blobs.GetBlobContainerClient(StorageLayout.Containers.Recordings).GetBlobClient(study.RecordingBlob).CreateSnapshotAsync(cancellationToken: Ct);
        var api = new RequestApi(env);
        var requestId = await api.SubmitAsync(new { studyId = study.StudyId, type = "query", email = study.Email, name = DemoData.People[0].Name });
        await api.EmailAsync(requestId, "acknowledgement");
        await api.CompleteTaskAsync(requestId, Compliance.Tasks.TaskKind.DpoReview, Compliance.Tasks.TaskOutcome.Resolved);
        await api.WaitForStatusAsync(requestId, RequestStatus.Completed);
        await PublishAsync(study.StudyId, "2024-09-30");

        var result = await SweepAsync(study.StudyId);

        result.Outcome.ShouldBe("swept");
        result.StillPresent.ShouldBe(0);
        foreach (var container in RetentionInventoryBuilder.StudyContainers)
        {
            (await ListAsync(container, study.StudyId + "/")).ShouldBeEmpty($"{container} holds nothing of the study");
        }

        (await ListAsync(StorageLayout.Containers.MailOutbox, $"requests/{requestId}/")).ShouldBeEmpty("the study's mail goes too");
        var participant = (await new StudyStore(env.Tables).FindParticipantAsync(study.StudyId, study.ParticipantId, Ct))!;
        participant.Email.ShouldBeNull();
        participant.Name.ShouldBeNull();
        var request = await api.Store.GetAsync(requestId, Ct);
        request.RequesterEmail.ShouldBeEmpty("the request's copy of the address goes too");
        request.RequesterName.ShouldBeNull();
        request.Status.ShouldBe(RequestStatus.Completed, "the record of how it was handled stays");
        (await new ArtifactStore(env.Tables, env.Blobs).ListByStudyAsync(study.StudyId, Ct)).ShouldBeEmpty("the index goes with the blobs");

        var certificate = await CertificateAsync(result.CertificateId!);
        certificate.GetProperty("verification").GetProperty("result").GetString().ShouldBe("passed");
        var items = certificate.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("container").GetString()}/{i.GetProperty("blobName").GetString()}#{i.GetProperty("snapshot").GetString()}").ToList();
        items.ShouldBeUnique("each deleted item once");
        items.ShouldContain($"{StorageLayout.Containers.Recordings}/{study.RecordingBlob}#{snapshot.Value.Snapshot}");
        items.ShouldContain($"{StorageLayout.Containers.Recordings}/{study.RecordingBlob}#");
        items.ShouldContain(i => i.StartsWith(StorageLayout.Containers.MailOutbox + "/", StringComparison.Ordinal));
        certificate.GetProperty("contactDetailsErased").EnumerateArray().Select(p => p.GetString()).ShouldContain(study.ParticipantId);
        certificate.GetProperty("authority").GetProperty("rule").GetString()!.ShouldContain("3 months");
        var text = await CertificateTextAsync(result.CertificateId!);
        text.ShouldContain("DELETION CERTIFICATE");
        text.ShouldContain(study.RecordingBlob);
        foreach (var personal in new[] { study.Email, DemoData.People[0].Name })
        {
            certificate.GetRawText().ShouldNotContain(personal);
            text.ShouldNotContain(personal);
        }

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, study.StudyId, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.RetentionSwept && e.Details["sweepId"] == result.CertificateId);
        audit.ShouldContain(e => e.Action == AuditActions.CertificateIssued && e.Details["certificateId"] == result.CertificateId);
    }

    [Fact]
    public async Task A_study_before_its_deletion_date_or_without_a_publication_date_is_untouched()
    {
        var study = await StudyWithMaterialAsync();

        (await RunAsync(study.StudyId)).GetProperty("reason").GetString().ShouldBe("no-publication-date");
        await PublishAsync(study.StudyId, DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var run = await RunAsync(study.StudyId);

        run.GetProperty("started").GetBoolean().ShouldBeFalse();
        run.GetProperty("reason").GetString().ShouldBe("not-due");
        (await ListAsync(StorageLayout.Containers.Recordings, study.StudyId + "/")).ShouldNotBeEmpty();
        var plan = await PlanAsync(study.StudyId);
        plan.GetProperty("due").GetBoolean().ShouldBeFalse();
        plan.GetProperty("deletionDate").GetString().ShouldBe(DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        plan.GetProperty("items").EnumerateArray().ShouldContain(i => i.GetProperty("name").GetString() == study.RecordingBlob);
    }

    [Fact]
    public async Task Held_material_survives_a_sweep_and_goes_in_the_next_one_after_the_hold_is_lifted()
    {
        var study = await StudyWithMaterialAsync();
        var otherParticipant = await StudyApi.RegisterParticipantAsync(env.Http, study.StudyId, $"other.{Guid.NewGuid():N}@example.org", "Other Person");
        var otherSession = await StudyApi.RegisterSessionAsync(env.Http, study.StudyId, SessionKind.Interview, LongAgo, otherParticipant);
        await StudyApi.UploadAsync(env.Http, study.StudyId, otherSession, ArtifactKind.Recording, [7, 8, 9], "audio/wav");
        var access = await new RequestApi(env).SubmitConfirmedAsync(study.StudyId, "access", study.Email);
        await new RequestApi(env).WaitForStatusAsync(access, RequestStatus.Completed);
        await PublishAsync(study.StudyId, "2024-09-30");
        var hold = await PlaceHoldAsync(new { studyId = study.StudyId, kind = HoldKind.Legal, scope = HoldScope.Participant, targetId = study.ParticipantId, reason = "Court order 2026/114", reviewOn = "2027-01-31" });

        var plan = await PlanAsync(study.StudyId);
        plan.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("name").GetString() == study.RecordingBlob)
            .ShouldAllBe(i => i.GetProperty("deletionDate").ValueKind == JsonValueKind.Null && i.GetProperty("heldBy")[0].GetString() == hold);
        var first = await SweepAsync(study.StudyId);

        (await ListAsync(StorageLayout.Containers.Recordings, $"{study.StudyId}/{study.SessionId}/")).ShouldNotBeEmpty("the held participant's material stays");
        (await ListAsync(StorageLayout.Containers.Recordings, $"{study.StudyId}/{otherSession}/")).ShouldBeEmpty("what no hold covers goes");
        (await ListAsync(StorageLayout.Containers.Exports, $"{study.StudyId}/{access}/")).ShouldNotBeEmpty("the held participant's access package stays too");
        (await new StudyStore(env.Tables).FindParticipantAsync(study.StudyId, study.ParticipantId, Ct))!.Email.ShouldBe(study.Email, "a participant hold keeps the contact details too");
        var firstCertificate = await CertificateAsync(first.CertificateId!);
        firstCertificate.GetProperty("heldBack").EnumerateArray().ShouldContain(h => h.GetProperty("holdId").GetString() == hold && h.GetProperty("blobs").GetInt32() >= 2);

        using (var lift = await env.Http.SendAsync(Delete($"/api/holds/{hold}"), Ct))
        {
            lift.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var second = await SweepAsync(study.StudyId);

        (await ListAsync(StorageLayout.Containers.Recordings, study.StudyId + "/")).ShouldBeEmpty();
        (await ListAsync(StorageLayout.Containers.Exports, study.StudyId + "/")).ShouldBeEmpty();
        var secondItems = (await CertificateAsync(second.CertificateId!)).GetProperty("items").EnumerateArray().Select(Key).ToList();
        secondItems.ShouldContain($"{StorageLayout.Containers.Recordings}/{study.RecordingBlob}#");
        secondItems.Intersect(firstCertificate.GetProperty("items").EnumerateArray().Select(Key)).ShouldBeEmpty("nothing is deleted twice");
        (await new StudyStore(env.Tables).FindParticipantAsync(study.StudyId, study.ParticipantId, Ct))!.Email.ShouldBeNull();
    }

    [Fact]
    public async Task A_second_sweep_deletes_nothing_twice()
    {
        var study = await StudyWithMaterialAsync();
        await PublishAsync(study.StudyId, "2024-09-30");

        var first = await SweepAsync(study.StudyId);
        var second = await SweepAsync(study.StudyId);

        first.Deleted.ShouldBeGreaterThan(0);
        second.Deleted.ShouldBe(0);
        second.CertificateId.ShouldNotBe(first.CertificateId, "each sweep has a certificate of its own; none is overwritten");
        (await CertificateAsync(second.CertificateId!)).GetProperty("items").GetArrayLength().ShouldBe(0);

        // The study's certificates, newest first, one listing read; one written before summaries were kept as metadata is
        // read whole. Other studies' certificates are not in it, and only the DPO may list them.
        var legacyId = $"DC-LEGACY-{Guid.NewGuid():N}";
        var legacy = System.Text.Json.Nodes.JsonNode.Parse((await CertificateAsync(first.CertificateId!)).GetRawText())!;
        legacy["certificateId"] = legacyId;
        legacy["completedAt"] = "2024-01-01T00:00:00+00:00";
        await env.Blobs.GetBlobContainerClient(StorageLayout.Containers.Certificates).GetBlobClient($"{legacyId}.json").UploadAsync(BinaryData.FromString(legacy.ToJsonString()), Ct);
        using (var list = await env.Http.SendAsync(Staff.Get($"/api/certificates?studyId={study.StudyId}", Role.Dpo), Ct))
        {
            list.StatusCode.ShouldBe(HttpStatusCode.OK);
            var listed = (await list.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("certificates").EnumerateArray().ToList();
            listed.Select(c => c.GetProperty("certificateId").GetString()).ShouldBe([second.CertificateId, first.CertificateId, legacyId]);
            listed[1].GetProperty("items").GetInt32().ShouldBe(first.Deleted);
            listed[1].GetProperty("kind").GetString().ShouldBe("retention");
            listed[2].GetProperty("items").GetInt32().ShouldBe(first.Deleted);
        }

        using var refused = await env.Http.SendAsync(Staff.Get($"/api/certificates?studyId={study.StudyId}", Role.Researcher), Ct);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var unknown = await env.Http.SendAsync(Staff.Get("/api/certificates?studyId=NOSUCH0STUDY", Role.Dpo), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_studys_blobs_whose_names_start_the_same_are_untouched()
    {
        var study = await StudyWithMaterialAsync();
        var neighbour = await StudyApi.RegisterStudyAsync(env.Http, study.StudyId + "X");
        var neighbourParticipant = await StudyApi.RegisterParticipantAsync(env.Http, neighbour, $"n.{Guid.NewGuid():N}@example.org", "Neighbour");
        var neighbourSession = await StudyApi.RegisterSessionAsync(env.Http, neighbour, SessionKind.Interview, LongAgo, neighbourParticipant);
        await StudyApi.UploadAsync(env.Http, neighbour, neighbourSession, ArtifactKind.Recording, [1, 1, 1], "audio/wav");
        await PublishAsync(study.StudyId, "2024-09-30");

        await SweepAsync(study.StudyId);

        (await ListAsync(StorageLayout.Containers.Recordings, study.StudyId + "/")).ShouldBeEmpty();
        (await ListAsync(StorageLayout.Containers.Recordings, neighbour + "/")).ShouldHaveSingleItem();
        (await new StudyStore(env.Tables).FindParticipantAsync(neighbour, neighbourParticipant, Ct))!.Email.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_sweep_killed_midway_resumes_after_a_restart_and_certifies_every_item_exactly_once()
    {
        // A study of 240 recordings, swept 2 blobs to an activity, one batch at a time, by a self-host process: 120 batches
        // in a row, so the sweep is still far from done when the first batch's blobs are gone.
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var recordings = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.Recordings);
        var names = Enumerable.Range(0, 240).Select(i => $"{studyId}/S-KILL{i / 20:D4}/A-{i:D6}.wav").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = Ct }, async (name, ct) => await recordings.GetBlobClient(name).UploadAsync(new BinaryData(new byte[] { 1, 2, 3 }), ct));
        await PublishAsync(studyId, "2024-09-30");
        var taskHub = TestEnvironment.NewTaskHubName();
        var settings = new Dictionary<string, string> { ["Retention__BatchSize"] = "2", ["Retention__MaxParallelBatches"] = "1", ["Retention__MaxParallelDeletesPerBatch"] = "1" };

        var first = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub, settings);
        int leftAtKill;
        try
        {
            using var http = TestEnvironment.ClientFor(first.BaseAddress);
            using var run = await http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo), Ct);
            run.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            // Batches go in inventory (name) order: the first name's absence is the earliest sign of deleting, and one
            // request to notice (listing all 240 after every poll could miss the whole sweep on a fast machine).
            var firstBlob = recordings.GetBlobClient(names.Min(StringComparer.Ordinal));
            await Eventually.GetAsync(async () => (await firstBlob.ExistsAsync(Ct)).Value, exists => !exists, TimeSpan.FromSeconds(60), "the sweep to start deleting");
            await first.KillAsync();
            leftAtKill = (await ListAsync(StorageLayout.Containers.Recordings, studyId + "/")).Count;
        }
        finally
        {
            await first.DisposeAsync();
        }

        leftAtKill.ShouldBeGreaterThan(0, "the host should have been killed with blobs left to delete");
        await using var second = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub, settings);
        var instances = env.Tables.GetTableClient(taskHub + "Instances");
        var output = await Eventually.GetAsync(
            async () => (await instances.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(RetentionSweepOrchestration.InstanceIdFor(studyId), string.Empty, cancellationToken: Ct)) is { HasValue: true } row && row.Value!.GetString("RuntimeStatus") == "Completed" ? row.Value.GetString("Output") : null,
            o => o is not null,
            TimeSpan.FromMinutes(2),
            "the sweep to finish after the restart");

        var result = JsonSerializer.Deserialize<RetentionSweepResult>(output!, WebJson)!;
        (await ListAsync(StorageLayout.Containers.Recordings, studyId + "/")).ShouldBeEmpty();
        var items = (await CertificateAsync(result.CertificateId!)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("blobName").GetString()!).ToList();
        items.Order(StringComparer.Ordinal).ShouldBe(names.Order(StringComparer.Ordinal), "every item once, those deleted before the kill included");
        (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct)).Where(e => e.Action == AuditActions.RetentionSweepStarted)
            .Select(e => $"{e.Details["sweepId"]} at {e.At:O}").ShouldHaveSingleItem("one inventory, taken once");
    }

    [Fact]
    public async Task Holds_are_the_DPOs_to_place_and_lift_and_are_checked()
    {
        var study = await StudyWithMaterialAsync();
        var body = new { studyId = study.StudyId, kind = HoldKind.Safeguarding, scope = HoldScope.Session, targetId = study.SessionId, reason = "Disclosure under review", reviewOn = "2027-03-01" };

        using (var researcher = await env.Http.SendAsync(Staff.PostJson("/api/holds", JsonSerializer.Serialize(body), Role.Researcher), Ct))
        {
            researcher.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using (var badTarget = await env.Http.SendAsync(Staff.PostJson("/api/holds", JsonSerializer.Serialize(body with { targetId = "S-NOSUCH00" }), Role.Dpo), Ct))
        {
            badTarget.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await badTarget.Content.ReadAsStringAsync(Ct)).ShouldContain("targetId");
        }

        using (var badKind = await env.Http.SendAsync(Staff.PostJson("/api/holds", JsonSerializer.Serialize(body with { kind = "forever" }), Role.Dpo), Ct))
        {
            badKind.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        var hold = await PlaceHoldAsync(body);
        using (var lift = await env.Http.SendAsync(Delete($"/api/holds/{hold}"), Ct))
        {
            lift.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        using (var again = await env.Http.SendAsync(Delete($"/api/holds/{hold}"), Ct))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, study.StudyId, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.HoldPlaced && e.Details["holdId"] == hold && e.Details["targetId"] == study.SessionId);
        audit.ShouldContain(e => e.Action == AuditActions.HoldReleased && e.Details["holdId"] == hold);
        audit.ShouldNotContain(e => e.Details.Values.Any(v => v.Contains("Disclosure", StringComparison.Ordinal)), "the reason stays in the Holds table");
    }

    [Fact]
    public async Task A_sweep_tells_each_supplier_of_its_swept_sessions_waits_for_the_confirmation_and_certifies_it()
    {
        // Two suppliers transcribed a session each; a hold keeps the second session, so its supplier keeps its copies too.
        var (studyId, told, toldSession) = await StudyWithSupplierSessionAsync(ConfirmationTime.PolicyDefault);
        var held = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, held, "deletions@held.example");
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId, $"h.{Guid.NewGuid():N}@example.org");
        var heldSession = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, LongAgo, held, participant);
        await StudyApi.UploadAsync(env.Http, studyId, heldSession, ArtifactKind.Recording, [4, 5, 6], "audio/wav");
        await PlaceHoldAsync(new { studyId, kind = HoldKind.Legal, scope = HoldScope.Session, targetId = heldSession, reason = "Claim pending", reviewOn = "2027-03-01" });
        await PublishAsync(studyId, "2024-09-30");

        // Act 1: the sweep deletes, tells the supplier, and waits.
        (await RunAsync(studyId)).GetProperty("started").GetBoolean().ShouldBeTrue();
        var instanceId = RetentionSweepOrchestration.InstanceIdFor(studyId);
        var task = (await Eventually.GetAsync(() => OpenTasksAsync(instanceId), t => t.Count > 0, because: "the supplier's confirmation task")).ShouldHaveSingleItem();
        var waiting = await Eventually.GetAsync(() => env.Durable.GetInstanceAsync(instanceId, true, Ct), i => i?.SerializedCustomStatus?.Contains("awaiting-supplier-confirmations", StringComparison.Ordinal) == true, because: "the sweep to wait for the confirmation");

        // Assert 1: one notice, to the swept session's supplier, naming that session only; the workflow waits.
        waiting!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Running);
        task.GetProperty("kind").GetString().ShouldBe("supplier-confirmation");
        task.GetProperty("assigneeRole").GetString().ShouldBe(Role.Dpo);
        var taskId = task.GetProperty("taskId").GetString()!;
        var sweepId = taskId[..taskId.IndexOf('.', StringComparison.Ordinal)];
        var outbox = new Outbox(env.Blobs);
        (await outbox.ListAsync($"suppliers/{held}/", Ct)).ShouldBeEmpty("a held session's supplier keeps its copies");
        var notice = await outbox.ReadAsync((await outbox.ListAsync($"suppliers/{told}/", Ct)).ShouldHaveSingleItem(), Ct);
        notice.To.Mailboxes.Single().Address.ShouldBe("deletions@told.example");
        notice.Subject!.ShouldContain(sweepId);
        notice.TextBody!.ShouldContain(toldSession);
        notice.TextBody!.ShouldNotContain(heldSession);
        (await ListAsync(StorageLayout.Containers.Recordings, $"{studyId}/{toldSession}/")).ShouldBeEmpty("the supplier is told once our copies are gone");

        // Act 2: the DPO records the supplier's confirmation.
        using (var complete = await env.Http.SendAsync(Staff.PostJson($"/api/tasks/{taskId}/complete", """{"outcome":"confirmed"}""", Role.Dpo), Ct))
        {
            complete.StatusCode.ShouldBe(HttpStatusCode.OK, await complete.Content.ReadAsStringAsync(Ct));
        }

        // Assert 2: the sweep finishes and its certificate names the supplier and the confirmation.
        var done = await Eventually.GetAsync(() => env.Durable.GetInstanceAsync(instanceId, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the sweep to finish");
        var result = done!.ReadOutputAs<RetentionSweepResult>()!;
        result.CertificateId.ShouldBe(sweepId);
        var recipients = (await CertificateAsync(sweepId)).GetProperty("recipientsTold").EnumerateArray().Select(r => r.GetString()!).ToList();
        recipients.ShouldHaveSingleItem().ShouldStartWith($"{told}: told, confirmed 20");
        (await CertificateTextAsync(sweepId)).ShouldContain($"{told}: told, confirmed");
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(null, studyId, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.SupplierNotified && e.Details["supplierId"] == told && e.Details["sessions"] == toldSession);
        audit.ShouldNotContain(e => e.Action == AuditActions.SupplierNotified && e.Details["supplierId"] == held);
        audit.ShouldContain(e => e.Action == AuditActions.TaskCompleted && e.Details["taskId"] == taskId);
    }

    [Fact]
    public async Task A_supplier_that_does_not_confirm_in_the_policys_time_is_certified_as_told_and_not_confirmed_and_its_task_stays_open()
    {
        var (studyId, supplier, _) = await StudyWithSupplierSessionAsync(ConfirmationTime.TwoSeconds);
        await PublishAsync(studyId, "2024-09-30");

        var result = await SweepAsync(studyId);

        var recipients = (await CertificateAsync(result.CertificateId!)).GetProperty("recipientsTold").EnumerateArray().Select(r => r.GetString()).ToList();
        recipients.ShouldBe([$"{supplier}: told, not confirmed"]);
        var task = (await OpenTasksAsync(RetentionSweepOrchestration.InstanceIdFor(studyId))).ShouldHaveSingleItem();
        using var late = await env.Http.SendAsync(Staff.PostJson($"/api/tasks/{task.GetProperty("taskId").GetString()}/complete", """{"outcome":"confirmed"}""", Role.Dpo), Ct);
        late.StatusCode.ShouldBe(HttpStatusCode.OK, "a confirmation that comes late is still recorded (and audited)");
    }

    private enum ConfirmationTime
    {
        PolicyDefault,
        TwoSeconds,
    }

    /// <summary>A study with one interview, transcribed by a supplier of its own, with a recording.</summary>
    private async Task<(string StudyId, string SupplierId, string SessionId)> StudyWithSupplierSessionAsync(ConfirmationTime confirmation)
    {
        var studyId = confirmation == ConfirmationTime.TwoSeconds
            ? await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("confirmDeletionWithin: 30 days", "confirmDeletionWithin: 2 seconds"))
            : await StudyApi.RegisterStudyAsync(env.Http);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@told.example");
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId, $"t.{Guid.NewGuid():N}@example.org");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, LongAgo, supplierId, participant);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        return (studyId, supplierId, sessionId);
    }

    private async Task<List<JsonElement>> OpenTasksAsync(string workflowId)
    {
        using var response = await env.Http.SendAsync(Staff.Get($"/api/tasks?requestId={workflowId}", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasks").EnumerateArray()];
    }

    private static string Key(JsonElement item) => $"{item.GetProperty("container").GetString()}/{item.GetProperty("blobName").GetString()}#{item.GetProperty("snapshot").GetString()}";

    private async Task<TestStudy> StudyWithMaterialAsync()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var email = $"ret.{Guid.NewGuid():N}@example.org";
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, DemoData.People[0].Name);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, LongAgo, participantId);
        var recording = await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Notes, Encoding.UTF8.GetBytes("Notes of the interview."), "text/plain");
        var artifact = (await new ArtifactStore(env.Tables, env.Blobs).FindAsync(studyId, recording, Ct))!;
        return new TestStudy(studyId, participantId, email, sessionId, artifact.BlobName);
    }

    private async Task PublishAsync(string studyId, string publishedOn)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson($"/api/studies/{studyId}/publication", JsonSerializer.Serialize(new { publishedOn }), Role.Researcher), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    private async Task<JsonElement> RunAsync(string studyId)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("sweeps").EnumerateArray().Single();
    }

    /// <summary>Runs the study's sweep through the route and waits for its workflow to finish.</summary>
    private async Task<RetentionSweepResult> SweepAsync(string studyId)
    {
        var instanceId = RetentionSweepOrchestration.InstanceIdFor(studyId);
        var previous = await env.Durable.GetInstanceAsync(instanceId, false, Ct);
        var run = await RunAsync(studyId);
        run.GetProperty("started").GetBoolean().ShouldBeTrue(run.GetRawText());

        // The instance id is the study's, so a second sweep replaces the first one's finished instance: wait for the new one.
        var instance = await Eventually.GetAsync(
            () => env.Durable.GetInstanceAsync(instanceId, true, Ct),
            i => i is { IsCompleted: true } && (previous is null || i.CreatedAt > previous.CreatedAt),
            TimeSpan.FromSeconds(90),
            "the sweep to finish");
        instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, instance.FailureDetails?.ToString());
        return instance.ReadOutputAs<RetentionSweepResult>()!;
    }

    private async Task<JsonElement> PlanAsync(string studyId)
    {
        using var response = await env.Http.SendAsync(Staff.Get($"/api/studies/{studyId}/retention", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<string> PlaceHoldAsync(object body)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/holds", JsonSerializer.Serialize(body), Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("holdId").GetString()!;
    }

    private async Task<JsonElement> CertificateAsync(string id)
    {
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/{id}", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<string> CertificateTextAsync(string id)
    {
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/{id}?format=text", Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<List<string>> ListAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in env.Blobs.GetBlobContainerClient(container).GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, States = BlobStates.Snapshots | BlobStates.Version }, Ct))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static HttpRequestMessage Delete(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, path);
        request.SignIn(Role.Dpo);
        return request;
    }

    private sealed record TestStudy(string StudyId, string ParticipantId, string Email, string SessionId, string RecordingBlob);
}
