using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Requests;

/// <summary>
/// Requests of every type, through verification to the statutory clock, leave no name, email address or free text in the
/// Durable task hub: not in its history and instances tables, its blobs, or its queues.
/// </summary>
public sealed partial class NoPersonalDataInEngineTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_task_hub_holds_ids_only()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var name = $"Zebedee Quartermaine{marker}";
        var held = $"zebedee.{marker}@example.org";
        var stranger = $"stranger.{marker}@example.org";
        var details = $"My secret words {marker}";
        var studyId = await StudyApi.RegisterStudyAsync(env.Http);
        await StudyApi.RegisterParticipantAsync(env.Http, studyId, held, name);

        var ids = new List<string>();
        foreach (var type in RequestType.All)
        {
            ids.Add(await SubmitAsync(new { studyId, type, email = held, name, details }));
            ids.Add(await SubmitAsync(new { studyId, type, email = stranger, name, details }));
        }

        // Verify every request that was sent a code, with the code from its email, so the workflows go on to the clock.
        var outbox = new Outbox(env.Blobs);
        foreach (var id in ids)
        {
            var codeBlob = Outbox.BlobNameFor(id, "verification-code-1");
            if (await Eventually.GetAsync(() => new RequestStore(env.Tables).FindAsync(id, Ct), r => r?.Status is RequestStatus.AwaitingVerification or RequestStatus.AwaitingIdentityCheck or RequestStatus.InProgress or RequestStatus.Duplicate, because: "each request to settle") is { Status: RequestStatus.AwaitingVerification })
            {
                await Eventually.GetAsync(() => outbox.ExistsAsync(codeBlob, Ct), e => e, because: "the code email");
                var code = CodeLine().Match((await outbox.ReadAsync(codeBlob, Ct)).TextBody!).Groups[1].Value;
                using var verify = await env.Http.SendAsync(Staff.PostJson($"/api/requests/{id}/verify", JsonSerializer.Serialize(new { code })), Ct);
                verify.StatusCode.ShouldBe(HttpStatusCode.OK);
            }
        }

        foreach (var id in ids)
        {
            await Eventually.GetAsync(() => new RequestStore(env.Tables).FindAsync(id, Ct), r => r!.Status is RequestStatus.InProgress or RequestStatus.AwaitingIdentityCheck or RequestStatus.Duplicate, because: "each request to reach its clock or the DPO");
        }

        // Scan everything the engine stored for this run's task hub.
        var hub = env.Host.TaskHub;
        var forbidden = new[] { marker };
        var found = new List<string>();
        await foreach (var tableItem in env.Tables.QueryAsync(cancellationToken: Ct))
        {
            if (!tableItem.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            await foreach (var row in env.Tables.GetTableClient(tableItem.Name).QueryAsync<TableEntity>(cancellationToken: Ct))
            {
                var text = string.Join("|", row.Select(kv => kv.Value?.ToString() ?? string.Empty));
                found.AddRange(forbidden.Where(f => text.Contains(f, StringComparison.OrdinalIgnoreCase)).Select(_ => $"table {tableItem.Name} {row.PartitionKey}/{row.RowKey}"));
            }
        }

        await foreach (var container in env.Blobs.GetBlobContainersAsync(cancellationToken: Ct))
        {
            if (!container.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var client = env.Blobs.GetBlobContainerClient(container.Name);
            await foreach (var blob in client.GetBlobsAsync(cancellationToken: Ct))
            {
                var content = Encoding.UTF8.GetString((await client.GetBlobClient(blob.Name).DownloadContentAsync(Ct)).Value.Content.ToArray());
                found.AddRange(forbidden.Where(f => content.Contains(f, StringComparison.OrdinalIgnoreCase) || blob.Name.Contains(f, StringComparison.OrdinalIgnoreCase)).Select(_ => $"blob {container.Name}/{blob.Name}"));
            }
        }

        var queues = new QueueServiceClient(env.StorageConnectionString);
        await foreach (var queue in queues.GetQueuesAsync(cancellationToken: Ct))
        {
            if (!queue.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32, Ct)).Value)
            {
                found.AddRange(forbidden.Where(f => message.Body.ToString().Contains(f, StringComparison.OrdinalIgnoreCase)).Select(_ => $"queue {queue.Name}"));
            }
        }

        // The scan did look at this run's work: every request's workflow (but duplicates') is in the instances table.
        var instances = env.Tables.GetTableClient(hub + "Instances");
        foreach (var id in ids)
        {
            var status = (await new RequestStore(env.Tables).FindAsync(id, Ct))!.Status;
            (await instances.GetEntityIfExistsAsync<TableEntity>(id, string.Empty, cancellationToken: Ct)).HasValue.ShouldBe(status != RequestStatus.Duplicate, id);
        }

        found.ShouldBeEmpty();
    }

    private async Task<string> SubmitAsync(object body)
    {
        using var response = await env.Http.SendAsync(Staff.PostJson("/api/requests", JsonSerializer.Serialize(body)), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("requestId").GetString()!;
    }

    [GeneratedRegex(@"^\s+([0-9]{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();
}
