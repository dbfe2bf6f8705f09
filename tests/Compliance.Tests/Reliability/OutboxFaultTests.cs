using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Compliance.Audit;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tasks;
using Compliance.Tests.Infrastructure;
using Compliance.Tests.Mail;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Compliance.Tests.Reliability;

/// <summary>
/// The outbox sender while storage faults: two senders (as two hosts' timers) run over one request's outbox, their blob and
/// table calls through the fault proxy, the real SMTP transport to a loopback mail server; every email reaches the mail
/// system once, and is marked sent and audited once.
/// </summary>
public sealed class OutboxFaultTests(TestEnvironment env)
{
    private const int Emails = 16;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_email_in_the_outbox_is_sent_exactly_once_while_storage_faults()
    {
        // Arrange: a request of the shared study with no workflow behind it, and its outbox of 16 emails, written past the proxy.
        await using var smtp = new LoopbackSmtpServer { DataDelay = TimeSpan.FromMilliseconds(20) };
        await using var proxy = await StorageFaultProxy.StartAsync(env.StorageConnectionString);
        var request = await NewRequestAsync();
        var prefix = $"requests/{request.RequestId}/";
        var outbox = new Outbox(env.Blobs);
        var messageIds = new List<string>();
        for (var i = 1; i <= Emails; i++)
        {
            using var message = Message(request, $"clarification-{i}");
            messageIds.Add(message.MessageId!);
            (await outbox.TryWriteAsync(Outbox.BlobNameFor(request.RequestId, $"clarification-{i}"), message, Outbox.MetadataFor(request.RequestId, EmailKind.Clarification), Ct)).ShouldBeTrue();
        }

        // The first metadata writes (claims: no send has finished yet) take effect and lose their answer, so the SDK's retry
        // of each meets its own write as a changed ETag (412); the mix of faults on blob and table on top.
        var lostWrites = FaultRule.LostAnswer(StorageService.Blob, c => c.Method == "PUT" && c.Path.Contains($"/{StorageLayout.Containers.MailOutbox}/{prefix}", StringComparison.Ordinal) && c.Query.Contains("comp=metadata", StringComparison.Ordinal), times: 3);
        var blobs = new BlobServiceClient(proxy.ConnectionString);
        var tables = new TableServiceClient(proxy.ConnectionString);
        var senders = new[] { NewSender(smtp, blobs, tables), NewSender(smtp, blobs, tables) };

        // Act: both senders run, again and again as their timers would, until every email is sent and audited (or 30 s).
        var runs = new List<OutboxRun>();
        using (proxy.Inject(lostWrites))
        using (proxy.Inject(StorageFaultTests.Mix().Where(r => r.Service != StorageService.Queue)))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (DateTime.UtcNow < deadline && !(await AllFinishedAsync(prefix)))
            {
                runs.AddRange(await Task.WhenAll(senders.Select(s => s.SendDueAsync(prefix, Ct))));
                await Task.Delay(200, Ct);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{proxy.Describe()}; {runs.Count} runs: sent {runs.Sum(r => r.Sent)}, lost {runs.Sum(r => r.Lost)}, retrying {runs.Sum(r => r.Retrying)}");

        // Assert: the faults fired, the lost metadata writes among them...
        lostWrites.Fired.ShouldBe(3, proxy.Describe());
        proxy.Faults(StorageService.Blob).ShouldBeGreaterThan(3, proxy.Describe());
        proxy.Faults(StorageService.Table).ShouldBeGreaterThan(0, proxy.Describe());

        // ...every email reached the mail system once...
        var received = smtp.Received.Select(m => MimeMessage.Load(new MemoryStream(m.Data), Ct).MessageId).ToList();
        received.Order(StringComparer.Ordinal).ShouldBe(messageIds.Order(StringComparer.Ordinal), $"each email once; {runs.Count} runs sent {runs.Sum(r => r.Sent)} and lost {runs.Sum(r => r.Lost)}; {proxy.Describe()}");

        // ...and each is marked sent and audited, once.
        foreach (var name in await outbox.ListAsync(prefix, Ct))
        {
            var metadata = await MetadataAsync(name);
            metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent, name);
            metadata[OutboxMetadata.Audited].ShouldBe("true", name);
        }

        var audit = await new AuditLog(env.Tables, TimeProvider.System).QueryAsync(request.RequestId, null, Ct);
        audit.Where(e => e.Action == AuditActions.MailSent).Select(e => e.Details["messageKey"]).Order(StringComparer.Ordinal)
            .ShouldBe(Enumerable.Range(1, Emails).Select(i => $"clarification-{i}").Order(StringComparer.Ordinal), "each email audited as sent once");
        audit.ShouldNotContain(e => e.Action == AuditActions.MailSendFailed);
        (await ReliabilityHosts.AuditProblemsAsync(env.Http, [TestEnvironment.StudyId])).ShouldBeEmpty("the study's audit chain verifies");
    }

    private async Task<bool> AllFinishedAsync(string prefix)
    {
        foreach (var name in await new Outbox(env.Blobs).ListAsync(prefix, Ct))
        {
            if ((await MetadataAsync(name)).GetValueOrDefault(OutboxMetadata.Audited) != "true")
            {
                return false;
            }
        }

        return true;
    }

    private async Task<Dictionary<string, string>> MetadataAsync(string blobName) =>
        new((await env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox).GetBlobClient(blobName).GetPropertiesAsync(cancellationToken: Ct)).Value.Metadata, StringComparer.OrdinalIgnoreCase);

    /// <summary>A sender whose storage is the proxy's, sending through the real SMTP transport to <paramref name="smtp"/>.</summary>
    private static OutboxSender NewSender(LoopbackSmtpServer smtp, BlobServiceClient blobs, TableServiceClient tables) => new(
        blobs,
        new SmtpMailTransport(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = smtp.Port, Security = "none" })),
        new AuditLog(tables, TimeProvider.System),
        new RequestStore(tables),
        new TaskStore(tables),
        Options.Create(new OutboxOptions()),
        TimeProvider.System,
        NullLogger<OutboxSender>.Instance);

    /// <summary>A request of the shared study with no workflow behind it, so no other mail is written under it.</summary>
    private async Task<DataSubjectRequestRecord> NewRequestAsync()
    {
        var now = DateTimeOffset.UtcNow;
        var request = new DataSubjectRequestRecord
        {
            RequestId = RequestId.New(now),
            StudyId = TestEnvironment.StudyId,
            Type = RequestType.Query,
            Channel = RequestChannel.Web,
            ReceivedAt = now,
            Status = RequestStatus.Received,
            RequesterEmail = $"outbox.{Guid.NewGuid():N}@example.org",
            EnteredBy = AuditActors.Participant,
        };
        (await new RequestStore(env.Tables).TryCreateAsync(request, Ct)).ShouldBeTrue();
        return request;
    }

    private static MimeMessage Message(DataSubjectRequestRecord request, string messageKey)
    {
        var message = new MimeMessage { MessageId = $"{request.RequestId}.{messageKey}@research.example.org", Subject = "Your request", Date = DateTimeOffset.UtcNow };
        message.From.Add(new MailboxAddress("Research team", TestEnvironment.MailboxAddress));
        message.To.Add(MailboxAddress.Parse(request.RequesterEmail));
        message.Body = new TextPart("plain") { Text = "We need one more detail to handle your request." };
        return message;
    }
}
