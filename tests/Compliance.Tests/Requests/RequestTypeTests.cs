using System.IO.Compression;
using System.Net;
using System.Text;
using Azure.Storage.Blobs;
using Compliance.Access;
using Compliance.Audit;
using Compliance.SelfHost.Demo;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Requests;

/// <summary>Each request type carried out end to end through the real engine on Azurite: the notice, clause by clause.</summary>
public sealed class RequestTypeTests(TestEnvironment env)
{
    private const string SessionLongAgo = "2024-07-10";
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Access_sends_a_link_to_a_package_of_the_participants_anonymised_contributions()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, alex);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");

        var requestId = await api.SubmitConfirmedAsync(studyId, "access", DemoData.People[0].Email);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        var email = await api.EmailAsync(requestId, "outcome");
        email.To.Mailboxes.Single().Address.ShouldBe(DemoData.People[0].Email);
        var link = email.TextBody!.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Download it here: ", StringComparison.Ordinal))["Download it here: ".Length..];
        using var http = new HttpClient();
        var package = await http.GetByteArrayAsync(new Uri(link), Ct);
        using var zip = new ZipArchive(new MemoryStream(package));
        var transcripts = string.Join('\n', zip.Entries.Where(e => e.FullName.StartsWith("transcripts/", StringComparison.Ordinal)).Select(e => new StreamReader(e.Open()).ReadToEnd()));
        transcripts.ShouldContain("quarterly reviews", Case.Insensitive, "the participant's own words are in it");
        transcripts.ShouldNotContain("NP10 8XG", customMessage: "postcodes are removed");
        transcripts.ShouldNotContain(DemoData.People[0].Email, customMessage: "addresses are removed");
        transcripts.ShouldNotContain("Alex Morgan", customMessage: "names are removed");
        zip.Entries.ShouldContain(e => new StreamReader(e.Open()).ReadToEnd().Contains(DemoData.People[0].Email, StringComparison.Ordinal), "the contact details held are part of the answer");
        (await api.Store.FindAsync(requestId, Ct))!.Outcome.ShouldBe("access");
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.ExportCreated);
        audit.ShouldNotContain(e => e.Details.Values.Any(v => v.Contains("sig=", StringComparison.Ordinal)), "the link lives only in the email");
    }

    [Fact]
    public async Task Access_waits_until_ten_days_after_the_session()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, today, alex);

        var requestId = await api.SubmitConfirmedAsync(studyId, "access", DemoData.People[0].Email);

        await Eventually.GetAsync(
            () => env.Durable.GetInstanceAsync(requestId, true, Ct),
            i => i?.SerializedCustomStatus?.Contains("waiting-for-transcript-date", StringComparison.Ordinal) == true,
            because: "a durable timer waiting for session date + 10 days");
        (await api.EmailKeysAsync(requestId)).ShouldNotContain("outcome");
    }

    [Fact]
    public async Task Access_without_a_transcript_asks_a_researcher_for_it_then_delivers()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, alex);
        var requestId = await api.SubmitConfirmedAsync(studyId, "access", DemoData.People[0].Email);

        var task = await api.OpenTaskAsync(requestId, TaskKind.TranscriptUpload);
        task.GetProperty("assigneeRole").GetString().ShouldBe("Researcher");
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        await api.CompleteTaskAsync(requestId, TaskKind.TranscriptUpload, TaskOutcome.Uploaded);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        await api.EmailAsync(requestId, "outcome");
    }

    [Fact]
    public async Task An_eligible_withdrawal_is_approved_then_deletes_the_participants_material_and_tells_the_supplier()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var alex = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[0].Email, DemoData.People[0].Name);
        var other = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[1].Email, DemoData.People[1].Name);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@supplier.example");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, supplierId, alex);
        var otherSession = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, other);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        await StudyApi.UploadAsync(env.Http, studyId, otherSession, ArtifactKind.Recording, [4, 5, 6], "audio/wav");

        var requestId = await api.SubmitConfirmedAsync(studyId, "withdraw", DemoData.People[0].Email);
        var approval = await api.OpenTaskAsync(requestId, TaskKind.Approval);
        approval.GetProperty("assigneeRole").GetString().ShouldBe("Dpo");
        (await BlobsUnderAsync(StorageLayout.Containers.Recordings, $"{studyId}/{sessionId}/")).ShouldNotBeEmpty("nothing is deleted before the DPO approves");
        await api.ActOkAsync(requestId, "approve");

        var notice = await api.EmailAsync(requestId, $"supplier-notice-{supplierId}");
        notice.To.Mailboxes.Single().Address.ShouldBe("deletions@supplier.example");
        notice.TextBody!.ShouldContain(sessionId);
        notice.TextBody!.ShouldNotContain(DemoData.People[0].Name);
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain("we have deleted your recordings");
        var done = await api.WaitForStatusAsync(requestId, RequestStatus.Completed);
        done.Decision!.Decision.ShouldBe(RequestDecision.Approved);
        (await BlobsUnderAsync(StorageLayout.Containers.Recordings, $"{studyId}/{sessionId}/")).ShouldBeEmpty();
        (await BlobsUnderAsync(StorageLayout.Containers.Transcripts, $"{studyId}/{sessionId}/")).ShouldBeEmpty();
        (await BlobsUnderAsync(StorageLayout.Containers.Recordings, $"{studyId}/{otherSession}/")).ShouldHaveSingleItem("another participant's material stays");

        // The workflow waits for the supplier's confirmation (Art. 19), which is audited.
        (await env.Durable.GetInstanceAsync(requestId, Ct))!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Running);
        await api.CompleteTaskAsync(requestId, TaskKind.SupplierConfirmation, TaskOutcome.Confirmed);
        (await api.WaitForWorkflowAsync(requestId)).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.SupplierNotified && e.Details["supplierId"] == supplierId);
        audit.ShouldContain(e => e.Action == AuditActions.TaskCompleted && e.Details["kind"] == TaskKind.SupplierConfirmation);
        audit.ShouldContain(e => e.Action == AuditActions.ResearchDataDeleted);

        // The proof: a certificate under the request's authority, listing what went and who was told.
        audit.ShouldContain(e => e.Action == AuditActions.CertificateIssued && e.Details["certificateId"] == $"DC-{requestId}");
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/DC-{requestId}", Compliance.Identity.Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var certificate = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        certificate.GetProperty("authority").GetProperty("requestId").GetString().ShouldBe(requestId);
        certificate.GetProperty("verification").GetProperty("result").GetString().ShouldBe("passed");
        var items = certificate.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("blobName").GetString()!).ToList();
        items.ShouldContain(n => n.StartsWith($"{studyId}/{sessionId}/", StringComparison.Ordinal));
        items.ShouldNotContain(n => n.StartsWith($"{studyId}/{otherSession}/", StringComparison.Ordinal));
        certificate.GetProperty("recipientsTold").EnumerateArray().ShouldHaveSingleItem().GetString()!.ShouldStartWith($"{supplierId}: told, confirmed");
        certificate.GetRawText().ShouldNotContain(DemoData.People[0].Email);
    }

    [Fact]
    public async Task A_withdrawal_deletes_the_packages_of_the_participants_earlier_access_requests_and_certifies_them()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var alex = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[0].Email, DemoData.People[0].Name);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, alex);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(DemoData.InterviewTranscript), "text/plain");
        var access = await api.SubmitConfirmedAsync(studyId, "access", DemoData.People[0].Email);
        await api.WaitForStatusAsync(access, RequestStatus.Completed);
        (await BlobsUnderAsync(StorageLayout.Containers.Exports, $"{studyId}/{access}/")).ShouldNotBeEmpty();
        (await BlobsUnderAsync(StorageLayout.Containers.RedactionLogs, $"{studyId}/{access}/")).ShouldNotBeEmpty();

        var withdrawal = await api.SubmitConfirmedAsync(studyId, "withdraw", DemoData.People[0].Email);
        await api.OpenTaskAsync(withdrawal, TaskKind.Approval);
        await api.ActOkAsync(withdrawal, "approve");
        (await api.WaitForWorkflowAsync(withdrawal)).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);

        (await BlobsUnderAsync(StorageLayout.Containers.Exports, $"{studyId}/{access}/")).ShouldBeEmpty("the package held an anonymised transcript of theirs");
        (await BlobsUnderAsync(StorageLayout.Containers.RedactionLogs, $"{studyId}/{access}/")).ShouldBeEmpty();
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/DC-{withdrawal}", Compliance.Identity.Role.Dpo), Ct);
        var certificate = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        var items = certificate.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("container").GetString()}/{i.GetProperty("blobName").GetString()}").ToList();
        items.ShouldContain($"{StorageLayout.Containers.Exports}/{AccessExportBuilder.PackageBlobName(studyId, access)}");
        items.ShouldContain($"{StorageLayout.Containers.RedactionLogs}/{AccessExportBuilder.RedactionLogBlobName(studyId, access)}");
        certificate.GetProperty("verification").GetProperty("result").GetString().ShouldBe("passed");
    }

    [Fact]
    public async Task A_withdrawal_whose_supplier_does_not_confirm_in_the_policys_time_completes_and_certifies_the_confirmation_as_outstanding()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"), ("confirmDeletionWithin: 30 days", "confirmDeletionWithin: 2 seconds"));
        var email = $"w.{Guid.NewGuid():N}@example.org";
        var participant = await StudyApi.RegisterParticipantAsync(env.Http, studyId, email);
        var supplierId = "sup" + Guid.NewGuid().ToString("N")[..8];
        await StudyApi.RegisterSupplierAsync(env.Http, supplierId, "deletions@supplier.example");
        var sessionId = await StudyApi.RegisterSessionWithSupplierAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, supplierId, participant);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");
        var requestId = await api.SubmitConfirmedAsync(studyId, "withdraw", email);
        await api.OpenTaskAsync(requestId, TaskKind.Approval);

        await api.ActOkAsync(requestId, "approve");

        (await api.WaitForWorkflowAsync(requestId)).RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/DC-{requestId}", Compliance.Identity.Role.Dpo), Ct);
        var certificate = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        certificate.GetProperty("recipientsTold").EnumerateArray().Select(r => r.GetString()).ShouldBe([$"{supplierId}: told, not confirmed"]);
        (await api.OpenTaskAsync(requestId, TaskKind.SupplierConfirmation)).GetProperty("status").GetString().ShouldBe("open", "the DPO can still record a late confirmation");
    }

    [Fact]
    public async Task A_withdrawal_after_the_cut_off_is_refused_with_the_research_exemption_in_plain_words()
    {
        // The notice's own cut-off, 2 September 2024, has passed.
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, alex);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");

        var requestId = await api.SubmitConfirmedAsync(studyId, "withdraw", DemoData.People[0].Email);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Refused);
        var refused = (await api.Store.FindAsync(requestId, Ct))!;
        refused.Decision!.Exemption.ShouldBe(RefusalExemption.Research);
        refused.Decision.Reviewer.ShouldBe(AuditActors.System);
        var email = await api.EmailAsync(requestId, "refusal");
        email.TextBody!.ShouldContain("2 September 2024");
        email.TextBody!.ShouldContain("Article 17(3)(d)");
        email.TextBody!.ShouldContain("Information Commissioner's Office");
        (await BlobsUnderAsync(StorageLayout.Containers.Recordings, $"{studyId}/{sessionId}/")).ShouldHaveSingleItem("nothing is deleted");
    }

    [Fact]
    public async Task A_withdrawal_from_a_focus_group_keeps_the_shared_recording_and_asks_a_researcher_to_redact()
    {
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var sam = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[1].Email, DemoData.People[1].Name);
        var jordan = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[2].Email, DemoData.People[2].Name);
        var group = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.FocusGroup, SessionLongAgo, sam, jordan);
        await StudyApi.UploadAsync(env.Http, studyId, group, ArtifactKind.Recording, [1, 2, 3], "audio/wav");

        var requestId = await api.SubmitConfirmedAsync(studyId, "withdraw", DemoData.People[1].Email);
        await api.CompleteTaskAsync(requestId, TaskKind.Approval, TaskOutcome.Approved);

        var redaction = await api.OpenTaskAsync(requestId, TaskKind.Redaction);
        redaction.GetProperty("assigneeRole").GetString().ShouldBe("Researcher");
        (await BlobsUnderAsync(StorageLayout.Containers.Recordings, $"{studyId}/{group}/")).ShouldHaveSingleItem("the shared recording holds other voices");
        (await api.Store.FindAsync(requestId, Ct))!.Decision!.Reviewer.ShouldBe("staff-1", "approval by the task is a decision by whoever completed it");
        await api.CompleteTaskAsync(requestId, TaskKind.Redaction, TaskOutcome.Redacted);

        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain("shared recording");
        await api.WaitForStatusAsync(requestId, RequestStatus.Completed);
    }

    [Fact]
    public async Task Erasure_sends_the_outcome_first_then_deletes_the_contact_details_and_keeps_the_pseudonymous_id()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var requestId = await api.SubmitConfirmedAsync(studyId, "erase-contact", DemoData.People[0].Email);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);

        (await api.EmailAsync(requestId, "outcome")).To.Mailboxes.Single().Address.ShouldBe(DemoData.People[0].Email);
        var participant = (await new StudyStore(env.Tables).FindParticipantAsync(studyId, alex, Ct))!;
        participant.ParticipantId.ShouldBe(alex);
        participant.Name.ShouldBeNull();
        participant.Email.ShouldBeNull();
        participant.Phone.ShouldBeNull();
        participant.DoNotContact.ShouldBeTrue();
        (await new StudyStore(env.Tables).FindParticipantByEmailAsync(studyId, DemoData.People[0].Email, Ct)).ShouldBeNull();
        (await api.Store.FindAsync(requestId, Ct))!.RequesterEmail.ShouldBeEmpty("the request no longer holds the address either");

        // The proof: a certificate under the request's authority, naming whose contact details went, checked to be gone.
        using var response = await env.Http.SendAsync(Staff.Get($"/api/certificates/DC-{requestId}", Compliance.Identity.Role.Dpo), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var certificate = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        certificate.GetProperty("authority").GetProperty("requestId").GetString().ShouldBe(requestId);
        certificate.GetProperty("contactDetailsErased").EnumerateArray().Select(p => p.GetString()).ShouldBe([alex]);
        certificate.GetProperty("verification").GetProperty("result").GetString().ShouldBe("passed");
        certificate.GetRawText().ShouldNotContain(DemoData.People[0].Email);
    }

    [Fact]
    public async Task Erasure_blanks_the_address_on_the_participants_closed_requests_at_once_and_on_an_open_one_once_it_is_answered()
    {
        var (studyId, _) = await StudyWithParticipantAsync(0);
        var email = DemoData.People[0].Email;
        var earlier = await api.SubmitConfirmedAsync(studyId, "query", email);
        await api.CompleteTaskAsync(earlier, TaskKind.DpoReview, TaskOutcome.Resolved);
        await api.WaitForStatusAsync(earlier, RequestStatus.Completed);
        var open = await api.SubmitConfirmedAsync(studyId, "complaint", email);
        await api.OpenTaskAsync(open, TaskKind.DpoReview);

        var erasure = await api.SubmitConfirmedAsync(studyId, "erase-contact", email);
        await api.WaitForStatusAsync(erasure, RequestStatus.Completed);

        (await api.Store.GetAsync(earlier, Ct)).RequesterEmail.ShouldBeEmpty("a closed request's copy of the address goes with the erasure");
        (await api.Store.GetAsync(open, Ct)).RequesterEmail.ShouldBe(email, "an open request keeps the address it needs to answer");
        await api.CompleteTaskAsync(open, TaskKind.DpoReview, TaskOutcome.Resolved);
        (await api.EmailAsync(open, "outcome")).To.Mailboxes.Single().Address.ShouldBe(email);
        await api.WaitForStatusAsync(open, RequestStatus.Completed);
        (await Eventually.GetAsync(() => api.Store.GetAsync(open, Ct), r => r.RequesterEmail.Length == 0, because: "the answered request's copy of the address to go")).RequesterName.ShouldBeNull();
    }

    [Fact]
    public async Task Rectification_confirms_a_new_address_with_a_code_sent_to_it_before_it_replaces_the_old_one()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var newEmail = $"alex.new.{Guid.NewGuid():N}@example.org";
        var requestId = await api.SubmitConfirmedAsync(studyId, "rectify-contact", DemoData.People[0].Email, changes: new { email = newEmail, phone = "01632 960099" });

        var confirmation = await api.EmailAsync(requestId, "address-confirmation");
        confirmation.To.Mailboxes.Single().Address.ShouldBe(newEmail);
        await api.WaitForStatusAsync(requestId, RequestStatus.AwaitingAddressConfirmation);
        (await new StudyStore(env.Tables).FindParticipantAsync(studyId, alex, Ct))!.Email.ShouldBe(DemoData.People[0].Email, "not replaced before confirmation");
        var code = await api.CodeAsync(requestId, "address-confirmation");
        using (var wrong = await api.VerifyAsync(requestId, code == "000000" ? "111111" : "000000"))
        {
            wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        using (var right = await api.VerifyAsync(requestId, code))
        {
            right.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        var participant = (await new StudyStore(env.Tables).FindParticipantAsync(studyId, alex, Ct))!;
        participant.Email.ShouldBe(newEmail);
        participant.Phone.ShouldBe("01632 960099");
        (await api.EmailAsync(requestId, "outcome")).To.Mailboxes.Single().Address.ShouldBe(newEmail);
    }

    [Fact]
    public async Task Opt_out_sets_do_not_contact_and_leaves_research_data_alone()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var sessionId = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, SessionLongAgo, alex);
        await StudyApi.UploadAsync(env.Http, studyId, sessionId, ArtifactKind.Recording, [1, 2, 3], "audio/wav");

        var requestId = await api.SubmitConfirmedAsync(studyId, "opt-out", DemoData.People[0].Email);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        var participant = (await new StudyStore(env.Tables).FindParticipantAsync(studyId, alex, Ct))!;
        participant.DoNotContact.ShouldBeTrue();
        participant.Email.ShouldBe(DemoData.People[0].Email);
        (await BlobsUnderAsync(StorageLayout.Containers.Recordings, $"{studyId}/{sessionId}/")).ShouldHaveSingleItem();
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain("will not contact you again");
    }

    [Fact]
    public async Task A_complaint_goes_to_the_DPO_and_its_acknowledgement_carries_the_DPO_and_the_ICO()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "complaint", email = $"c.{Guid.NewGuid():N}@example.org", details = "You called me at dinner." });

        var ack = await api.EmailAsync(requestId, "acknowledgement");
        ack.TextBody!.ShouldContain("dpo@natcen.ac.uk");
        ack.TextBody!.ShouldContain("Information Commissioner's Office");
        await api.CompleteTaskAsync(requestId, TaskKind.DpoReview, TaskOutcome.Resolved);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain("considered your complaint");
    }

    [Fact]
    public async Task A_requester_the_DPO_verified_by_details_is_linked_to_their_participant_and_served()
    {
        var (studyId, alex) = await StudyWithParticipantAsync(0);
        var requestId = await api.SubmitAsync(new { studyId, type = "opt-out", email = $"alex.other.{Guid.NewGuid():N}@example.org", name = "Alex Morgan" });

        await api.CompleteTaskAsync(requestId, TaskKind.IdentityCheck, TaskOutcome.Verified, new { participantId = alex });

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        (await new StudyStore(env.Tables).FindParticipantAsync(studyId, alex, Ct))!.DoNotContact.ShouldBeTrue();
    }

    [Fact]
    public async Task A_verified_requester_linked_to_no_participant_is_told_that_no_data_is_held()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "access", email = $"nobody.{Guid.NewGuid():N}@example.org" });

        await api.CompleteTaskAsync(requestId, TaskKind.IdentityCheck, TaskOutcome.Verified);

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        (await api.Store.FindAsync(requestId, Ct))!.Outcome.ShouldBe("no-data");
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain("we hold none");
    }

    private async Task<(string StudyId, string ParticipantId)> StudyWithParticipantAsync(int person)
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var participantId = await StudyApi.RegisterParticipantAsync(env.Http, studyId, DemoData.People[person].Email, DemoData.People[person].Name);
        return (studyId, participantId);
    }

    private async Task<List<string>> BlobsUnderAsync(string container, string prefix)
    {
        var names = new List<string>();
        await foreach (var blob in env.Blobs.GetBlobContainerClient(container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, Ct))
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
