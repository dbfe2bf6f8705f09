using System.Net;
using System.Text.Json;
using Compliance.Functions.Mail.Graph;
using Compliance.Mail.Intake;
using Compliance.Storage;
using Compliance.Tests.Infrastructure;
using Microsoft.DurableTask.Client;

namespace Compliance.Tests.Mail;

/// <summary>The Graph change-notification webhook: the handshake, the clientState check, and taking in each new message once.</summary>
public sealed class GraphNotificationTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_validation_handshake_echoes_the_token_as_plain_text()
    {
        // Arrange
        await using var connector = await GraphConnectorHost.StartAsync(env);
        using var http = TestEnvironment.ClientFor(connector.Host.BaseAddress);
        const string token = "Validation: Testing client application reachability for subscription Request-Id: 9f1c2a1e-0d1b-4c1e-8e9f-3a6f0e5b7c21";

        // Act
        using var response = await http.PostAsync("/api/mail/graph-notifications?validationToken=" + Uri.EscapeDataString(token), new StringContent(string.Empty), Ct);

        // Assert
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        (await response.Content.ReadAsStringAsync(Ct)).ShouldBe(token);
    }

    [Fact]
    public async Task A_notification_with_another_clientState_is_refused_and_starts_nothing()
    {
        // Arrange: a subscription, and a message in the inbox.
        await using var connector = await GraphConnectorHost.StartAsync(env);
        (await connector.Create<GraphSubscriptionTimer>().EnsureAsync(Ct)).ShouldBe(GraphSubscriptionOutcome.Created);
        var subscriptionId = connector.Graph.Subscriptions.Keys.Single();
        var (mime, messageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
        var id = connector.Graph.Deliver(mime, messageId, DateTimeOffset.UtcNow);

        // Act: the same notification as Graph's, with a clientState that is not ours (as a forger would send).
        using var response = await connector.Graph.NotifyCreatedAsync(subscriptionId, id, clientState: connector.ClientState[..^4] + "AAAA");

        // Assert: refused, Graph was not asked for the message, nothing stored, no intake work.
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        problem.RootElement.GetProperty("type").GetString().ShouldBe("urn:compliance:problem:invalid-client-state");
        connector.Graph.Requests.ShouldNotContain(r => r.Path.Contains(id, StringComparison.Ordinal));
        var key = MessageIds.IntakeKeyFor(messageId);
        (await Inbound(key).ExistsAsync(Ct)).Value.ShouldBeFalse();
        (await connector.Durable.GetInstanceAsync(key, Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task A_notified_message_is_stored_and_taken_in_once_though_notified_twice_and_listed_by_the_delta()
    {
        // Arrange
        await using var connector = await GraphConnectorHost.StartAsync(env);
        (await connector.Create<GraphSubscriptionTimer>().EnsureAsync(Ct)).ShouldBe(GraphSubscriptionOutcome.Created);
        var subscriptionId = connector.Graph.Subscriptions.Keys.Single();
        var (mime, messageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
        var receivedAt = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-3).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var id = connector.Graph.Deliver(mime, messageId, receivedAt);
        var key = MessageIds.IntakeKeyFor(messageId);

        // Act 1: Graph notifies.
        using (var first = await connector.Graph.NotifyCreatedAsync(subscriptionId, id))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        // Assert 1: the raw message is in mail-inbound under its intake key, unchanged, with Graph's receivedDateTime, and
        // its MailIntake work exists.
        var instance = await Eventually.GetAsync(() => connector.Durable.GetInstanceAsync(key, Ct), i => i is not null, because: "the intake work to start");
        var stored = await Eventually.GetAsync(() => new InboundMailStore(env.Blobs).FindAsync(key, Ct), s => s is { Started: true }, because: "the message to be marked started");
        stored!.Source.ShouldBe(GraphInboxIntake.Source);
        stored.ReceivedAt.ShouldBe(receivedAt);
        (await Inbound(key).DownloadContentAsync(Ct)).Value.Content.ToArray().ShouldBe(mime);

        // Act 2: Graph delivers the notification again, and the delta catch-up lists the message too.
        using (var again = await connector.Graph.NotifyCreatedAsync(subscriptionId, id))
        {
            again.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        var catchUp = await connector.Create<GraphDeltaCatchUp>().RunAsync(connector.Durable, Ct);

        // Assert 2: one instance under the key, the same one; the MIME was fetched once.
        catchUp.Seen.ShouldBe(1);
        catchUp.AlreadyStored.ShouldBe(1);
        catchUp.TakenIn.ShouldBe(0);
        var instances = new List<OrchestrationMetadata>();
        await foreach (var found in connector.Durable.GetAllInstancesAsync(new OrchestrationQuery { InstanceIdPrefix = key }).WithCancellation(Ct))
        {
            instances.Add(found);
        }

        instances.Count.ShouldBe(1);
        instances[0].CreatedAt.ShouldBe(instance!.CreatedAt);
        instances[0].Name.ShouldBe("MailIntake");
        connector.Graph.Requests.Count(r => r.Path.EndsWith(id + "/$value", StringComparison.Ordinal)).ShouldBe(1);
    }

    [Fact]
    public async Task A_message_whose_fetch_fails_is_not_lost_the_delta_catch_up_takes_it_in_and_keeps_its_place_until_it_has()
    {
        // Arrange: the inbox has a message whose MIME Graph cannot serve for now.
        await using var connector = await GraphConnectorHost.StartAsync(env);
        (await connector.Create<GraphSubscriptionTimer>().EnsureAsync(Ct)).ShouldBe(GraphSubscriptionOutcome.Created);
        var subscriptionId = connector.Graph.Subscriptions.Keys.Single();
        var (mime, messageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
        var id = connector.Graph.Deliver(mime, messageId, DateTimeOffset.UtcNow.AddMinutes(-1));
        connector.Graph.FailContent(id, HttpStatusCode.InternalServerError);
        var key = MessageIds.IntakeKeyFor(messageId);
        var catchUp = connector.Create<GraphDeltaCatchUp>();

        // Act 1: the notification is answered, but the fetch fails; so does a catch-up while Graph still fails.
        using (var response = await connector.Graph.NotifyCreatedAsync(subscriptionId, id))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        await Eventually.GetAsync(() => Task.FromResult(connector.Graph.Requests.Count(r => r.Path.EndsWith("/$value", StringComparison.Ordinal))), n => n >= 1, because: "the webhook to try the fetch");
        var failed = await catchUp.RunAsync(connector.Durable, Ct);

        // Assert 1: nothing stored, and the failed run did not move the delta link on.
        (await Inbound(key).ExistsAsync(Ct)).Value.ShouldBeFalse();
        failed.Failed.ShouldBe(1);
        failed.DeltaLinkSaved.ShouldBeFalse();
        (await connector.Create<GraphConnectorState>().GetDeltaLinkAsync(Ct)).ShouldBeNull();

        // Act 2: Graph recovers; the next catch-up starts the round again.
        connector.Graph.FailContent(id, null);
        var recovered = await catchUp.RunAsync(connector.Durable, Ct);

        // Assert 2
        recovered.TakenIn.ShouldBe(1);
        recovered.DeltaLinkSaved.ShouldBeTrue();
        (await Inbound(key).ExistsAsync(Ct)).Value.ShouldBeTrue();
        (await connector.Durable.GetInstanceAsync(key, Ct)).ShouldNotBeNull();
    }

    private Azure.Storage.Blobs.BlobClient Inbound(string key) =>
        env.Blobs.GetBlobContainerClient(StorageLayout.Containers.MailInbound).GetBlobClient(InboundMailStore.BlobNameFor(key));
}
