using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using MimeKit;

namespace Compliance.Tests.Requests;

/// <summary>The walking skeleton: a request over HTTP through the real engine to a stored record and an acknowledgement.</summary>
public sealed class SubmitRequestTests(TestEnvironment env)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_request_is_recorded_acknowledged_once_and_reported_to_staff()
    {
        // Arrange
        var email = $"alex.{Guid.NewGuid():N}@example.org";
        var body = JsonSerializer.Serialize(new { studyId = "MPATI", type = "query", email, name = "Alex Example", details = "What happens to my transcript?" });

        // Act
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body), TestContext.Current.CancellationToken);

        // Assert: 202 with the contract's fields and a Location that is the status URL
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var accepted = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
        var requestId = accepted.GetProperty("requestId").GetString()!;
        RequestId.IsWellFormed(requestId).ShouldBeTrue();
        accepted.GetProperty("status").GetString().ShouldBe(RequestStatus.Received);
        var statusUrl = accepted.GetProperty("statusUrl").GetString()!;
        statusUrl.ShouldEndWith($"/api/requests/{requestId}");
        response.Headers.Location!.ToString().ShouldBe(statusUrl);

        // The orchestration (instance id = request id) completes once the DPO has answered the query, carrying ids only
        await new RequestApi(env).CompleteTaskAsync(requestId, Compliance.Tasks.TaskKind.DpoReview, Compliance.Tasks.TaskOutcome.Resolved);
        var instance = await Eventually.GetAsync(
            () => env.Durable.GetInstanceAsync(requestId, getInputsAndOutputs: true, TestContext.Current.CancellationToken),
            i => i is { IsCompleted: true },
            because: "the request's orchestration to complete");
        instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        instance.Name.ShouldBe("DataSubjectRequest");
        instance.SerializedInput!.ShouldContain(requestId);
        instance.SerializedOutput!.ShouldContain(requestId);
        foreach (var state in new[] { instance.SerializedInput, instance.SerializedOutput, instance.SerializedCustomStatus })
        {
            state.ShouldNotBeNull();
            state!.ShouldNotContain(email, Case.Insensitive);
            state.ShouldNotContain("Alex", Case.Insensitive);
            state.ShouldNotContain("transcript", Case.Insensitive);
        }

        // Staff see the stored request, acknowledged, with its history and no contact details
        using var get = await env.Http.SendAsync(Staff.Get(statusUrl, Role.Dpo), TestContext.Current.CancellationToken);
        get.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await get.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        text.ShouldNotContain(email);
        var view = JsonSerializer.Deserialize<JsonElement>(text, Json);
        view.GetProperty("requestId").GetString().ShouldBe(requestId);
        view.GetProperty("studyId").GetString().ShouldBe("MPATI");
        view.GetProperty("type").GetString().ShouldBe("query");
        view.GetProperty("status").GetString().ShouldBe(RequestStatus.Completed);
        view.GetProperty("outcome").GetString().ShouldBe("reviewed");
        view.GetProperty("channel").GetString().ShouldBe("web");
        view.GetProperty("pausedDays").GetInt32().ShouldBe(0);
        foreach (var field in new[] { "receivedAt", "clockStartedAt", "dueDate", "dueDateDerivation", "extendedTo", "outcome", "history" })
        {
            view.TryGetProperty(field, out _).ShouldBeTrue($"GET /api/requests/{{id}} has no '{field}'");
        }

        view.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()).ShouldBe(["received", "prepared", "acknowledged", "clock-started", "outcome-sent", "completed"]);

        // A query needs no verification: the clock starts on the day of receipt, and the due date carries its derivation.
        var receivedOn = UkTime.DateOf(view.GetProperty("receivedAt").GetDateTimeOffset());
        view.GetProperty("clockStartedAt").GetDateTimeOffset().ShouldBe(view.GetProperty("receivedAt").GetDateTimeOffset());
        var derivation = view.GetProperty("dueDateDerivation").EnumerateArray().Select(l => l.GetString()!).ToList();
        derivation[0].ShouldStartWith($"received {receivedOn:yyyy-MM-dd}");
        derivation[^1].ShouldBe($"due {view.GetProperty("dueDate").GetString()}");

        // Exactly one acknowledgement and one outcome, to the requester, threaded by the request id
        var outbox = new Outbox(env.Blobs);
        var blobs = await outbox.ListAsync($"requests/{requestId}/", TestContext.Current.CancellationToken);
        blobs.ShouldBe([Outbox.BlobNameFor(requestId, RequestEmails.AcknowledgementKey), Outbox.BlobNameFor(requestId, "outcome")], ignoreOrder: true);
        var message = await outbox.ReadAsync(Outbox.BlobNameFor(requestId, RequestEmails.AcknowledgementKey), TestContext.Current.CancellationToken);
        message.To.Mailboxes.Single().Address.ShouldBe(email);
        message.Subject!.ShouldContain($"[Ref {requestId}]");
        message.MessageId.ShouldStartWith(requestId);
        message.TextBody!.ShouldContain(requestId);
        message.HtmlBody!.ShouldContain(requestId);
        message.From.Mailboxes.Single().Address.ShouldBe("MPATI@natcen.ac.uk", "emails come from the study policy's research mailbox");
        message.TextBody!.ShouldContain("dpo@natcen.ac.uk", customMessage: "a query's acknowledgement carries the DPO's details");
        message.TextBody!.ShouldContain("0303 123 1113", customMessage: "and the ICO's");
        blobs[0].ShouldNotContain("alex", Case.Insensitive);
    }

    [Fact]
    public async Task Staff_can_enter_a_request_received_by_letter_with_its_date_and_confirmed_identity()
    {
        var body = JsonSerializer.Serialize(new
        {
            studyId = "MPATI",
            type = "erase-contact",
            email = $"sam.{Guid.NewGuid():N}@example.org",
            receivedAt = "2026-03-03",
            channel = "letter",
            identityConfirmed = true,
        });
        using var post = Staff.PostJson("/api/requests", body);
        post.SignIn(Role.Researcher, id: "researcher-7");

        using var response = await env.Http.SendAsync(post, TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("requestId").GetString()!;
        var stored = await new RequestStore(env.Tables).FindAsync(requestId, TestContext.Current.CancellationToken);
        stored.ShouldNotBeNull();
        stored.Channel.ShouldBe("letter");
        stored.IdentityConfirmed.ShouldBeTrue();
        stored.EnteredBy.ShouldBe("researcher-7");
        // 3 March 2026 is GMT, so the start of that UK day is midnight UTC.
        stored.ReceivedAt.ShouldBe(new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_date_in_British_Summer_Time_means_the_start_of_that_UK_day()
    {
        var body = JsonSerializer.Serialize(new { studyId = "MPATI", type = "query", email = $"q.{Guid.NewGuid():N}@example.org", receivedAt = "2026-07-01", channel = "phone" });
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", body, Role.Dpo), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("requestId").GetString()!;
        var stored = await new RequestStore(env.Tables).FindAsync(requestId, TestContext.Current.CancellationToken);
        stored!.ReceivedAt.ShouldBe(new DateTimeOffset(2026, 6, 30, 23, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("DSR-20261125-ZZZZZZZZ")]
    [InlineData("not-a-request-id")]
    [InlineData("DSR-20261125-ZZZZZZZZ' or true or ''='")]
    public async Task An_unknown_request_is_a_404_problem(string id)
    {
        using var response = await env.Http.SendAsync(Staff.Get($"/api/requests/{Uri.EscapeDataString(id)}", Role.Dpo), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        problem.GetProperty("type").GetString().ShouldBe("urn:compliance:problem:not-found");
        problem.GetProperty("status").GetInt32().ShouldBe(404);
    }
}
