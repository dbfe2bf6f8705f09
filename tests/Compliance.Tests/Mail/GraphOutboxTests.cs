using Compliance.Functions.Mail.Graph;
using Compliance.Mail;
using Compliance.Requests;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Compliance.Tests.Mail;

/// <summary>
/// A host configured to send through Graph (<c>Mail:Transport=graph</c>) drains the outbox through the keyed Graph transport:
/// each message reaches <c>sendMail</c> once, even with two senders at once, and is marked sent with the transport.
/// </summary>
public sealed class GraphOutboxTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_outbox_is_sent_exactly_once_through_Graph_sendMail()
    {
        await using var connector = await GraphConnectorHost.StartAsync(env, new Dictionary<string, string?>
        {
            ["Mail:Transport"] = GraphMailTransport.TransportName,
            ["OutboxSendSchedule"] = GraphConnectorHost.Never,
        });
        var requestId = RequestId.New(DateTimeOffset.UtcNow);
        var names = new List<string>();
        foreach (var key in new[] { "acknowledgement", "verification-code-1", "outcome" })
        {
            using var message = new MimeMessage { MessageId = $"{requestId}.{key}@research.example.org", Subject = $"About your request [Ref {requestId}]" };
            message.From.Add(new MailboxAddress("Research", connector.Graph.Mailbox));
            message.To.Add(new MailboxAddress(null, "someone@example.org"));
            message.Body = new TextPart("plain") { Text = key };
            var name = Outbox.BlobNameFor(requestId, key);
            (await new Outbox(env.Blobs).TryWriteAsync(name, message, Outbox.MetadataFor(requestId, key), Ct)).ShouldBeTrue();
            names.Add(name);
        }

        var sender = connector.Host.Services.GetRequiredService<OutboxSender>();
        var runs = await Task.WhenAll(sender.SendDueAsync($"requests/{requestId}/", Ct), sender.SendDueAsync($"requests/{requestId}/", Ct));
        var again = await sender.SendDueAsync($"requests/{requestId}/", Ct);

        runs.Sum(r => r.Sent).ShouldBe(3);
        again.Sent.ShouldBe(0);
        var sentIds = connector.Graph.SentMime.Select(m => MimeMessage.Load(new MemoryStream(m), Ct).MessageId ?? string.Empty).Where(id => id.StartsWith(requestId, StringComparison.Ordinal)).ToList();
        sentIds.Order(StringComparer.Ordinal).ShouldBe(names.Select(n => $"{requestId}.{n.Split('/')[^1][..^4]}@research.example.org").Order(StringComparer.Ordinal), "each message once through sendMail");
        var container = env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);
        foreach (var name in names)
        {
            var metadata = new Dictionary<string, string>((await container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: Ct)).Value.Metadata, StringComparer.OrdinalIgnoreCase);
            metadata[OutboxMetadata.State].ShouldBe(OutboxMetadata.Sent);
            metadata[OutboxMetadata.Transport].ShouldBe(GraphMailTransport.TransportName);
        }
    }
}
