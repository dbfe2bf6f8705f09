using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Compliance.Identity;
using Compliance.Requests;
using Compliance.Tasks;
using Compliance.Tests.Identity;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Tasks;

/// <summary>Manual tasks resume the waiting workflow: the DPO's identity decision for a requester no participant's address matched.</summary>
public sealed class ManualTaskTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_DPOs_decision_that_a_requester_is_the_participant_starts_the_clock()
    {
        var requestId = await SubmitFromUnknownAddressAsync();
        var task = await OpenTaskAsync(requestId);

        task.GetProperty("kind").GetString().ShouldBe(TaskKind.IdentityCheck);
        task.GetProperty("assigneeRole").GetString().ShouldBe(Role.Dpo);
        task.GetProperty("dueAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddDays(29));
        var taskId = task.GetProperty("taskId").GetString()!;

        using var completed = await CompleteAsync(taskId, TaskOutcome.Verified, Role.Dpo);
        completed.StatusCode.ShouldBe(HttpStatusCode.OK);

        var instance = await Eventually.GetAsync(() => env.Durable.GetInstanceAsync(requestId, true, Ct), i => i is { IsCompleted: true }, because: "the workflow to go on");
        instance!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed);
        var request = (await new RequestStore(env.Tables).FindAsync(requestId, Ct))!;
        request.Status.ShouldBe(RequestStatus.Completed);
        request.Outcome.ShouldBe("no-data", "verified, but linked to no participant: there is no data to give");
        request.DueDateDerivation.ShouldContain(line => line.StartsWith("clock started on identity confirmation", StringComparison.Ordinal));

        using var again = await CompleteAsync(taskId, TaskOutcome.NotVerified, Role.Dpo);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_DPOs_decision_that_a_requester_is_not_the_participant_closes_the_request()
    {
        var requestId = await SubmitFromUnknownAddressAsync();
        var taskId = (await OpenTaskAsync(requestId)).GetProperty("taskId").GetString()!;

        using var completed = await CompleteAsync(taskId, TaskOutcome.NotVerified, Role.Dpo);

        completed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var instance = await Eventually.GetAsync(() => env.Durable.GetInstanceAsync(requestId, true, Ct), i => i is { IsCompleted: true }, because: "the request to close");
        instance!.SerializedOutput!.ShouldContain(RequestStatus.ClosedUnverified);
        using var open = await env.Http.SendAsync(Staff.Get($"/api/tasks?requestId={requestId}", Role.Dpo), Ct);
        (await open.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("tasks").GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData(Role.Researcher, HttpStatusCode.Forbidden)]
    [InlineData(Role.Admin, HttpStatusCode.Forbidden)]
    [InlineData(Role.OnsAnalyst, HttpStatusCode.Forbidden)]
    [InlineData(Role.Transcriber, HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Only_the_role_a_task_names_may_complete_it(string? role, HttpStatusCode expected)
    {
        var requestId = await SubmitFromUnknownAddressAsync();
        var taskId = (await OpenTaskAsync(requestId)).GetProperty("taskId").GetString()!;

        using var response = await CompleteAsync(taskId, TaskOutcome.Verified, role);

        response.StatusCode.ShouldBe(expected);
        (await new TaskStore(env.Tables).FindAsync(taskId, Ct))!.Status.ShouldBe(TaskStore.Open);
    }

    [Theory]
    [InlineData(Role.Dpo, HttpStatusCode.OK)]
    [InlineData(Role.Researcher, HttpStatusCode.OK)]
    [InlineData(Role.Admin, HttpStatusCode.OK)]
    [InlineData(Role.OnsAnalyst, HttpStatusCode.Forbidden)]
    [InlineData(Role.Transcriber, HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Staff_who_handle_requests_may_list_tasks(string? role, HttpStatusCode expected)
    {
        using var response = await env.Http.SendAsync(Staff.Get("/api/tasks", role), Ct);

        response.StatusCode.ShouldBe(expected);
    }

    [Theory]
    [InlineData("/api/tasks?status=everything", "status")]
    [InlineData("/api/tasks?requestId=x%27%20or%20true%20or%20%27%27%3D%27", "requestId")]
    public async Task A_bad_task_query_is_a_400(string path, string field)
    {
        using var response = await env.Http.SendAsync(Staff.Get(path, Role.Dpo), Ct);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await RouteAuthorizationTests.ShouldBeProblemAsync(response, "validation")).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task A_bad_outcome_or_an_unknown_task_is_refused()
    {
        var requestId = await SubmitFromUnknownAddressAsync();
        var taskId = (await OpenTaskAsync(requestId)).GetProperty("taskId").GetString()!;

        using var badOutcome = await CompleteAsync(taskId, "maybe", Role.Dpo);
        using var unknown = await CompleteAsync("DSR-20260101-00000000.identity-check", TaskOutcome.Verified, Role.Dpo);

        badOutcome.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await RouteAuthorizationTests.ShouldBeProblemAsync(badOutcome, "validation")).GetProperty("errors").TryGetProperty("outcome", out _).ShouldBeTrue();
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<string> SubmitFromUnknownAddressAsync()
    {
        using var response = await env.Http.SendAsync(
            Staff.PostJson("/api/requests", JsonSerializer.Serialize(new { studyId = TestEnvironment.StudyId, type = "access", email = $"unknown.{Guid.NewGuid():N}@example.org", name = "Someone" })),
            Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requestId").GetString()!;
    }

    private async Task<JsonElement> OpenTaskAsync(string requestId)
    {
        var page = await Eventually.GetAsync(
            async () =>
            {
                using var response = await env.Http.SendAsync(Staff.Get($"/api/tasks?requestId={requestId}", Role.Dpo), Ct);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            },
            p => p.GetProperty("tasks").GetArrayLength() > 0,
            because: "the identity-check task");
        var task = page.GetProperty("tasks")[0];
        task.GetProperty("requestId").GetString().ShouldBe(requestId);
        task.GetRawText().ShouldNotContain("@");
        return task;
    }

    private Task<HttpResponseMessage> CompleteAsync(string taskId, string outcome, string? role) =>
        env.Http.SendAsync(Staff.PostJson($"/api/tasks/{Uri.EscapeDataString(taskId)}/complete", JsonSerializer.Serialize(new { outcome }), role), Ct);
}
