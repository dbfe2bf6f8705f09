using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Requests;

/// <summary>Proportionate identity verification, through the real engine: codes to the held address, wrong codes, lock-out, closure.</summary>
public sealed partial class RequestVerificationTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_from_a_held_address_is_verified_by_a_code_sent_to_that_address_and_then_its_clock_starts()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"Robin.{Guid.NewGuid():N}@Example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held, "Robin Example");

        // The requester writes from the held address, with different case: it still matches.
        var requestId = await SubmitAsync(studyId, "access", held.ToLowerInvariant());
        var code = await CodeSentAsync(requestId);
        var pending = await WaitForStatusAsync(requestId, RequestStatus.AwaitingVerification);

        pending.ParticipantId.ShouldNotBeNull();
        var message = await new Outbox(env.Blobs).ReadAsync(Outbox.BlobNameFor(requestId, "verification-code-1"), Ct);
        message.To.Mailboxes.Single().Address.ShouldBe(held, "the code goes to the address held, as held");
        message.InReplyTo.ShouldStartWith(requestId);
        (await env.Durable.GetInstanceAsync(requestId, Ct))!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Running);

        using var wrong = await VerifyAsync(requestId, code == "000000" ? "111111" : "000000");
        wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var right = await VerifyAsync(requestId, code);
        right.StatusCode.ShouldBe(HttpStatusCode.OK);

        var instance = await Eventually.GetAsync(() => env.Durable.GetInstanceAsync(requestId, true, Ct), i => i is { IsCompleted: true }, because: "the workflow to go on once verified");
        instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        instance.SerializedCustomStatus!.ShouldNotContain(code);
        instance.SerializedOutput!.ShouldNotContain(code);
        var started = (await new RequestStore(env.Tables).FindAsync(requestId, Ct))!;
        started.Status.ShouldBe(RequestStatus.Completed, "a participant with no sessions gets the contact details held at once");
        started.VerifiedAt.ShouldNotBeNull();
        started.ClockStartedAt.ShouldBe(started.VerifiedAt);
        started.DueDate.ShouldNotBeNull();
        started.DueDateDerivation.ShouldContain(line => line.StartsWith("clock started on identity confirmation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_code_and_an_unknown_request_get_the_same_answer()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await SubmitAsync(studyId, "erase-contact", held);
        var code = await CodeSentAsync(requestId);

        using var wrong = await VerifyAsync(requestId, code == "123456" ? "654321" : "123456");
        using var unknown = await VerifyAsync("DSR-20260101-00000000", code);
        using var malformed = await VerifyAsync("not-a-request", code);

        var bodies = new List<string>();
        foreach (var response in new[] { wrong, unknown, malformed })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            await RouteAuthorizationTests.ShouldBeProblemAsync(response, "invalid-code");
            bodies.Add(await response.Content.ReadAsStringAsync(Ct));
        }

        bodies.Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task After_the_policys_number_of_wrong_codes_even_the_right_one_is_refused()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await SubmitAsync(studyId, "opt-out", held);
        var code = await CodeSentAsync(requestId);
        var wrongCode = code == "999999" ? "888888" : "999999";

        for (var i = 0; i < 5; i++)
        {
            using var wrong = await VerifyAsync(requestId, wrongCode);
            wrong.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }

        using var right = await VerifyAsync(requestId, code);

        right.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await new RequestStore(env.Tables).FindAsync(requestId, Ct))!.VerifiedAt.ShouldBeNull();
    }

    [Fact]
    public async Task An_unverified_request_is_reminded_then_closed_with_a_notice_after_the_policys_period()
    {
        // A study whose policy gives seconds, not days, so the test can watch the durable timers fire.
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("reminderAfter: 2 days", "reminderAfter: 2 seconds"), ("closeUnverifiedAfter: 30 days", "closeUnverifiedAfter: 5 seconds"));
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        var requestId = await SubmitAsync(studyId, "withdraw", held);

        var instance = await Eventually.GetAsync(() => env.Durable.GetInstanceAsync(requestId, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the request to close unverified");

        instance!.SerializedOutput!.ShouldContain(RequestStatus.ClosedUnverified);
        var outbox = new Outbox(env.Blobs);
        (await outbox.ListAsync($"requests/{requestId}/", Ct)).ShouldBe(
            [$"requests/{requestId}/acknowledgement.eml", $"requests/{requestId}/unverified-closed.eml", $"requests/{requestId}/verification-code-1.eml", $"requests/{requestId}/verification-reminder.eml"],
            ignoreOrder: true);
        var closed = await outbox.ReadAsync(Outbox.BlobNameFor(requestId, "unverified-closed"), Ct);
        closed.TextBody!.ShouldContain("Information Commissioner's Office");
        (await new RequestStore(env.Tables).FindAsync(requestId, Ct))!.Status.ShouldBe(RequestStatus.ClosedUnverified);

        // A code entered after closure does nothing.
        using var late = await VerifyAsync(requestId, await CodeSentAsync(requestId));
        late.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_request_from_an_address_no_participant_holds_asks_for_details_and_sends_no_code()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, $"held.{Guid.NewGuid():N}@example.org");

        var requestId = await SubmitAsync(studyId, "access", $"stranger.{Guid.NewGuid():N}@example.org");
        var request = await WaitForStatusAsync(requestId, RequestStatus.AwaitingIdentityCheck);

        request.ParticipantId.ShouldBeNull();
        request.VerificationMode.ShouldBe(VerificationMode.DetailsCheck);
        var outbox = new Outbox(env.Blobs);
        (await outbox.ListAsync($"requests/{requestId}/", Ct)).ShouldBe(
            [$"requests/{requestId}/acknowledgement.eml", $"requests/{requestId}/identity-details-needed.eml"], ignoreOrder: true);
        (await outbox.ReadAsync(Outbox.BlobNameFor(requestId, "identity-details-needed"), Ct)).TextBody!.ShouldContain("date of your interview or focus group");
    }

    [Fact]
    public async Task Identity_confirmed_by_staff_needs_no_code_and_the_clock_starts_at_receipt()
    {
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        var held = $"p.{Guid.NewGuid():N}@example.org";
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held);
        using var post = Staff.PostJson("/api/requests", JsonSerializer.Serialize(new { studyId, type = "access", email = held, receivedAt = "2026-03-03", channel = "letter", identityConfirmed = true }), "Dpo");
        using var response = await env.Http.SendAsync(post, Ct);
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requestId").GetString()!;

        var request = (await Eventually.GetAsync(() => new RequestStore(env.Tables).FindAsync(requestId, Ct), r => r?.DueDate is not null, because: "the clock to start"))!;

        request.VerificationMode.ShouldBe(VerificationMode.None);
        request.DueDate.ShouldBe(new DateOnly(2026, 4, 7), "received 3 March 2026: 3 April is Good Friday, 6 April Easter Monday");
        (await new Outbox(env.Blobs).ListAsync($"requests/{requestId}/", Ct)).ShouldNotContain(n => n.Contains("verification", StringComparison.Ordinal));
    }

    private async Task<string> SubmitAsync(string studyId, string type, string email)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", JsonSerializer.Serialize(new { studyId, type, email })), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requestId").GetString()!;
    }

    private Task<HttpResponseMessage> VerifyAsync(string requestId, string code) =>
        env.Http.SendAsync(Staff.PostJson($"/api/requests/{Uri.EscapeDataString(requestId)}/verify", JsonSerializer.Serialize(new { code })), Ct);

    /// <summary>The code, read from the email in the outbox as the participant would read it.</summary>
    private async Task<string> CodeSentAsync(string requestId)
    {
        var outbox = new Outbox(env.Blobs);
        var name = Outbox.BlobNameFor(requestId, "verification-code-1");
        await Eventually.GetAsync(() => outbox.ExistsAsync(name, Ct), exists => exists, because: "the code email");
        var message = await outbox.ReadAsync(name, Ct);
        return CodeLine().Match(message.TextBody!).Groups[1].Value;
    }

    private async Task<DataSubjectRequestRecord> WaitForStatusAsync(string requestId, string status) =>
        (await Eventually.GetAsync(() => new RequestStore(env.Tables).FindAsync(requestId, Ct), r => r?.Status == status, because: $"status {status}"))!;

    [GeneratedRegex(@"^\s+([0-9]{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();
}
