using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Compliance.Storage;

/// <summary>
/// The create-only write: a blob is written only if none exists under its name, and an existing one is never replaced.
/// Certificates and audit anchors are written this way everywhere; in Azure an immutability policy on their containers
/// backs it up, so not even the service's own identity can change or delete them while the policy holds.
/// </summary>
public static class CreateOnlyBlob
{
    /// <summary>Writes <paramref name="content"/> unless the blob exists; false when it did (a repeated step, or a conflict).</summary>
    public static async Task<bool> TryCreateAsync(
        this BlobClient blob,
        BinaryData content,
        string contentType,
        IDictionary<string, string>? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blob);
        try
        {
            await blob.UploadAsync(
                content,
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType }, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, Metadata = metadata },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }
}
