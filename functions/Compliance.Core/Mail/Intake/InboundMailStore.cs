using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;
using MimeKit;

namespace Compliance.Mail.Intake;

/// <summary>
/// A raw message kept in <c>mail-inbound</c>: its intake key, when and how it arrived, whether this delivery stored it
/// (<c>StoredNow</c>), and whether its intake work is known to have been started (<c>Started</c>; the catch-up leaves it alone).
/// </summary>
public sealed record StoredInboundMail(string IntakeKey, string BlobName, DateTimeOffset ReceivedAt, string Source, bool StoredNow, bool Started = false);

/// <summary>
/// The <c>mail-inbound</c> container: every inbound message, whatever brought it, stored unchanged under its intake key
/// (<c>{key}.eml</c>), create-only, so a second delivery of the same message finds the first and stores nothing.
/// The blob's metadata holds when it arrived, the connector that brought it and an id of the delivery that stored it;
/// never an address or a subject.
/// </summary>
public sealed class InboundMailStore(BlobServiceClient blobs)
{
    private const string ReceivedAtKey = "receivedAt";
    private const string SourceKey = "source";
    private const string StartedKey = "started";
    private const string DeliveryKey = "deliveryId";
    private const string StudyTag = "studyId";

    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(StorageLayout.Containers.MailInbound);

    /// <summary>The blob name of a message: <c>{intakeKey}.eml</c>.</summary>
    public static string BlobNameFor(string intakeKey) => intakeKey + ".eml";

    /// <summary>
    /// The intake key of raw bytes: from their Message-ID header when they have one, else from a hash of the bytes. Reads the
    /// headers only, so it works on a message too large or too broken to parse whole.
    /// </summary>
    public static string IntakeKeyOf(ReadOnlySpan<byte> raw)
    {
        var messageId = HeaderMessageId(raw.ToArray());
        return MessageIds.IntakeKeyFor(messageId ?? MessageIds.ContentId(Convert.ToHexString(SHA256.HashData(raw))));
    }

