using System.Net;
using System.Net.Http.Json;
using Compliance.Audit;
using Compliance.Functions.Mail;
using Compliance.Identity;
using Compliance.Mail;
using Compliance.Mail.Intake;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Compliance.Tests.Reliability;

/// <summary>
/// Mail intake while storage faults: one inbound message delivered three times at once, by a relay that posts it again
/// when the host answers 5xx, to a host behind the fault proxy, makes one request, one acknowledgement and one
/// <c>mail.received</c> entry.
/// </summary>
public sealed class MailIntakeFaultTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_message_delivered_three_times_while_storage_faults_makes_one_request_one_acknowledgement_and_one_receipt()
    {
        // Arrange: a mail host (the intake corpus's mailbox) behind the proxy, on the shared Azurite.
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        await using var host = await ReliabilityHosts.StartHostOnAsync(env, proxy, new Dictionary<string, string?>
        {
            ["Mail:FromAddress"] = TestEnvironment.MailboxAddress,
            ["Mail:MessageIdDomain"] = "research.example.org",
        });
        using var http = TestEnvironment.ClientFor(host.BaseAddress);
        var durable = host.Services.GetRequiredService<DurableTaskClient>();
        var from = $"intake.{Guid.NewGuid():N}@example.org";
        var raw = MailIntakeTests.Compose(from, "Opt out", "Please do not contact me again about the study.");
        var key = InboundMailStore.IntakeKeyOf(raw);

        // The first upload of the message takes effect and its answer is lost (a 500 after storage stored it): the SDK's
        // retry then meets the blob it wrote itself.
        var lostUpload = FaultRule.LostAnswer(StorageService.Blob, c => c.Method == "PUT" && c.Path.EndsWith($"/{StorageLayout.Containers.MailInbound}/{InboundMailStore.BlobNameFor(key)}", StringComparison.Ordinal) && !c.Query.Contains("comp=", StringComparison.Ordinal));

        // Act: three deliveries at once, with the mix of faults on all three services on top.
        InboundMailResponse[] answers;
        var reposts = 0;
        using (proxy.Inject(lostUpload))
        using (proxy.Inject(StorageFaultTests.Mix()))
        {
            answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => DeliverAsync(http, raw, () => Interlocked.Increment(ref reposts))));
            var intake = await Eventually.GetAsync(() => durable.GetInstanceAsync(key, true, Ct), i => i is { IsCompleted: true }, TimeSpan.FromSeconds(60), "the message's intake to finish");
            intake!.RuntimeStatus.ShouldBe(OrchestrationRuntimeStatus.Completed, intake.FailureDetails?.ToString());
            var requestId = intake.ReadOutputAs<MailIntakeResult>()!.RequestIds.ShouldHaveSingleItem();
            await Eventually.GetAsync(() => AuditAsync(requestId), a => a.Any(e => e.Action == AuditActions.RequestAcknowledged), TimeSpan.FromSeconds(60), "the request to be acknowledged");
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{proxy.Describe()}; deliveries posted again after a 5xx: {reposts}");

        // Assert: the faults fired, the lost upload among them...
        lostUpload.Fired.ShouldBe(1, proxy.Describe());
        foreach (var service in Enum.GetValues<StorageService>())
        {
            proxy.Faults(service).ShouldBeGreaterThan(0, $"{service}: {proxy.Describe()}");
        }

        // ...one delivery stored it (the one whose answer was lost: its retry found its own write), the others found it...
        answers.Select(a => a.IntakeKey).Distinct().ShouldBe([key]);
        answers.Count(a => !a.Duplicate).ShouldBe(1, "one delivery stored the message; the others found it there");
        var intakeAudit = await AuditAsync(key);
        intakeAudit.Count(e => e.Action == AuditActions.MailReceived).ShouldBe(1, "one receipt");
        intakeAudit.Count(e => e.Action == AuditActions.MailRequestCreated).ShouldBe(1);

        // ...and one request came of it, acknowledged once, with one acknowledgement in the outbox.
        var requests = (await new RequestStore(env.Tables).ListAsync(null, TestEnvironment.StudyId, Ct)).Where(r => r.RequesterEmail == from).ToList();
        var request = requests.ShouldHaveSingleItem("one request from the sender");
        request.Channel.ShouldBe(RequestChannel.Email);
        (await AuditAsync(request.RequestId)).Count(e => e.Action == AuditActions.RequestAcknowledged).ShouldBe(1, "one acknowledgement");
        (await new Outbox(env.Blobs).ListAsync($"requests/{request.RequestId}/", Ct)).Count(n => n.EndsWith($"/{RequestEmails.AcknowledgementKey}.eml", StringComparison.Ordinal)).ShouldBe(1);
        (await ReliabilityHosts.AuditProblemsAsync(env.Http, [TestEnvironment.StudyId])).ShouldBeEmpty("the study's audit chain verifies");
    }

    /// <summary>Posts the message as a relay does, posting it again (at most five times) while the host answers 5xx.</summary>
    private static async Task<InboundMailResponse> DeliverAsync(HttpClient http, byte[] raw, Action reposted)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.SendAsync(MailIntakeTests.Post(raw, role: Role.Admin), Ct);
            if ((int)response.StatusCode >= 500 && attempt < 5)
            {
                reposted();
                continue;
            }

            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync(Ct));
            return (await response.Content.ReadFromJsonAsync<InboundMailResponse>(Ct))!;
        }
    }

    /// <summary>The audit entries of a request or a message, read past the proxy.</summary>
    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string id) =>
        await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(id, null, Ct);
}
