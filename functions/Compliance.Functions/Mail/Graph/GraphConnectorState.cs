using Azure;
using Azure.Data.Tables;
using Compliance.Storage;
using Microsoft.Extensions.Options;

namespace Compliance.Functions.Mail.Graph;

/// <summary>
/// The inbox subscription as last created or renewed: its Graph id, expiry, where it sends notifications, and a SHA-256 of
/// the clientState it carries (never the secret itself), so a rotated clientState leads to a new subscription.
/// </summary>
public sealed record StoredGraphSubscription(string SubscriptionId, DateTimeOffset ExpiresAt, string NotificationUrl, string Resource, string ClientStateHash);

/// <summary>
/// The Graph connector's own state in the <c>MailConnector</c> table, one partition per research mailbox
/// (<c>graph:{mailbox}</c>, so a changed mailbox starts afresh): the row <c>subscription</c> and the row <c>inbox-delta</c>
/// (the <c>@odata.deltaLink</c> the next catch-up starts from). Holds Graph ids and links, never a message's content or a sender.
/// </summary>
public sealed class GraphConnectorState(TableServiceClient tables, IOptions<GraphOptions> options)
{
    private const string SubscriptionRow = "subscription";
    private const string DeltaRow = "inbox-delta";

    private readonly TableClient table = tables.GetTableClient(StorageLayout.Tables.MailConnector);

    private string Partition => "graph:" + (options.Value.Mailbox ?? string.Empty).Trim().ToLowerInvariant();

    public async Task<StoredGraphSubscription?> GetSubscriptionAsync(CancellationToken cancellationToken)
    {
        var row = await FindAsync(SubscriptionRow, cancellationToken);
        return row is null
            ? null
            : new StoredGraphSubscription(
                row.GetString(nameof(StoredGraphSubscription.SubscriptionId)),
                row.GetDateTimeOffset(nameof(StoredGraphSubscription.ExpiresAt)) ?? DateTimeOffset.MinValue,
                row.GetString(nameof(StoredGraphSubscription.NotificationUrl)) ?? string.Empty,
                row.GetString(nameof(StoredGraphSubscription.Resource)) ?? string.Empty,
                row.GetString(nameof(StoredGraphSubscription.ClientStateHash)) ?? string.Empty);
    }

    public Task SaveSubscriptionAsync(StoredGraphSubscription subscription, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return table.UpsertEntityAsync(
            new TableEntity(Partition, SubscriptionRow)
            {
                [nameof(StoredGraphSubscription.SubscriptionId)] = subscription.SubscriptionId,
                [nameof(StoredGraphSubscription.ExpiresAt)] = subscription.ExpiresAt,
                [nameof(StoredGraphSubscription.NotificationUrl)] = subscription.NotificationUrl,
                [nameof(StoredGraphSubscription.Resource)] = subscription.Resource,
                [nameof(StoredGraphSubscription.ClientStateHash)] = subscription.ClientStateHash,
            },
            TableUpdateMode.Replace,
            cancellationToken);
    }

    /// <summary>The hash a subscription row keeps of a clientState.</summary>
    public static string HashOf(string clientState) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clientState)));

    /// <summary>The <c>@odata.deltaLink</c> of the last completed catch-up, or null before the first.</summary>
    public async Task<string?> GetDeltaLinkAsync(CancellationToken cancellationToken) =>
        (await FindAsync(DeltaRow, cancellationToken))?.GetString("DeltaLink");

    public Task SaveDeltaLinkAsync(string deltaLink, CancellationToken cancellationToken) =>
        table.UpsertEntityAsync(new TableEntity(Partition, DeltaRow) { ["DeltaLink"] = deltaLink }, TableUpdateMode.Replace, cancellationToken);

    private async Task<TableEntity?> FindAsync(string row, CancellationToken cancellationToken)
    {
        try
        {
            return (await table.GetEntityAsync<TableEntity>(Partition, row, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