    /// <summary>
    /// Stores <paramref name="raw"/> unless a message with the same intake key is already stored; returns what is stored, with
    /// the first delivery's time and source. <paramref name="receivedAt"/> is when the mail system received it, if it says.
    /// </summary>
    public async Task<StoredInboundMail> StoreAsync(byte[] raw, string source, DateTimeOffset receivedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var key = IntakeKeyOf(raw);
        var blob = container.GetBlobClient(BlobNameFor(key));
        // A fresh id of this delivery's own: when the upload took effect but its answer was lost, the SDK's retry meets a blob
        // that exists, and only this id tells that blob from one an earlier delivery stored.
        var deliveryId = Guid.NewGuid().ToString("N");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ReceivedAtKey] = receivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            [SourceKey] = source,
            [DeliveryKey] = deliveryId,
        };
        try
        {
            await blob.UploadAsync(
                new BinaryData(raw),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "message/rfc822" },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return new StoredInboundMail(key, blob.Name, receivedAt, source, StoredNow: true);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            BlobProperties properties;
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            }
            catch (RequestFailedException missing) when (missing.Status == 404)
            {
                throw new InvalidOperationException($"Inbound message {key} exists and cannot be read.", ex);
            }

            // This delivery's own write whose answer was lost (a retry met it) is this delivery's store, not a duplicate.
            var ours = properties.Metadata.TryGetValue(DeliveryKey, out var stored) && stored == deliveryId;
            return FromMetadata(key, blob.Name, properties.Metadata, properties.CreatedOn) with { StoredNow = ours };
        }
    }

    /// <summary>Reads the stored message with <paramref name="reader"/>; it stays in storage (out of any orchestration).</summary>
    /// <exception cref="InvalidOperationException">No message is stored under <paramref name="intakeKey"/>.</exception>
    public async Task<(StoredInboundMail Stored, InboundReadResult Read)> LoadAsync(InboundMessageReader reader, string intakeKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var stored = await FindAsync(intakeKey, cancellationToken) ?? throw new InvalidOperationException($"Inbound message {intakeKey} is not stored.");
        await using var raw = await OpenReadAsync(intakeKey, cancellationToken);
        return (stored, await reader.ReadAsync(raw, cancellationToken));
    }

    /// <summary>The stored message with <paramref name="intakeKey"/>, or null.</summary>
    public async Task<StoredInboundMail?> FindAsync(string intakeKey, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(BlobNameFor(intakeKey));
        try
        {
            var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return FromMetadata(intakeKey, blob.Name, properties.Metadata, properties.CreatedOn);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Records that the message's intake work has been started; the catch-up then leaves it alone.</summary>
    public async Task MarkStartedAsync(string intakeKey, CancellationToken cancellationToken = default)
    {
        var blob = container.GetBlobClient(BlobNameFor(intakeKey));
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
        if (properties.Metadata.ContainsKey(StartedKey))
        {
            return;
        }

        var metadata = new Dictionary<string, string>(properties.Metadata, StringComparer.Ordinal) { [StartedKey] = "true" };
        try
        {
            await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = properties.ETag }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another delivery marked it (or changed it) first; marking is all this does.
        }
    }

    /// <summary>
    /// Tags the message as mail of <paramref name="studyId"/> (a blob index tag), so that the study's retention sweep
    /// finds and deletes it with the rest of the study.
    /// </summary>
    public async Task TagStudyAsync(string intakeKey, string studyId, CancellationToken cancellationToken = default) =>
        await container.GetBlobClient(BlobNameFor(intakeKey)).SetTagsAsync(new Dictionary<string, string>(StringComparer.Ordinal) { [StudyTag] = studyId }, cancellationToken: cancellationToken);

    /// <summary>The intake keys of the messages tagged as mail of <paramref name="studyId"/>.</summary>
    public async Task<IReadOnlyList<string>> ListTaggedAsync(string studyId, CancellationToken cancellationToken = default)
    {
        var keys = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Tags }, cancellationToken))
        {
            if (item.Tags is { } tags && tags.TryGetValue(StudyTag, out var tagged) && tagged == studyId && item.Name.EndsWith(".eml", StringComparison.Ordinal))
            {
                keys.Add(item.Name[..^".eml".Length]);
            }
        }

        return keys;
    }

    /// <summary>The raw bytes of a stored message, as a stream (a message can be tens of megabytes).</summary>
    public async Task<Stream> OpenReadAsync(string intakeKey, CancellationToken cancellationToken = default) =>
        await container.GetBlobClient(BlobNameFor(intakeKey)).OpenReadAsync(cancellationToken: cancellationToken);

    /// <summary>Every stored message created at or after <paramref name="since"/>, oldest first (for catching up after a crash).</summary>
    public async Task<IReadOnlyList<StoredInboundMail>> ListSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var found = new List<StoredInboundMail>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
        {
            if (item.Properties.CreatedOn is { } created && created >= since && item.Name.EndsWith(".eml", StringComparison.Ordinal))
            {
                found.Add(FromMetadata(item.Name[..^".eml".Length], item.Name, item.Metadata, created));
            }
        }

        return found.OrderBy(m => m.ReceivedAt).ToList();
    }

    private static StoredInboundMail FromMetadata(string key, string blobName, IDictionary<string, string> metadata, DateTimeOffset created) => new(
        key,
        blobName,
        metadata.TryGetValue(ReceivedAtKey, out var at) && DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : created,
        metadata.TryGetValue(SourceKey, out var source) ? source : "unknown",
        StoredNow: false,
        Started: metadata.ContainsKey(StartedKey));

    private static string? HeaderMessageId(byte[] raw)
    {
        try
        {
            using var stream = new MemoryStream(raw, writable: false);
            var headers = HeaderList.Load(stream);
            return headers[HeaderId.MessageId] is { } value ? MimeKit.Utils.MimeUtils.EnumerateReferences(value).FirstOrDefault() is { Length: > 0 } id ? id : null : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
