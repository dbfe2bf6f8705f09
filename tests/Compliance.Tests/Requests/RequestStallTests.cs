using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Compliance.Audit;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.SelfHost;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Requests;

/// <summary>
/// A workflow step that fails every retry (here the outbox's container is gone, so no email can be written) does not fail the
/// workflow: the request shows the stall, in the queue and on its page, and the DPO's retry runs the step again once the cause
/// is put right. On an Azurite of its own, since the fault is one of the whole storage account.
/// </summary>
public sealed class RequestStallTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_step_that_fails_its_retries_stalls_the_request_visibly_and_the_dpos_retry_runs_it_again_once_the_cause_is_gone()
    {
        await using var storage = await OwnStorage.StartAsync(Ct);
        await using var host = await storage.StartHostAsync(env);
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var api = new RequestApi(http, storage.Tables, storage.Blobs, host.Services.GetRequiredService<DurableTaskClient>());
        var studyId = await StudyApi.RegisterStudyAsync(http);
        var outbox = storage.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);
        await outbox.DeleteAsync(cancellationToken: Ct);

        var email = $"stall.{Guid.NewGuid():N}@example.org";
        var requestId = await api.SubmitConfirmedAsync(studyId, "complaint", email);

        // The acknowledgement cannot be written; after its retries (about 15 s) the request records the stall.
        var stalled = await Eventually.GetAsync(() => api.Store.FindAsync(requestId, Ct), r => r?.Stall is not null, TimeSpan.FromSeconds(60), "the request to record its stalled step");
        stalled!.Stall!.Step.ShouldBe("AcknowledgeRequest");
        stalled.Stall.Failures.ShouldBe(1);
        stalled.Stall.Error.ShouldNotBeNullOrWhiteSpace();
        (await host.Services.GetRequiredService<DurableTaskClient>().GetInstanceAsync(requestId, Ct))!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Running);

        var view = await api.ViewAsync(requestId);
        view.GetProperty("stall").GetProperty("step").GetString().ShouldBe("AcknowledgeRequest");
        view.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()).ShouldContain(RequestAction.Retry);
        using (var list = await http.SendAsync(Staff.Get($"/api/requests?studyId={studyId}", Role.Dpo), Ct))
        {
            var page = await list.Content.ReadFromJsonAsync<JsonElement>(Ct);
            page.GetProperty("requests").EnumerateArray().Single(r => r.GetProperty("requestId").GetString() == requestId)
                .GetProperty("stalledStep").GetString().ShouldBe("AcknowledgeRequest");
        }

        var failedEntry = (await new AuditLog(storage.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct)).Single(e => e.Action == AuditActions.StepFailed);
        failedEntry.Details["step"].ShouldBe("AcknowledgeRequest");
        JsonSerializer.Serialize(failedEntry).ShouldNotContain(email, Case.Insensitive);

        // The cause put right, the DPO retries: the acknowledgement is written and the workflow goes on to the DPO's review.
        await RecreateAsync(outbox);
        await api.ActOkAsync(requestId, RequestAction.Retry);
        var recovered = await api.WaitForAsync(requestId, r => r.Stall is null, "the retried step to clear the stall");
        recovered.Status.ShouldNotBe(RequestStatus.Received);
        (await api.EmailAsync(requestId, RequestEmails.AcknowledgementKey)).To.ToString().ShouldContain(email);
        var history = await api.Store.GetHistoryAsync(requestId, Ct);
        history.Select(h => h.Event).ShouldContain("step-failed");
        history.Single(h => h.Event == "step-retried").Actor.ShouldBe("staff-1");
        var audit = await new AuditLog(storage.Tables, TimeProvider.System).QueryAsync(requestId, null, Ct);
        audit.Single(e => e.Action == AuditActions.StepRetried).Actor.ShouldBe("staff-1");
        audit.Count(e => e.Action == AuditActions.RequestAcknowledged).ShouldBe(1);
        (await api.ViewAsync(requestId)).GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()).ShouldNotContain(RequestAction.Retry);

        // With nothing stalled, a retry is refused, as every action that does not fit.
        using var again = await api.ActAsync(requestId, RequestAction.Retry);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    /// <summary>Creates the container again; Azurite may still be deleting it for a moment.</summary>
    private static async Task RecreateAsync(Azure.Storage.Blobs.BlobContainerClient container)
    {
        await Eventually.GetAsync(
            async () =>
            {
                try
                {
                    await container.CreateIfNotExistsAsync(cancellationToken: Ct);
                    return true;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    return false;
                }
            },
            created => created,
            TimeSpan.FromSeconds(30),
            "the outbox container to be created again");
    }
}
