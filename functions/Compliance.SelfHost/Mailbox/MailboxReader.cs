using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Mail;
using Compliance.Storage;
using MimeKit;

namespace Compliance.SelfHost.Mailbox;

/// <summary>One message in the local mailbox's list: what an email client shows in its inbox, and where it is in the outbox.</summary>
/// <param name="Id">The blob name in <c>mail-outbox</c> (<c>requests/{requestId}/{messageKey}.eml</c>).</param>
/// <param name="Date">The message's <c>Date</c> header; null when it has none.</param>
/// <param name="To">The <c>To</c> header, decoded.</param>
/// <param name="Subject">The <c>Subject</c> header, decoded; empty when there is none.</param>
/// <param name="State">The outbox state from the blob's metadata (<c>pending</c> as written).</param>
/// <param name="WrittenAt">When the blob was written: the list's order.</param>
public sealed record MailboxEntry(string Id, DateTimeOffset? Date, string To, string Subject, string State, DateTimeOffset WrittenAt);

/// <summary>The newest messages of the outbox, and how many it holds in all.</summary>
public sealed record MailboxListing(IReadOnlyList<MailboxEntry> Entries, int Total);

/// <summary>One message, read whole: its headers and both parts as the transport would send them.</summary>
public sealed record MailboxMessage(MailboxEntry Entry, string From, string? Text, string? Html, IReadOnlyList<string> Attachments);

/// <summary>Reads the <c>mail-outbox</c> container for the local mailbox. Reads only: it never claims, marks or deletes a message.</summary>
public sealed partial class MailboxReader(BlobServiceClient blobs)
{
    /// <summary>The most messages the list shows (each is read to show its To and Subject, which no metadata holds).</summary>
    public const int PageSize = 100;

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);

    /// <summary>The <see cref="PageSize"/> most recently written messages, newest first.</summary>
    public async Task<MailboxListing> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<BlobItem>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
            {
                items.Add(item);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No container yet: nothing was ever written.
            return new MailboxListing([], 0);
        }

        var newest = items
            .OrderByDescending(i => i.Properties.CreatedOn ?? DateTimeOffset.MinValue)
            .ThenByDescending(i => i.Name, StringComparer.Ordinal)
            .Take(PageSize)
            .ToList();
        var entries = new MailboxEntry?[newest.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, newest.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, token) => entries[i] = (await LoadAsync(newest[i].Name, token))?.Entry);
        return new MailboxListing(entries.OfType<MailboxEntry>().ToList(), items.Count);
    }

    /// <summary>The message named <paramref name="id"/>, or null when there is none (or the id is no outbox blob name).</summary>
    public Task<MailboxMessage?> ReadAsync(string? id, CancellationToken cancellationToken) =>
        IsBlobName(id) ? LoadAsync(id, cancellationToken) : Task.FromResult<MailboxMessage?>(null);

    /// <summary>
    /// Whether <paramref name="id"/> has the shape of an outbox blob name: segments of letters, digits, '.', '_' and '-'
    /// joined by '/', none starting with a dot (so no '.' or '..'), ending in <c>.eml</c>.
    /// </summary>
    public static bool IsBlobName([NotNullWhen(true)] string? id) => id is { Length: <= 1024 } && BlobName().IsMatch(id);

    private async Task<MailboxMessage?> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(name);
        MimeMessage message;
        BlobDownloadDetails details;
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
            details = download.Value.Details;
            await using var content = download.Value.Content;
            message = await MimeMessage.LoadAsync(content, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }

        var metadata = new Dictionary<string, string>(details.Metadata, StringComparer.OrdinalIgnoreCase);
        var entry = new MailboxEntry(
            name,
            message.Date == DateTimeOffset.MinValue ? null : message.Date,
            message.To.ToString(),
            message.Subject ?? string.Empty,
            metadata.GetValueOrDefault(OutboxMetadata.State, OutboxMetadata.Pending),
            details.CreatedOn);
        var attachments = message.Attachments.Select(a => a.ContentDisposition?.FileName ?? a.ContentType.Name ?? a.ContentType.MimeType).ToList();
        return new MailboxMessage(entry, message.From.ToString(), message.TextBody, message.HtmlBody, attachments);
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\.eml$")]
    private static partial Regex BlobName();
}
