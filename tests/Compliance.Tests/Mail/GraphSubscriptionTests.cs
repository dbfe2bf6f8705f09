using System.Globalization;
using System.Text.Json.Nodes;
using Compliance.Functions.Mail.Graph;
using Compliance.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Tests.Mail;

/// <summary>The subscription timer: creates the inbox subscription when there is none, renews it near expiry, leaves a fresh one alone.</summary>
public sealed class GraphSubscriptionTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_subscription_is_created_when_missing_through_the_handshake_and_left_alone_while_fresh()
    {
        // Arrange
        await using var connector = await GraphConnectorHost.StartAsync(env);
        var timer = connector.Create<GraphSubscriptionTimer>();
        var state = connector.Create<GraphConnectorState>();
        var before = DateTimeOffset.UtcNow;

        // Act 1: the timer function as the host calls it.
        await timer.RenewGraphSubscription(new TimerInfo(), Ct);

        // Assert 1: Graph holds one subscription to the inbox's new messages, with our clientState and address (the fake
        // created it only after the webhook echoed its validation token), and the table holds its id and expiry.
        var (id, subscription) = connector.Graph.Subscriptions.Single();
        ((string?)subscription["resource"]).ShouldBe($"users/{connector.Graph.Mailbox}/mailFolders('inbox')/messages");
        ((string?)subscription["changeType"]).ShouldBe("created");
        ((string?)subscription["clientState"]).ShouldBe(connector.ClientState);
        ((string?)subscription["notificationUrl"]).ShouldBe(GraphConnectorHost.NotificationUrl);
        var expires = Expiry(subscription);
        expires.ShouldBeInRange(before + GraphSubscriptionTimer.Lifetime - TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow + GraphSubscriptionTimer.Lifetime);
        var stored = await state.GetSubscriptionAsync(Ct);
        stored.ShouldNotBeNull();
        stored.SubscriptionId.ShouldBe(id);
        stored.ExpiresAt.ShouldBe(expires);
        connector.Graph.Requests.ShouldContain(r => r.Method == "POST" && r.Path == "/v1.0/subscriptions");

        // Act 2: the next run, with nearly seven days left.
        var requests = connector.Graph.Requests.Count;
        var outcome = await timer.EnsureAsync(Ct);

        // Assert 2: untouched.
        outcome.ShouldBe(GraphSubscriptionOutcome.Fresh);
        connector.Graph.Requests.Count.ShouldBe(requests);
        (await state.GetSubscriptionAsync(Ct)).ShouldBe(stored);
    }

    [Fact]
    public async Task A_subscription_near_its_expiry_is_renewed_and_one_Graph_no_longer_has_is_made_again()
    {
        // Arrange: a subscription with a day left (as six days on).
        await using var connector = await GraphConnectorHost.StartAsync(env);
        var timer = connector.Create<GraphSubscriptionTimer>();
        var state = connector.Create<GraphConnectorState>();
        (await timer.EnsureAsync(Ct)).ShouldBe(GraphSubscriptionOutcome.Created);
        var created = (await state.GetSubscriptionAsync(Ct))!;
        await state.SaveSubscriptionAsync(created with { ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) }, Ct);

        // Act 1
        var renewal = await timer.EnsureAsync(Ct);

        // Assert 1: PATCH of the same subscription with a new expiry; no new subscription.
        renewal.ShouldBe(GraphSubscriptionOutcome.Renewed);
        var patch = connector.Graph.Requests.Single(r => r.Method == "PATCH");
        patch.Path.ShouldBe($"/v1.0/subscriptions/{created.SubscriptionId}");
        var asked = DateTimeOffset.Parse((string)JsonNode.Parse(patch.Body)!["expirationDateTime"]!, CultureInfo.InvariantCulture);
        asked.ShouldBeGreaterThan(DateTimeOffset.UtcNow + GraphSubscriptionTimer.Lifetime - TimeSpan.FromMinutes(1));
        connector.Graph.Subscriptions.Keys.ShouldBe([created.SubscriptionId]);
        var renewed = (await state.GetSubscriptionAsync(Ct))!;
        renewed.SubscriptionId.ShouldBe(created.SubscriptionId);
        renewed.ExpiresAt.ShouldBe(Expiry(connector.Graph.Subscriptions[created.SubscriptionId]));

        // Arrange 2: Graph drops it (it lapsed, or an admin removed it), and its renewal comes due.
        connector.Graph.DropSubscription(created.SubscriptionId);
        await state.SaveSubscriptionAsync(renewed with { ExpiresAt = DateTimeOffset.UtcNow.AddHours(3) }, Ct);

        // Act 2
        var replaced = await timer.EnsureAsync(Ct);

        // Assert 2: the renewal's 404 leads to a new subscription, now the one stored.
        replaced.ShouldBe(GraphSubscriptionOutcome.Created);
        var (newId, _) = connector.Graph.Subscriptions.Single();
        newId.ShouldNotBe(created.SubscriptionId);
        (await state.GetSubscriptionAsync(Ct))!.SubscriptionId.ShouldBe(newId);
    }

    [Fact]
    public async Task A_subscription_made_with_another_clientState_is_replaced_and_deleted()
    {
        // Arrange: the stored subscription was made before the clientState was rotated (the row keeps its hash, not the secret).
        await using var connector = await GraphConnectorHost.StartAsync(env);
        var timer = connector.Create<GraphSubscriptionTimer>();
        var state = connector.Create<GraphConnectorState>();
        (await timer.EnsureAsync(Ct)).ShouldBe(GraphSubscriptionOutcome.Created);
        var old = (await state.GetSubscriptionAsync(Ct))!;
        old.ClientStateHash.ShouldBe(GraphConnectorState.HashOf(connector.ClientState));
        await state.SaveSubscriptionAsync(old with { ClientStateHash = GraphConnectorState.HashOf("the-clientState-before-rotation") }, Ct);

        // Act
        var outcome = await timer.EnsureAsync(Ct);

        // Assert: a new subscription carries the current clientState; the old one is deleted at Graph.
        outcome.ShouldBe(GraphSubscriptionOutcome.Created);
        var (id, subscription) = connector.Graph.Subscriptions.Single();
        id.ShouldNotBe(old.SubscriptionId);
        ((string?)subscription["clientState"]).ShouldBe(connector.ClientState);
        connector.Graph.Requests.ShouldContain(r => r.Method == "DELETE" && r.Path == $"/v1.0/subscriptions/{old.SubscriptionId}");
        (await state.GetSubscriptionAsync(Ct))!.SubscriptionId.ShouldBe(id);
    }

    private static DateTimeOffset Expiry(JsonObject subscription) =>
        DateTimeOffset.Parse((string)subscription["expirationDateTime"]!, CultureInfo.InvariantCulture);
}
