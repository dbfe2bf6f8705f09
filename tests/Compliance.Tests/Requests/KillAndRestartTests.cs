using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// A self-host killed while request workflows are in flight: after a restart on the same task hub each completes,
/// exactly once, with one stored request and one acknowledgement.
/// </summary>
public sealed class KillAndRestartTests(TestEnvironment env)
{
    private const int RequestCount = 12;

    [Fact]
    public async Task Requests_in_flight_when_the_host_is_killed_complete_exactly_once_after_a_restart()
    {
        // Arrange: a self-host process of its own, on a task hub of its own.
        var taskHub = TestEnvironment.NewTaskHubName();
        var instances = env.Tables.GetTableClient(taskHub + "Instances");
        var requestIds = new List<string>();
        var first = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub);
        Dictionary<string, string> statusAtKill;
        try
        {
            using var http = TestEnvironment.ClientFor(first.BaseAddress);
            for (var i = 0; i < RequestCount; i++)
            {
                var body = JsonSerializer.Serialize(new { studyId = "MPATI", type = "query", email = $"kill.{i}.{Guid.NewGuid():N}@example.org" });
                using var response = await http.SendAsync(Staff.PostJson("/api/requests", body), TestContext.Current.CancellationToken);
                response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
                requestIds.Add((await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("requestId").GetString()!);
            }

            // Act 1: kill -9 while workflows run.
            await first.KillAsync();
            statusAtKill = await RuntimeStatusesAsync(instances, requestIds);
        }
        finally
        {
            await first.DisposeAsync();
        }

        statusAtKill.Values.Count(s => s != "Completed").ShouldBeGreaterThan(0, "the host should have been killed with work in flight: " + string.Join(", ", statusAtKill.Values));

        // Act 2: a new process on the same task hub.
        await using var second = await SelfHostProcess.StartAsync(env.StorageConnectionString, taskHub);
        Dictionary<string, string> finalStatus;
        try
        {
            finalStatus = await Eventually.GetAsync(
                () => RuntimeStatusesAsync(instances, requestIds),
                statuses => statuses.Values.All(s => s is "Completed" or "Failed" or "Terminated"),
                timeout: TimeSpan.FromMinutes(1.5),
                because: "every workflow to finish after the restart");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(
                $"{ex.Message}\nAt kill: {string.Join(", ", statusAtKill.Values)}\nNow: {string.Join(", ", (await RuntimeStatusesAsync(instances, requestIds)).Values)}\nSecond host printed:\n{second.Output}", ex);
        }

        // Assert: every workflow completed, each with one request row, one history entry per step and one acknowledgement.
        finalStatus.Values.ShouldAllBe(s => s == "Completed");
        var requests = env.Tables.GetTableClient(StorageLayout.Tables.Requests);
        var outbox = new Outbox(env.Blobs);
        foreach (var requestId in requestIds)
        {
            var rows = new List<TableEntity>();
            await foreach (var row in requests.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {requestId}"), cancellationToken: TestContext.Current.CancellationToken))
            {
                rows.Add(row);
            }

            rows.Count(r => r.RowKey == "request").ShouldBe(1);
            rows.Where(r => r.RowKey.StartsWith("history|", StringComparison.Ordinal)).OrderBy(r => r.GetDateTimeOffset("At")).Select(r => r.GetString("Event"))
                .ShouldBe(["received", "prepared", "acknowledged", "clock-started"], $"history of {requestId}");
            rows.Single(r => r.RowKey == "request").GetString("Status").ShouldBe(RequestStatus.InProgress);
            (await outbox.ListAsync($"requests/{requestId}/", TestContext.Current.CancellationToken)).ShouldBe([Outbox.BlobNameFor(requestId, RequestEmails.AcknowledgementKey)]);
        }
    }

    private static async Task<Dictionary<string, string>> RuntimeStatusesAsync(TableClient instances, IEnumerable<string> instanceIds)
    {
        var statuses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in instanceIds)
        {
            var row = await instances.GetEntityIfExistsAsync<TableEntity>(id, string.Empty, cancellationToken: TestContext.Current.CancellationToken);
            statuses[id] = row.HasValue ? row.Value!.GetString("RuntimeStatus") ?? "?" : "Missing";
        }

        return statuses;
    }
}
