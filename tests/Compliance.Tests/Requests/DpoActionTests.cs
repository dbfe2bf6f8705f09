using System.Net;
using System.Text.Json;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tasks;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Requests;

/// <summary>The DPO's actions on a request (<c>POST /api/requests/{id}/{action}</c>), through the real engine.</summary>
public sealed class DpoActionTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_refusal_records_the_decision_and_tells_the_requester_the_reason_the_ground_and_the_ICO()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email = $"q.{Guid.NewGuid():N}@example.org", details = "Why?" });
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);

        await api.ActOkAsync(requestId, "refuse", new { reason = "You have asked the same question nine times this week.", exemption = RefusalExemption.Excessive });

        var output = await api.WaitForWorkflowAsync(requestId);
        output.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        output.SerializedOutput!.ShouldContain(RequestStatus.Refused);
        var refused = await api.Store.FindAsync(requestId, Ct);
        refused!.Status.ShouldBe(RequestStatus.Refused);
        refused.Outcome.ShouldBe("refused");
        refused.Decision.ShouldNotBeNull();
        refused.Decision.Reviewer.ShouldBe("staff-1");
        refused.Decision.Exemption.ShouldBe(RefusalExemption.Excessive);
        var email = await api.EmailAsync(requestId, "refusal");
        email.TextBody!.ShouldContain("nine times this week");
        email.TextBody!.ShouldContain("Article 12(5)");
        email.TextBody!.ShouldContain("Information Commissioner's Office");
        email.TextBody!.ShouldContain("0303 123 1113");
        (await api.ViewAsync(requestId)).GetProperty("decision").GetProperty("decision").GetString().ShouldBe("refused");

        // Nothing is left to do: the DPO's review task is gone from the open list.
        using var open = await env.Http.SendAsync(Staff.Get($"/api/tasks?requestId={requestId}", Role.Dpo), Ct);
        (await open.Content.ReadAsStringAsync(Ct)).ShouldContain("\"tasks\":[]");
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldContain(e => e.Action == AuditActions.RequestRefused && e.Details["exemption"] == RefusalExemption.Excessive);
        audit.ShouldContain(e => e.Action == AuditActions.ActionRequested && e.Actor == "staff-1");
    }

    [Fact]
    public async Task Bad_actions_are_named_and_refused_before_reaching_the_workflow()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email = $"q.{Guid.NewGuid():N}@example.org" });

        using var noReason = await api.ActAsync(requestId, "refuse", new { exemption = "research" });
        using var badGround = await api.ActAsync(requestId, "refuse", new { reason = "x", exemption = "because" });
        using var unknownAction = await api.ActAsync(requestId, "archive");
        using var unknownRequest = await api.ActAsync("DSR-20260101-00000000", "approve");
        using var researcher = await api.ActAsync(requestId, "approve", role: Role.Researcher);
        using var anonymous = await env.Http.SendAsync(Staff.PostJson($"/api/requests/{requestId}/approve", "{}"), Ct);

        (await RouteAuthorizationTests.ShouldBeProblemAsync(noReason, "validation")).GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue();
        (await RouteAuthorizationTests.ShouldBeProblemAsync(badGround, "validation")).GetProperty("errors").GetProperty("exemption")[0].GetString()!.ShouldContain("manifestly-unfounded");
        unknownAction.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await unknownAction.Content.ReadAsStringAsync(Ct)).ShouldContain("approve, refuse, extend, clarify, resume, note");
        unknownRequest.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        researcher.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        anonymous.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Clarification_pauses_the_clock_and_emails_the_question_and_resume_restarts_it()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "complaint", email = $"c.{Guid.NewGuid():N}@example.org" });
        var running = await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        await api.ActOkAsync(requestId, "clarify", new { question = "Which of our letters do you mean?" });

        var paused = await api.WaitForStatusAsync(requestId, RequestStatus.Paused);
        paused.DueDate.ShouldBeNull("no due date while the clock is stopped");
        paused.Pauses.ShouldHaveSingleItem().To.ShouldBeNull();
        (await api.EmailAsync(requestId, $"clarification-{(await LastActionIdAsync(requestId))}")).TextBody!.ShouldContain("Which of our letters do you mean?");
        (await api.ViewAsync(requestId)).GetProperty("paused").GetBoolean().ShouldBeTrue();
        using (var again = await api.ActAsync(requestId, "clarify", new { question = "And?" }))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }

        await api.ActOkAsync(requestId, "resume");

        var resumed = await api.WaitForStatusAsync(requestId, RequestStatus.InProgress);
        resumed.DueDate.ShouldBe(running.DueDate, "paused and resumed on the same day: no days added");
        resumed.Pauses.ShouldHaveSingleItem().To.ShouldNotBeNull();
        resumed.DueDateDerivation.ShouldContain(line => line.Contains("paused", StringComparison.Ordinal));
        using var notPaused = await api.ActAsync(requestId, "resume");
        notPaused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_extension_within_the_first_month_moves_the_due_date_to_three_months_and_tells_the_requester_why()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email = $"q.{Guid.NewGuid():N}@example.org" });
        var running = await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        await api.ActOkAsync(requestId, "extend", new { reason = "Your question touches every recording we hold." });

        var extended = await api.WaitForAsync(requestId, r => r.ExtendedTo is not null, "the extension");
        extended.DueDate.ShouldBe(extended.ExtendedTo);
        extended.DueDate!.Value.ShouldBeGreaterThan(running.DueDate!.Value.AddMonths(1).AddDays(-1));
        extended.DueDateDerivation.ShouldContain(line => line.StartsWith("extended: three months", StringComparison.Ordinal));
        var email = await api.EmailAsync(requestId, $"extension-{await LastActionIdAsync(requestId)}");
        email.TextBody!.ShouldContain("touches every recording");
        email.TextBody!.ShouldContain(RequestEmails.FormatDate(extended.DueDate.Value));
        using var twice = await api.ActAsync(requestId, "extend", new { reason = "More." });
        twice.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Pausing_resuming_and_extending_are_each_audited_besides_the_DPOs_request_for_them()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "complaint", email = $"c.{Guid.NewGuid():N}@example.org" });
        await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        await api.ActOkAsync(requestId, "clarify", new { question = "Which call?" });
        await api.WaitForStatusAsync(requestId, RequestStatus.Paused);
        await api.ActOkAsync(requestId, "resume");
        await api.WaitForStatusAsync(requestId, RequestStatus.InProgress);
        await api.ActOkAsync(requestId, "extend", new { reason = "We need to ask the interviewer." });

        string[] applied = [AuditActions.ClockPaused, AuditActions.ClockResumed, AuditActions.RequestExtended];
        var audit = await Eventually.GetAsync(
            () => new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct),
            entries => applied.All(a => entries.Any(e => e.Action == a)),
            because: "an audit entry for what each action did");
        audit.Count(e => e.Action == AuditActions.ActionRequested).ShouldBe(3);
        applied.ShouldAllBe(a => audit.Count(e => e.Action == a) == 1);
    }

    [Fact]
    public async Task An_extension_is_refused_once_the_first_month_has_passed()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var receivedAt = DateOnly.FromDateTime(DateTime.UtcNow).AddMonths(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var requestId = await api.SubmitConfirmedAsync(studyId, "query", $"q.{Guid.NewGuid():N}@example.org", receivedAt);
        await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        using var late = await api.ActAsync(requestId, "extend", new { reason = "Too late." });

        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await late.Content.ReadAsStringAsync(Ct)).ShouldContain("within the first month");
    }

    [Fact]
    public async Task A_note_is_recorded_and_audited_without_its_text_even_on_a_closed_request()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email = $"q.{Guid.NewGuid():N}@example.org" });
        await api.CompleteTaskAsync(requestId, TaskKind.DpoReview, TaskOutcome.Resolved);
        await api.WaitForStatusAsync(requestId, RequestStatus.Completed);

        using var response = await api.ActAsync(requestId, "note", new { text = "Phoned back on Tuesday; satisfied." });

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await api.ViewAsync(requestId)).GetProperty("history").EnumerateArray().ShouldContain(h => h.GetProperty("event").GetString() == "note");
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        var note = audit.Where(e => e.Action == AuditActions.NoteAdded).ShouldHaveSingleItem();
        JsonSerializer.Serialize(note).ShouldNotContain("Phoned back");
        using var approveClosed = await api.ActAsync(requestId, "approve");
        approveClosed.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Approving_an_objection_closes_it_with_the_outcome_email_and_a_decision_record()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitConfirmedAsync(studyId, "object", $"o.{Guid.NewGuid():N}@example.org");
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);

        await api.ActOkAsync(requestId, "approve");

        (await api.WaitForWorkflowAsync(requestId)).SerializedOutput!.ShouldContain(RequestStatus.Completed);
        var done = (await api.Store.FindAsync(requestId, Ct))!;
        done.Decision!.Decision.ShouldBe(RequestDecision.Approved);
        done.Outcome.ShouldBe("reviewed");
        (await api.EmailAsync(requestId, "outcome")).TextBody!.ShouldContain("Data Protection Officer has considered your objection");
        var task = await new TaskStore(env.Tables).FindAsync(TaskStore.IdFor(requestId, TaskKind.DpoReview), Ct);
        task!.Status.ShouldBe(TaskStore.Done, "approving completes the DPO's review task");
    }

    [Fact]
    public async Task The_DPO_can_issue_a_new_code_after_a_lock_out()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await api.SubmitAsync(new { studyId, type = "opt-out", email = held });
        var first = await api.CodeAsync(requestId);
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await api.VerifyAsync(requestId, first == "999999" ? "888888" : "999999");
        }

        await api.ActOkAsync(requestId, "reissue-code");

        var second = await api.CodeAsync(requestId, "verification-code-2");
        using var right = await api.VerifyAsync(requestId, second);
        right.StatusCode.ShouldBe(HttpStatusCode.OK);
        await api.WaitForAsync(requestId, r => r.ClockStartedAt is not null, "the clock to start after the new code");
        using var notWaiting = await api.ActAsync(requestId, "reissue-code");
        notWaiting.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Actions_that_need_a_running_clock_wait_for_identity()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await api.SubmitAsync(new { studyId, type = "access", email = held });
        await api.WaitForStatusAsync(requestId, RequestStatus.AwaitingVerification);

        using var extend = await api.ActAsync(requestId, "extend", new { reason = "x" });
        using var clarify = await api.ActAsync(requestId, "clarify", new { question = "x" });

        extend.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await clarify.Content.ReadAsStringAsync(Ct)).ShouldContain("identity is not yet confirmed");
    }

    [Fact]
    public async Task Staff_list_requests_by_status_and_study_without_contact_details()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var email = $"list.{Guid.NewGuid():N}@example.org";
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email });
        await api.WaitForAsync(requestId, r => r.DueDate is not null, "the clock to start");

        using var byStudy = await env.Http.SendAsync(Staff.Get($"/api/requests?studyId={studyId}", Role.Researcher), Ct);
        using var badStatus = await env.Http.SendAsync(Staff.Get("/api/requests?status=lost", Role.Dpo), Ct);
        using var analyst = await env.Http.SendAsync(Staff.Get("/api/requests", Role.OnsAnalyst), Ct);

        var body = await byStudy.Content.ReadAsStringAsync(Ct);
        body.ShouldContain(requestId);
        body.ShouldNotContain(email);
        badStatus.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        analyst.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    private async Task<string> LastActionIdAsync(string requestId)
    {
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        return audit.Last(e => e.Action == AuditActions.ActionRequested).Details["actionId"];
    }
}
