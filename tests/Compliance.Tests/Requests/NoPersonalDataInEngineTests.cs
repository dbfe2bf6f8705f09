using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Compliance.Audit;
using Compliance.SelfHost.Demo;
using Compliance.Requests;
using Compliance.Studies;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;

namespace Compliance.Tests.Requests;

/// <summary>
/// Requests of every type, run to completion with the DPO's free-text actions on the way (a clarifying question, an
/// extension's reason, a refusal's reason, a note), leave no name, email address or free text in the Durable task hub: not
/// in its history and instances tables, its blobs, or its queues.
/// </summary>
public sealed class NoPersonalDataInEngineTests(TestEnvironment env)
{
    private readonly RequestApi api = new(env);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_type_run_to_completion_leaves_ids_only_in_the_task_hub()
    {
        // Every piece of personal data and free text in this test carries the marker; the scan looks for it.
        var marker = Guid.NewGuid().ToString("N")[..10];
        var studyId = await StudyApi.RegisterStudyWithPolicyChangesAsync(env.Http, ("cutOff: 2024-09-02", "cutOff: 2099-01-01"));
        var people = new Dictionary<string, (string Id, string Email, string Name)>();
        foreach (var type in RequestType.All)
        {
            var email = $"zebedee.{type}.{marker}@example.org";
            var name = $"Zebedee Quartermaine{marker}";
            people[type] = (await StudyApi.RegisterParticipantAsync(env.Http, studyId, email, name), email, name);
        }

        var accessSession = await StudyApi.RegisterSessionAsync(env.Http, studyId, SessionKind.Interview, "2024-07-10", people[RequestType.Access].Id);
        var transcript = DemoData.InterviewTranscript + $"\nInterviewer: Thank you, {people[RequestType.Access].Name}.\n";
        await StudyApi.UploadAsync(env.Http, studyId, accessSession, ArtifactKind.Transcript, Encoding.UTF8.GetBytes(transcript), "text/plain");

        var ids = new Dictionary<string, string>();
        foreach (var type in RequestType.All)
        {
            var (_, email, name) = people[type];
            var details = type == RequestType.RectifyContact ? null : $"My private words {marker}";
            ids[type] = type == RequestType.RectifyContact
                ? await api.SubmitAsync(new { studyId, type, email, name, changes = new { email = $"zebedee.new.{marker}@example.org", phone = "01632 960123" } })
                : await api.SubmitAsync(new { studyId, type, email, name, details });
        }

        var stranger = await api.SubmitAsync(new { studyId, type = RequestType.OptOut, email = $"stranger.{marker}@example.org", name = $"Ulysses Stranger{marker}", details = $"I took part {marker}" });

        // Act: every type to its end.
        foreach (var type in RequestType.All.Except([RequestType.Complaint, RequestType.Query]))
        {
            await VerifyAsync(ids[type], "verification-code-1");
        }

        await VerifyAsync(ids[RequestType.RectifyContact], "address-confirmation");
        await api.CompleteTaskAsync(stranger, TaskKind.IdentityCheck, TaskOutcome.NotVerified);
        await api.OpenTaskAsync(ids[RequestType.Withdraw], TaskKind.Approval);
        await api.ActOkAsync(ids[RequestType.Withdraw], RequestAction.Approve);
        await api.WaitForAsync(ids[RequestType.Objection], r => r.DueDate is not null, "the objection's clock");
        await api.ActOkAsync(ids[RequestType.Objection], RequestAction.Refuse, new { reason = $"We see no grounds, {marker}.", exemption = RefusalExemption.ManifestlyUnfounded });
        await api.WaitForAsync(ids[RequestType.Query], r => r.DueDate is not null, "the query's clock");
        await api.ActOkAsync(ids[RequestType.Query], RequestAction.Clarify, new { question = $"Which letter do you mean, {marker}?" });
        await api.WaitForStatusAsync(ids[RequestType.Query], RequestStatus.Paused);
        await api.ActOkAsync(ids[RequestType.Query], RequestAction.Resume);
        await api.WaitForStatusAsync(ids[RequestType.Query], RequestStatus.InProgress);
        await api.ActOkAsync(ids[RequestType.Query], RequestAction.Extend, new { reason = $"It touches every recording, {marker}." });
        await api.WaitForAsync(ids[RequestType.Query], r => r.ExtendedTo is not null, "the extension");
        await api.ActOkAsync(ids[RequestType.Complaint], RequestAction.Note, new { text = $"Called back {marker}." });
        foreach (var type in new[] { RequestType.Query, RequestType.Complaint })
        {
            await api.CompleteTaskAsync(ids[type], TaskKind.DpoReview, TaskOutcome.Resolved);
        }

        var ends = new Dictionary<string, string>();
        foreach (var (type, id) in ids.Append(new("stranger", stranger)))
        {
            ends[type] = (await api.WaitForWorkflowAsync(id)).ReadOutputAs<Compliance.Functions.Requests.RequestWorkflowResult>()!.Status;
        }

        ends.ShouldBe(
            new Dictionary<string, string>(RequestType.All.ToDictionary(t => t, t => t == RequestType.Objection ? RequestStatus.Refused : RequestStatus.Completed)) { ["stranger"] = RequestStatus.ClosedUnverified },
            ignoreOrder: true);

        // Assert: the marker is nowhere in what the engine stored for this run's task hub.
        var hub = env.Host.TaskHub;
        var found = new List<string>();
        var rowsScanned = 0;
        await foreach (var tableItem in env.Tables.QueryAsync(cancellationToken: Ct))
        {
            if (tableItem.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase))
            {
                await foreach (var row in env.Tables.GetTableClient(tableItem.Name).QueryAsync<TableEntity>(cancellationToken: Ct))
                {
                    rowsScanned++;
                    var text = string.Join("|", row.Select(kv => kv.Value?.ToString() ?? string.Empty));
                    if (text.Contains(marker, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add($"table {tableItem.Name} {row.PartitionKey}/{row.RowKey}");
                    }
                }
            }
        }

        await foreach (var container in env.Blobs.GetBlobContainersAsync(cancellationToken: Ct))
        {
            if (container.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase))
            {
                var client = env.Blobs.GetBlobContainerClient(container.Name);
                await foreach (var blob in client.GetBlobsAsync(cancellationToken: Ct))
                {
                    var content = Encoding.UTF8.GetString((await client.GetBlobClient(blob.Name).DownloadContentAsync(Ct)).Value.Content.ToArray());
                    if (content.Contains(marker, StringComparison.OrdinalIgnoreCase) || blob.Name.Contains(marker, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add($"blob {container.Name}/{blob.Name}");
                    }
                }
            }
        }

        var queues = new QueueServiceClient(env.StorageConnectionString);
        await foreach (var queue in queues.GetQueuesAsync(cancellationToken: Ct))
        {
            if (queue.Name.StartsWith(hub, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var message in (await queues.GetQueueClient(queue.Name).PeekMessagesAsync(32, Ct)).Value)
                {
                    if (message.Body.ToString().Contains(marker, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add($"queue {queue.Name}");
                    }
                }
            }
        }

        // The scan did read this test's workflows: each has its instance row and its history in the hub.
        var history = env.Tables.GetTableClient(hub + "History");
        foreach (var id in ids.Values.Append(stranger))
        {
            var events = 0;
            await foreach (var _ in history.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {id}"), select: ["EventType"], cancellationToken: Ct))
            {
                events++;
            }

            events.ShouldBeGreaterThan(0, id);
        }

        rowsScanned.ShouldBeGreaterThan(ids.Count * 10);
        found.ShouldBeEmpty();

        // And the personal data did travel where it should: in the emails, outside the engine.
        var clarify = (await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(ids[RequestType.Query], null, Ct))
            .First(e => e.Action == AuditActions.ActionRequested && e.Details["action"] == RequestAction.Clarify).Details["actionId"];
        (await api.EmailAsync(ids[RequestType.Query], $"clarification-{clarify}")).TextBody!.ShouldContain(marker);
    }

    private async Task VerifyAsync(string requestId, string messageKey)
    {
        using var response = await api.VerifyAsync(requestId, await api.CodeAsync(requestId, messageKey));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, requestId);
    }
}
