using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Functions.Mail;
using Compliance.Functions.Retention;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Compliance.Tests.Requests;
using Compliance.Benchmarks.Reliability;

namespace Compliance.Benchmarks.Calls;

/// <summary>
/// Takes one request of a kind from its first call to its end as <see cref="RequestJourney"/> does, but waits by reading
/// storage past the proxy (request rows, tasks, the outbox, the engine's Instances table), so the only calls counted are
/// those the participant's and staff's own steps cause: the submission, a code entered, an approval, a task completed,
/// and the outbox sends that deliver its emails.
/// </summary>
internal sealed class CallsDriver(HttpClient http, RequestApi api, TableServiceClient tables, BlobServiceClient blobs, string taskHub, string mailStudy, Func<Task> sendOutbox)
{
    /// <summary>The request kinds measured: each type, and an opt-out made by email whose code comes back in a reply.</summary>
    public static readonly string[] Kinds =
    [
        RequestType.Access, RequestType.Withdraw, RequestType.EraseContact, RequestType.RectifyContact, RequestType.OptOut,
        RequestType.Objection, RequestType.Complaint, RequestType.Query, ByEmail,
    ];

    public const string ByEmail = "opt-out by email";

    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Runs one request of <paramref name="kind"/> to its finished workflow with every email sent.</summary>
    public async Task RunAsync(string kind, RequestJourney.Subject subject)
    {
        var id = kind == ByEmail ? await ByEmailAsync(subject) : await ByApiAsync(kind, subject);
        await CompletedAsync(id);
        await SendAllAsync();
    }

    /// <summary>The sweep of <paramref name="studyId"/>, as the DPO's <c>POST /api/retention/run</c> starts it, to its certificate.</summary>
    public async Task SweepAsync(string studyId)
    {
        using var response = await http.SendAsync(Staff.PostJson("/api/retention/run", JsonSerializer.Serialize(new { studyId }), Role.Dpo));
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"POST /api/retention/run answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await CompletedAsync(RetentionSweepOrchestration.InstanceIdFor(studyId), TimeSpan.FromMinutes(10));
        await SendAllAsync();
    }

    /// <summary>Sends the outbox until nothing in it is pending or unaudited (usually one pass).</summary>
    public async Task SendAllAsync()
    {
        for (var pass = 0; ; pass++)
        {
            await sendOutbox();
            var states = await SoakBenchmark.OutboxStatesAsync(blobs);
            if (states.All(s => s.State is OutboxMetadata.Sent or OutboxMetadata.Failed && s.Audited))
            {
                return;
            }

            if (pass >= 20)
            {
                throw new TimeoutException($"The outbox did not empty: {string.Join(", ", states.Where(s => s.State != OutboxMetadata.Sent).Select(s => $"{s.Name} {s.State}"))}");
            }

            await Task.Delay(100);
        }
    }

    private async Task<string> ByApiAsync(string type, RequestJourney.Subject subject)
    {
        var (studyId, email, participantId, _) = subject;
        string id;
        switch (type)
        {
            case RequestType.Access or RequestType.EraseContact:
                id = await api.SubmitConfirmedAsync(studyId, type, email);
                break;
            case RequestType.Withdraw:
                id = await api.SubmitConfirmedAsync(studyId, type, email);
                await OpenTaskAsync(id, TaskKind.Approval);
                await api.ActOkAsync(id, RequestAction.Approve);
                break;
            case RequestType.RectifyContact:
                id = await api.SubmitConfirmedAsync(studyId, type, email, changes: new { email = $"new.{participantId}.{Guid.NewGuid():N}@example.org" });
                await api.WaitForStatusAsync(id, RequestStatus.AwaitingAddressConfirmation, Patience);
                await VerifyAsync(id, await DeliveredCodeAsync(id, "address-confirmation"));
                break;
            case RequestType.OptOut:
                id = await api.SubmitAsync(new { studyId, type, email });
                await VerifyAsync(id, await DeliveredCodeAsync(id, "verification-code-1"));
                break;
            default:
                id = await api.SubmitAsync(new { studyId, type, email });
                if (type == RequestType.Objection)
                {
                    await VerifyAsync(id, await DeliveredCodeAsync(id, "verification-code-1"));
                }

                await CompleteTaskAsync(id, TaskKind.DpoReview, TaskOutcome.Resolved);
                break;
        }

        if (type is RequestType.Withdraw or RequestType.EraseContact)
        {
            await CompleteTaskAsync(id, TaskKind.SupplierConfirmation, TaskOutcome.Confirmed);
        }

        return id;
    }

