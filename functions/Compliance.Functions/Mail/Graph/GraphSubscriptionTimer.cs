using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail.Graph;

/// <summary>What a run of the subscription timer did.</summary>
public enum GraphSubscriptionOutcome
{
    /// <summary>The connector is off, or has no notification address: nothing to do.</summary>
    Off,

    /// <summary>The stored subscription has longer than <see cref="GraphSubscriptionTimer.RenewWithin"/> to run: left alone.</summary>
    Fresh,

    /// <summary>The stored subscription's expiry was moved on.</summary>
    Renewed,

    /// <summary>
    /// There was none, Graph no longer had it, or it was for another address or clientState: a new one was made (and the one
    /// it replaced deleted).
    /// </summary>
    Created,
}

/// <summary>
/// Keeps a Graph subscription to the inbox's new messages alive: creates it when there is none, renews it when it has less
/// than <see cref="RenewWithin"/> left, replaces it when the notification address or the clientState has changed, and
/// keeps its id and expiry in the <c>MailConnector</c> table.
/// </summary>
public sealed class GraphSubscriptionTimer(IOptions<GraphOptions> options, GraphMailbox mailbox, GraphConnectorState state, TimeProvider time, ILogger<GraphSubscriptionTimer> logger)
{
    /// <summary>The setting that holds the NCRONTAB schedule (seconds first), in both hosts.</summary>
    public const string ScheduleSetting = "GraphSubscriptionSchedule";

    /// <summary>How long a subscription is asked for: under Graph's 10070-minute maximum for messages, leaving room for clock skew.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10000);

    /// <summary>A subscription with less than this left is renewed; two days, so a day of failed renewals still loses nothing.</summary>
    public static readonly TimeSpan RenewWithin = TimeSpan.FromDays(2);

    [Function(nameof(RenewGraphSubscription))]
    public async Task RenewGraphSubscription(
        [TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer,
        CancellationToken cancellationToken)
    {
        var outcome = await EnsureAsync(cancellationToken);
        logger.LogInformation("Graph subscription: {Outcome}", outcome);
    }

    /// <summary>Creates or renews the subscription as needed.</summary>
    public async Task<GraphSubscriptionOutcome> EnsureAsync(CancellationToken cancellationToken)
    {
        var graph = options.Value;
        if (!graph.CanSubscribe)
        {
            return GraphSubscriptionOutcome.Off;
        }

        var now = time.GetUtcNow();
        var clientStateHash = GraphConnectorState.HashOf(graph.ClientState!);
        var stored = await state.GetSubscriptionAsync(cancellationToken);
        var current = stored is not null && stored.NotificationUrl == graph.NotificationUrl && stored.Resource == mailbox.InboxResource
            && stored.ClientStateHash == clientStateHash;
        if (stored is not null && current && stored.ExpiresAt > now)
        {
            if (stored.ExpiresAt - now > RenewWithin)
            {
                return GraphSubscriptionOutcome.Fresh;
            }

            if (await mailbox.RenewSubscriptionAsync(stored.SubscriptionId, now + Lifetime, cancellationToken) is { } renewed)
            {
                await state.SaveSubscriptionAsync(stored with { ExpiresAt = renewed.ExpiresAt }, cancellationToken);
                return GraphSubscriptionOutcome.Renewed;
            }

            logger.LogWarning("Graph subscription {SubscriptionId} no longer exists: making a new one", stored.SubscriptionId);
        }

        // Graph calls the notification address with a validation token before it answers (the webhook echoes it).
        var created = await mailbox.CreateInboxSubscriptionAsync(now + Lifetime, cancellationToken);
        await state.SaveSubscriptionAsync(new StoredGraphSubscription(created.Id, created.ExpiresAt, graph.NotificationUrl!, mailbox.InboxResource, clientStateHash), cancellationToken);
        logger.LogInformation("Graph subscription {SubscriptionId} created, expiring {ExpiresAt}", created.Id, created.ExpiresAt);
        if (stored is not null && !current && stored.ExpiresAt > now)
        {
            // Replaced (a new address or a rotated clientState): the old one would go on notifying until it expired.
            await mailbox.DeleteSubscriptionAsync(stored.SubscriptionId, cancellationToken);
            logger.LogInformation("Graph subscription {SubscriptionId} replaced and deleted", stored.SubscriptionId);
        }

        return GraphSubscriptionOutcome.Created;
    }
}
