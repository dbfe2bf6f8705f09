using Azure;
using Azure.Data.Tables;
using Compliance.Audit;
using Compliance.Functions.Requests;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Compliance.Tests.Requests;

/// <summary>
/// Activities run at least once: a host that dies after an activity's work but before its completion is recorded runs it
/// again. Here the state such a crash leaves is made exactly (the work done, the last write missing) and the activity is run
/// again, as the engine would; it must finish the work and repeat nothing. The kill-and-restart test finds these windows by
/// chance; these pin them down.
/// </summary>
public sealed class ActivityRetryTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_clarification_applied_by_an_attempt_that_died_before_recording_its_result_is_not_rejected_when_run_again()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email = $"q.{Guid.NewGuid():N}@example.org" });
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);
        await api.ActOkAsync(requestId, "clarify", new { question = "Which letter?" });
        var actionId = await AppliedActionAsync(requestId);

        await ForgetResultAsync(requestId, actionId);
        var again = await ApplyAgainAsync(requestId, actionId);

        again.Applied.ShouldBeTrue();
        again.Paused.ShouldBeTrue();
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldNotContain(e => e.Action == AuditActions.ActionRejected);
        audit.Count(e => e.Action == AuditActions.ClockPaused).ShouldBe(1);
        (await api.Store.FindActionAsync(requestId, actionId, Ct))!.Result.ShouldBe("applied");
        (await api.Store.GetHistoryAsync(requestId, Ct)).ShouldNotContain(h => h.Event.EndsWith("-rejected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_approval_applied_by_an_attempt_that_died_before_recording_its_result_is_not_rejected_when_run_again()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitConfirmedAsync(studyId, "object", $"o.{Guid.NewGuid():N}@example.org");
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);
        await api.ActOkAsync(requestId, "approve");
        var actionId = await AppliedActionAsync(requestId);
        await api.WaitForWorkflowAsync(requestId);

        await ForgetResultAsync(requestId, actionId);
        var again = await ApplyAgainAsync(requestId, actionId);

        again.Applied.ShouldBeTrue();
        again.Decision.ShouldBe(RequestDecision.Approved);
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.ShouldNotContain(e => e.Action == AuditActions.ActionRejected);
        audit.Count(e => e.Action == AuditActions.RequestApproved).ShouldBe(1);
        (await new TaskStore(env.Tables).FindAsync(TaskStore.IdFor(requestId, TaskKind.DpoReview), Ct))!.Outcome.ShouldBe(TaskOutcome.Resolved);
    }

    [Fact]
    public async Task A_code_email_written_by_an_attempt_that_died_before_recording_it_is_recorded_and_audited_when_run_again()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await api.SubmitAsync(new { studyId, type = "opt-out", email = held });
        await api.CodeAsync(requestId);

        // A second code whose email was written, but whose history entry and audit entry were not.
        var blobName = Outbox.BlobNameFor(requestId, "verification-code-2");
        using var written = new MimeMessage(new[] { new MailboxAddress(null, "mpati@natcen.ac.uk") }, new[] { new MailboxAddress(null, held) }, "Your code", new TextPart("plain") { Text = "123456" });
        (await api.Outbox.TryWriteAsync(blobName, written, Outbox.MetadataFor(requestId, EmailKind.VerificationCode), Ct)).ShouldBeTrue();
        await ActivatorUtilities.CreateInstance<VerificationCodeActivities>(env.Host.Services)
            .SendVerificationCode(new VerificationCodeInput(requestId, 2, DateTimeOffset.UtcNow), Ct);

        (await api.Store.FindStepAsync(requestId, "verification-code-2", Ct)).ShouldNotBeNull();
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.Count(e => e.Action == AuditActions.VerificationSent).ShouldBe(2);
        (await api.Outbox.ReadAsync(blobName, Ct)).Subject.ShouldBe("Your code", "the email that went stands; no second code is made");
    }

    /// <summary>Waits until the workflow has applied the request's last action and recorded its result; returns the action's id.</summary>
    [Fact]
    public async Task A_code_step_run_again_after_dying_before_its_email_writes_the_code_the_request_accepts()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"code.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await api.SubmitAsync(new { studyId, type = "opt-out", email = held });
        var first = await api.CodeAsync(requestId);

        // The state an attempt leaves that stored its code and died before the email: the email is not there. Run again,
        // the step writes the email with the same code, and it is the one the request takes.
        var name = Outbox.BlobNameFor(requestId, "verification-code-1");
        await env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox).DeleteBlobAsync(name, cancellationToken: Ct);
        await ActivatorUtilities.CreateInstance<VerificationCodeActivities>(env.Host.Services)
            .SendVerificationCode(new VerificationCodeInput(requestId, 1, DateTimeOffset.UtcNow), Ct);
        var again = await api.CodeAsync(requestId);

        again.ShouldBe(first, "the code is derived from the request and its number, never drawn again");
        using var verified = await api.VerifyAsync(requestId, again);
        verified.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_stored_code_is_accepted_at_once_whatever_the_request_recorded_after_it()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var requestId = await api.SubmitAsync(new { studyId, type = "query", email = $"q.{Guid.NewGuid():N}@example.org" });
        await api.OpenTaskAsync(requestId, TaskKind.DpoReview);

        // The code and the status that accepts it are one write, made before the email: nothing in between can refuse it.
        await api.Store.SetVerificationCodeAsync(requestId, VerificationCodes.Hash(requestId, "424242"), DateTimeOffset.UtcNow.AddHours(1), RequestStatus.AwaitingVerification, Ct);

        (await api.Store.CheckCodeAsync(requestId, "424242", DateTimeOffset.UtcNow, 5, Ct)).ShouldBe(CodeCheck.Verified);
    }

    private async Task<string> AppliedActionAsync(string requestId)
    {
        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        var actionId = audit.Last(e => e.Action == AuditActions.ActionRequested).Details["actionId"];
        await Eventually.GetAsync(() => api.Store.FindActionAsync(requestId, actionId, Ct), a => a?.Result == "applied", because: "the action to be applied");
        return actionId;
    }

    /// <summary>The state of a crash after the action's last write but before its result was recorded.</summary>
    private async Task ForgetResultAsync(string requestId, string actionId)
    {
        var table = env.Tables.GetTableClient(StorageLayout.Tables.Requests);
        var row = (await table.GetEntityAsync<TableEntity>(requestId, $"action|{actionId}", cancellationToken: Ct)).Value;
        row.Remove("Result");
        await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace, Ct);
    }

    /// <summary>Runs the activity again, as the engine does after a crash.</summary>
    private Task<RequestActionResult> ApplyAgainAsync(string requestId, string actionId) =>
        ActivatorUtilities.CreateInstance<RequestActionActivities>(env.Host.Services)
            .ApplyRequestAction(new RequestActionInput(requestId, actionId, DateTimeOffset.UtcNow), Ct);
}