    /// <summary>An opt-out written to the research mailbox, delivered once by the relay; the code is read from its email and sent back in a reply.</summary>
    private async Task<string> ByEmailAsync(RequestJourney.Subject subject)
    {
        var first = await DeliverAsync(MailIntakeTests.Compose(subject.Email, "Contact", "Please do not contact me again about the study.", null));
        await CompletedAsync(first);
        var request = (await api.Store.ListAsync(null, mailStudy)).Single(r => r.RequesterEmail == subject.Email);
        var code = await DeliveredCodeAsync(request.RequestId, "verification-code-1");
        var codeEmail = await api.EmailAsync(request.RequestId, "verification-code-1");
        var quoted = "> " + codeEmail.TextBody!.Replace("\n", "\n> ", StringComparison.Ordinal);
        var reply = await DeliverAsync(MailIntakeTests.Compose(subject.Email, "Re: " + codeEmail.Subject, $"Here it is: {code}\n\nThanks\n\n{quoted}", codeEmail.MessageId));
        await CompletedAsync(reply);
        return request.RequestId;
    }

    /// <summary>The code of the request's email <paramref name="messageKey"/>, once it is written and the outbox has sent it.</summary>
    private async Task<string> DeliveredCodeAsync(string requestId, string messageKey)
    {
        var name = Outbox.BlobNameFor(requestId, messageKey);
        await Eventually.GetAsync(() => api.Outbox.ExistsAsync(name), exists => exists, Patience, $"the {messageKey} email of {requestId}");
        await SendAllAsync();
        return await api.CodeAsync(requestId, messageKey);
    }

    private async Task VerifyAsync(string requestId, string code)
    {
        using var response = await api.VerifyAsync(requestId, code);
        response.EnsureSuccessStatusCode();
    }

    private async Task<ManualTask> OpenTaskAsync(string requestId, string kind) =>
        (await Eventually.GetAsync(
            () => new TaskStore(tables).ListAsync(TaskStore.Open, WorkflowRef.Request(requestId)),
            open => open.Any(t => t.Kind == kind),
            Patience,
            $"a {kind} task for {requestId}")).First(t => t.Kind == kind);

    /// <summary>Completes the request's open task of <paramref name="kind"/> as its assignee, as the work queue's button does.</summary>
    private async Task CompleteTaskAsync(string requestId, string kind, string outcome)
    {
        var task = await OpenTaskAsync(requestId, kind);
        using var response = await http.SendAsync(Staff.PostJson($"/api/tasks/{Uri.EscapeDataString(task.TaskId)}/complete", JsonSerializer.Serialize(new { outcome }), task.AssigneeRole));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Completing {task.TaskId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Waits for the instance to complete, reading the engine's Instances table past the proxy (the Durable client's status query would be counted).</summary>
    private async Task CompletedAsync(string instanceId, TimeSpan? timeout = null)
    {
        var instances = tables.GetTableClient(taskHub + "Instances");
        var status = await Eventually.GetAsync(
            async () => (await instances.GetEntityIfExistsAsync<TableEntity>(instanceId, string.Empty)) is { HasValue: true } row ? row.Value!.GetString("RuntimeStatus") : null,
            s => s is "Completed" or "Failed" or "Terminated",
            timeout ?? Patience,
            $"{instanceId} to finish");
        if (status != "Completed")
        {
            throw new InvalidOperationException($"{instanceId} ended {status}");
        }
    }

    /// <summary>Posts a raw message to the intake route as the relay does; returns its intake key (its workflow's instance id).</summary>
    private async Task<string> DeliverAsync(byte[] raw)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mail/inbound") { Content = new ByteArrayContent(raw) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("message/rfc822");
        request.Headers.Add(InboundMailHttp.KeyHeader, TestEnvironment.RelayKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<InboundMailResponse>())!.IntakeKey;
    }
}
