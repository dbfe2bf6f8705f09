using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;

namespace Compliance.RateLimits;

/// <summary>
/// The keyed hash (HMAC-SHA256) that stands for a rate-limit key in storage, so no row holds a client or email address.
/// The key is 256 random bits created once in blob storage (<c>rate-limits/hmac-key</c>) by whichever instance needs it
/// first, and read by every other, so all instances hash alike and share their counts. It is kept in memory once read.
/// Without the key a row cannot be traced back by hashing candidate addresses (there are only 2^32 IPv4 addresses); deleting
/// the blob and restarting the app rotates it, which starts every count afresh.
/// </summary>
public sealed class RateLimitKeyHasher(BlobServiceClient blobs)
{
    /// <summary>The blob of the key in <see cref="StorageLayout.Containers.RateLimits"/>.</summary>
    public const string KeyBlobName = "hmac-key";

    private const int KeyBytes = 32;

    private readonly BlobClient blob = blobs.GetBlobContainerClient(StorageLayout.Containers.RateLimits).GetBlobClient(KeyBlobName);

    private byte[]? key;

    /// <summary>The hash of <paramref name="value"/>, as 64 lower-case hex digits (fit for a table key).</summary>
    public async Task<string> HashAsync(string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        var secret = key ??= await LoadOrCreateAsync(cancellationToken);
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(value)));
    }

    private async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        if (await ReadAsync(cancellationToken) is { } existing)
        {
            return existing;
        }

        var created = RandomNumberGenerator.GetBytes(KeyBytes);
        try
        {
            // Create-only: two instances starting at once both try, one key wins, and the other reads it.
            await blob.UploadAsync(BinaryData.FromBytes(created), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            return created;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await ReadAsync(cancellationToken) ?? throw new InvalidOperationException("The rate-limit key blob exists but could not be read.", ex);
        }
    }

    private async Task<byte[]?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
            return content.Length == KeyBytes
                ? content
                : throw new InvalidOperationException($"The rate-limit key blob holds {content.Length} bytes, not {KeyBytes}: delete it to have a new one made.");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
