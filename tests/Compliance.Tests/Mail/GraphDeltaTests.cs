using Compliance.Functions.Mail.Graph;
using Compliance.Mail.Intake;
using Compliance.Tests.Infrastructure;
using Microsoft.Azure.Functions.Worker;

namespace Compliance.Tests.Mail;

/// <summary>The delta catch-up of the inbox: paging, the stored delta link, and the next round from it.</summary>
public sealed class GraphDeltaTests(TestEnvironment env)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_catch_up_follows_every_page_stores_the_delta_link_and_starts_the_next_round_from_it()
    {
        // Arrange: five recent messages (three pages of two) and one older than the catch-up window (7 days).
        await using var connector = await GraphConnectorHost.StartAsync(env);
        var recent = Enumerable.Range(0, 5).Select(i =>
        {
            var (mime, messageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
            return (Id: connector.Graph.Deliver(mime, messageId, DateTimeOffset.UtcNow.AddHours(-i - 1)), MessageId: messageId);
        }).ToList();
        var (oldMime, oldMessageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
        connector.Graph.Deliver(oldMime, oldMessageId, DateTimeOffset.UtcNow.AddDays(-30));
        var catchUp = connector.Create<GraphDeltaCatchUp>();
        var state = connector.Create<GraphConnectorState>();

        // Act 1: the first run, through the timer function as the host calls it.
        await catchUp.CatchUpGraphInbox(new TimerInfo(), connector.Durable, Ct);

        // Assert 1: a new round of created messages since the window, then the two nextLinks; the deltaLink is stored.
        var deltaRequests = connector.Graph.Requests.Where(r => r.Path.Contains("/messages/delta", StringComparison.Ordinal)).ToList();
        deltaRequests.Count.ShouldBe(3);
        deltaRequests[0].Path.ShouldBe($"/v1.0/users/{connector.Graph.Mailbox}/mailFolders/inbox/messages/delta()");
        deltaRequests[0].Query.ShouldContain("changeType=created");
        deltaRequests[0].Query.ShouldContain("$filter=receivedDateTime ge ");
        deltaRequests[0].Query.ShouldContain("$select=receivedDateTime,internetMessageId");
        deltaRequests.Skip(1).ShouldAllBe(r => r.Query.StartsWith("?$skiptoken=", StringComparison.Ordinal));
        var deltaLink = await state.GetDeltaLinkAsync(Ct);
        deltaLink.ShouldNotBeNull();
        deltaLink.ShouldStartWith(connector.Graph.BaseUrl);
        deltaLink.ShouldContain("$deltatoken=");
        foreach (var message in recent)
        {
            (await new InboundMailStore(env.Blobs).FindAsync(MessageIds.IntakeKeyFor(message.MessageId), Ct)).ShouldNotBeNull();
            (await connector.Durable.GetInstanceAsync(MessageIds.IntakeKeyFor(message.MessageId), Ct)).ShouldNotBeNull();
        }

        (await new InboundMailStore(env.Blobs).FindAsync(MessageIds.IntakeKeyFor(oldMessageId), Ct)).ShouldBeNull("older than the catch-up window");

        // Arrange 2: one new message arrives, one taken-in message is deleted from the inbox.
        var (newMime, newMessageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
        var newId = connector.Graph.Deliver(newMime, newMessageId, DateTimeOffset.UtcNow);
        connector.Graph.Remove(recent[0].Id);
        var before = connector.Graph.Requests.Count;

        // Act 2
        var second = await catchUp.RunAsync(connector.Durable, Ct);

        // Assert 2: one request, on the stored deltaLink; only the new message fetched (the removal is skipped); a new link.
        var secondRound = connector.Graph.Requests.Skip(before).ToList();
        secondRound[0].Query.ShouldBe("?" + deltaLink[(deltaLink.IndexOf('?', StringComparison.Ordinal) + 1)..]);
        secondRound.Count(r => r.Path.Contains("/messages/delta", StringComparison.Ordinal)).ShouldBe(1);
        secondRound.Where(r => r.Path.EndsWith("/$value", StringComparison.Ordinal)).Select(r => r.Path)
            .ShouldBe([$"/v1.0/users/{connector.Graph.Mailbox}/messages/{newId}/$value"]);
        second.ShouldBe(new GraphCatchUpResult(Seen: 1, TakenIn: 1, AlreadyStored: 0, Failed: 0, DeltaLinkSaved: true));
        (await state.GetDeltaLinkAsync(Ct)).ShouldNotBe(deltaLink);
        (await connector.Durable.GetInstanceAsync(MessageIds.IntakeKeyFor(newMessageId), Ct)).ShouldNotBeNull();
    }

    [Fact]
    public async Task A_delta_link_Graph_no_longer_knows_starts_a_new_round_over_the_window()
    {
        // Arrange: a stored link whose token Graph has forgotten, and a message in the inbox.
        await using var connector = await GraphConnectorHost.StartAsync(env);
        var state = connector.Create<GraphConnectorState>();
        await state.SaveDeltaLinkAsync($"{connector.Graph.BaseUrl}/users/{connector.Graph.Mailbox}/mailFolders('inbox')/messages/delta?$deltatoken=forgotten", Ct);
        var (mime, messageId) = GraphConnectorHost.NewMessage(connector.Graph.Mailbox);
        connector.Graph.Deliver(mime, messageId, DateTimeOffset.UtcNow);

        // Act
        var result = await connector.Create<GraphDeltaCatchUp>().RunAsync(connector.Durable, Ct);

        // Assert: 410 Gone, then a fresh round that finds the message.
        result.TakenIn.ShouldBe(1);
        result.DeltaLinkSaved.ShouldBeTrue();
        var link = await state.GetDeltaLinkAsync(Ct);
        link.ShouldNotBeNull();
        link.ShouldNotContain("forgotten");
        (await new InboundMailStore(env.Blobs).FindAsync(MessageIds.IntakeKeyFor(messageId), Ct)).ShouldNotBeNull();
    }
}
