using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;
using MimeKit;

namespace Compliance.Mail;

/// <summary>
/// The <c>mail-outbox</c> container: every email the system sends is first written here as a raw .eml blob named by
/// pseudonymous ids only. Writes are create-only, so a retried activity cannot write (or later send) a message twice.
/// </summary>
public sealed class Outbox(BlobServiceClient blobs)
{
    private readonly BlobContainerClient container = blobs.GetBlobContainerClient(StorageLayout.Containers.MailOutbox);

    /// <summary>The blob name of a request's message: <c>requests/{requestId}/{messageKey}.eml</c>.</summary>
    public static string BlobNameFor(string requestId, string messageKey) => $"requests/{requestId}/{messageKey}.eml";

    /// <summary>Whether <paramref name="messageKey"/> has the shape of a message key: lower-case letters, digits and '-', as the workflows name them.</summary>
    public static bool IsMessageKey([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? messageKey) =>
        messageKey is { Length: > 0 and <= 80 } && messageKey.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>The metadata of a request's message waiting to be sent: ids and the kind, never an address.</summary>
    public static Dictionary<string, string> MetadataFor(string requestId, string kind) =>
        new(StringComparer.Ordinal) { ["requestId"] = requestId, ["kind"] = kind, ["state"] = "pending" };

    /// <summary>
    /// Writes <paramref name="message"/> unless a message already exists under <paramref name="blobName"/>.
    /// Returns true when this call wrote it, false when it was already there.
    /// </summary>
    public async Task<bool> TryWriteAsync(string blobName, MimeMessage message, IDictionary<string, string> metadata, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);

        // Stored as it will be sent: 7-bit clean, every part with its Content-Transfer-Encoding, so no transport has to
        // re-encode it (MailKit would otherwise add or change encodings on the way) and what was sent is what is here.
        message.Prepare(EncodingConstraint.SevenBit);
        using var content = new MemoryStream();
        await message.WriteToAsync(content, cancellationToken);
        content.Position = 0;
        try
        {
            await container.GetBlobClient(blobName).UploadAsync(
                content,
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "message/rfc822" },
                    Metadata = metadata,
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return false;
        }
    }

    /// <summary>Whether a message was already written under <paramref name="blobName"/>.</summary>
    public async Task<bool> ExistsAsync(string blobName, CancellationToken cancellationToken = default) =>
        (await container.GetBlobClient(blobName).ExistsAsync(cancellationToken)).Value;

    /// <summary>The names of the outbox blobs under <paramref name="prefix"/>.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var names = new List<string>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }, cancellationToken))
        {
            names.Add(item.Name);
        }

        return names;
    }

    /// <summary>Every outbox blob's name and metadata (<see cref="OutboxMetadata"/>: its state and ids), in one listing.</summary>
    public async Task<IReadOnlyList<(string BlobName, IReadOnlyDictionary<string, string> Metadata)>> ListWithMetadataAsync(CancellationToken cancellationToken = default)
    {
        var found = new List<(string, IReadOnlyDictionary<string, string>)>();
        await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken))
        {
            found.Add((item.Name, new Dictionary<string, string>(item.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)));
        }

        return found;
    }

    /// <summary>A message with its outbox state and when it was written, or null when there is none.</summary>
    public async Task<OutboxMessage?> LoadAsync(string blobName, CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await container.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
            await using var stream = download.Value.Content;
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            var details = download.Value.Details;
            return new OutboxMessage(blobName, message, new Dictionary<string, string>(details.Metadata, StringComparer.OrdinalIgnoreCase), details.CreatedOn);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Reads a message back, e.g. for a sender or a test.</summary>
    public async Task<MimeMessage> ReadAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var download = await container.GetBlobClient(blobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
        await using var stream = download.Value.Content;
        return await MimeMessage.LoadAsync(stream, cancellationToken);
    }
}

/// <summary>A message in the outbox: the message as it is sent, its metadata (<see cref="OutboxMetadata"/>) and when it was written.</summary>
public sealed record OutboxMessage(string BlobName, MimeMessage Message, IReadOnlyDictionary<string, string> Metadata, DateTimeOffset WrittenAt);
