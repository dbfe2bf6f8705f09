using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Compliance.Storage;

namespace Compliance.Keys;

/// <summary>
/// The service's secret keys, one per purpose, derived from a master key of 32 random bytes that the first instance to need
/// it creates in blob storage (<c>keys/service-key</c>, written only if absent, so every instance ends up with the same one)
/// and each instance then caches. Whoever can read the storage account can read it, as they can read everything it signs for.
/// </summary>
public sealed class ServiceKeys(BlobServiceClient blobs)
{
    /// <summary>The blob that holds the master key.</summary>
    public const string BlobName = "service-key";

    private Task<byte[]>? master;

    /// <summary>The key for <paramref name="purpose"/> (e.g. <c>status-link</c>): HMAC-SHA256 of the purpose under the master key.</summary>
    public async Task<byte[]> ForAsync(string purpose, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        return HMACSHA256.HashData(await MasterAsync(cancellationToken), Encoding.UTF8.GetBytes(purpose));
    }

    /// <summary>The HMAC-SHA256 of <paramref name="value"/> (UTF-8) under the key for <paramref name="purpose"/>: what every signature and keyed hash of the service is.</summary>
    public async Task<byte[]> MacAsync(string purpose, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        return HMACSHA256.HashData(await ForAsync(purpose, cancellationToken), Encoding.UTF8.GetBytes(value));
    }

    /// <summary>The master key, loaded once; a load that failed is tried again by the next caller. Two at once load the same key.</summary>
    private Task<byte[]> MasterAsync(CancellationToken cancellationToken)
    {
        var loading = master;
        if (loading is null || loading.IsFaulted || loading.IsCanceled)
        {
            loading = LoadOrCreateAsync(CancellationToken.None);
            master = loading;
        }

        return loading.WaitAsync(cancellationToken);
    }

    private async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        var blob = blobs.GetBlobContainerClient(StorageLayout.Containers.Keys).GetBlobClient(BlobName);
        try
        {
            return Convert.FromBase64String((await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Nobody has made it yet: make one; if another instance was quicker, theirs counts.
        }

        var candidate = RandomNumberGenerator.GetBytes(32);
        try
        {
            await blob.UploadAsync(
                BinaryData.FromString(Convert.ToBase64String(candidate)),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return candidate;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return Convert.FromBase64String((await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString());
        }
    }
}
